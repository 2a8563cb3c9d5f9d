"""Person box files, two formats: COCO-style person detections
(``load_posetrack_detections``, keyed by image id) and the video demo's
``--bboxes`` file (``load_frame_boxes``, keyed by frame index, the box rule
applied)."""
import math
from typing import Any, Dict, List, Optional

import numpy as np

from ..utils.json_file import read_json
from .box_rule import person_box_problem
from .posetrack_io import (PoseTrackFormatError, check_object, is_number,
                           number_array)

def load_posetrack_detections(path: str) -> List[Dict[str, Any]]:
    """Load a COCO-style person detection file (a list of detections).

    Args:
        path (str): e.g. ``annotations/test_posetrack18_human_detections.json``
            (``[{"image_id", "bbox": [x, y, w, h], "score", "category_id"}]``).

    Returns:
        list[dict]: detections with ``bbox`` as a (4,) float32 array and
        ``score`` as float.
    """
    data = read_json(path)
    if not isinstance(data, list):
        raise PoseTrackFormatError(
            path, '<root>',
            f'expected a list of detections, got {type(data).__name__}')
    dets = []
    for d, det in enumerate(data):
        field = f'[{d}]'
        check_object(det, path, field, ('image_id', 'bbox', 'score'))
        bbox = number_array(det['bbox'], 4, path, f'{field}.bbox',
                             np.float32)
        if bbox[2] < 0 or bbox[3] < 0:
            raise PoseTrackFormatError(path, f'{field}.bbox',
                                       f'negative width/height {bbox}')
        if not is_number(det['score']) or not math.isfinite(det['score']):
            raise PoseTrackFormatError(path, f'{field}.score',
                                       f'expected a number, got '
                                       f'{det["score"]!r}')
        out = dict(det)
        out['bbox'] = bbox
        out['score'] = float(det['score'])
        out.setdefault('category_id', 1)
        dets.append(out)
    return dets


def load_frame_boxes(path: str,
                     num_frames: int,
                     width: Optional[float] = None,
                     height: Optional[float] = None) -> List[np.ndarray]:
    """Load a person box file with a frame index per box (the video demo's
    ``--bboxes``): ``[{"frame_index": 0, "bbox": [x, y, w, h], "score":
    0.9, "category_id": 1}, ...]`` (``score`` defaults to 1; boxes of
    another ``category_id`` than 1 = person are left out).

    Every box must obey :data:`BOX_RULE` (with ``width``/``height``, on the
    image of that size); a malformed entry raises a
    :class:`PoseTrackFormatError` naming the file, the entry and the field
    (``boxes.json: [3].bbox[1]: expected a number, got 'high'``).

    Returns:
        list[np.ndarray]: Per frame, ``(N, 5)`` float32 ``[x1, y1, x2, y2,
        score]`` (not clipped).
    """
    data = read_json(path)
    if not isinstance(data, list):
        raise PoseTrackFormatError(
            path, '<root>',
            f'expected a list of boxes, got {type(data).__name__}')
    per_frame: List[list] = [[] for _ in range(num_frames)]
    for i, det in enumerate(data):
        field = f'[{i}]'
        check_object(det, path, field, ('frame_index', 'bbox'))
        t = det['frame_index']
        if isinstance(t, bool) or not isinstance(t, int) \
                or not 0 <= t < num_frames:
            raise PoseTrackFormatError(
                path, f'{field}.frame_index',
                f'{t!r} is not a frame of the input (0..{num_frames - 1})')
        box = number_array(det['bbox'], 4, path, f'{field}.bbox', np.float64)
        problem = person_box_problem(box, width, height)
        if problem is not None:
            raise PoseTrackFormatError(path, f'{field}.bbox',
                                       f'{problem} (frame {t})')
        score = det.get('score', 1.0)
        if not is_number(score) or not math.isfinite(score):
            raise PoseTrackFormatError(path, f'{field}.score',
                                       f'expected a number, got {score!r}')
        category = det.get('category_id', 1)
        if isinstance(category, bool) or not isinstance(category, int):
            raise PoseTrackFormatError(path, f'{field}.category_id',
                                       f'expected an integer, got '
                                       f'{category!r}')
        if category != 1:
            continue
        per_frame[t].append([*box[:2], *(box[:2] + box[2:]), float(score)])
    return [
        np.asarray(b, dtype=np.float32).reshape(-1, 5) for b in per_frame
    ]


"""One box per track: every box of a person replaced by the union of its
track's boxes, so that :func:`~.inference.inference_posewarper` crops each
frame once per person."""
from typing import Dict, List, Sequence

import numpy as np
from mmpose.structures.bbox import bbox_xywh2xyxy

from .frame_boxes import BBoxInput

__all__ = ['fixed_track_bboxes']


def fixed_track_bboxes(bboxes_per_frame: Sequence[BBoxInput],
                       track_ids_per_frame: Sequence[Sequence[int]],
                       bbox_format: str = 'xyxy') -> List[np.ndarray]:
    """Replace every box of a track by the union of the track's boxes.

    With one box per person for the whole video, each frame is cropped once
    per person and :func:`inference_posewarper` computes its heatmaps once.
    This changes the crops (hence the results) relative to cropping with
    each frame's own box: the union box is larger, so a fast-moving person
    is seen at a lower resolution. Use it when speed matters more.

    Args:
        bboxes_per_frame (Sequence[array]): Per frame, boxes ``(N, 4)`` or
            ``(N, 5)`` (the 5th column, a score, is kept).
        track_ids_per_frame (Sequence[Sequence[int]]): Per frame, the track
            id of each box.
        bbox_format (str): ``'xyxy'`` or ``'xywh'``; the output has the same
            format. Defaults to ``'xyxy'``.

    Returns:
        list[np.ndarray]: Per frame, float32 boxes in the input's format
        and column count, each replaced by its track's union box.
    """
    if bbox_format not in ('xyxy', 'xywh'):
        raise ValueError(f'bbox_format must be "xyxy" or "xywh", got '
                         f'{bbox_format!r}')
    if len(bboxes_per_frame) != len(track_ids_per_frame):
        raise ValueError(f'{len(bboxes_per_frame)} frames of boxes but '
                         f'{len(track_ids_per_frame)} frames of track ids')
    frames = []
    union: Dict[int, np.ndarray] = {}
    for t, (boxes, ids) in enumerate(zip(bboxes_per_frame,
                                         track_ids_per_frame)):
        boxes = np.asarray(boxes if boxes is not None else np.zeros((0, 4)),
                           dtype=np.float32).reshape(-1, *(
                               () if boxes is None else np.shape(boxes)[1:]))
        if boxes.ndim != 2 or boxes.shape[1] not in (4, 5):
            raise ValueError(f'frame {t}: boxes must have shape (N, 4) or '
                             f'(N, 5), got {boxes.shape}')
        ids = [int(i) for i in ids]
        if len(ids) != len(boxes):
            raise ValueError(f'frame {t}: {len(boxes)} boxes but {len(ids)} '
                             'track ids')
        if len(set(ids)) != len(ids):
            raise ValueError(f'frame {t}: a track id occurs twice: {ids}')
        xyxy = boxes[:, :4].copy()
        if bbox_format == 'xywh':
            xyxy = bbox_xywh2xyxy(xyxy)
        for track, box in zip(ids, xyxy):
            if track in union:
                union[track] = np.concatenate(
                    [np.minimum(union[track][:2], box[:2]),
                     np.maximum(union[track][2:], box[2:])])
            else:
                union[track] = box
        frames.append((boxes, ids))
    out = []
    for boxes, ids in frames:
        fixed = boxes.copy()
        for row, track in enumerate(ids):
            box = union[track].copy()
            if bbox_format == 'xywh':
                box[2:] -= box[:2]
            fixed[row, :4] = box
        out.append(fixed)
    return out

"""Person boxes given per frame to video inference: parsed and checked
(``(N, 4)`` or ``(N, 5)`` with scores, finite, positive size, then the box
rule on the frame), or computed when a frame is read (a detector)."""
import numbers
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
from mmpose.structures.bbox import bbox_xywh2xyxy

from ..datasets.box_rule import person_box_problem
from .video_frames import VideoFrames

__all__ = [
    'BBoxInput', 'BBoxFunction', 'FrameBoxes', 'parse_frame_boxes',
    'boxes_on_frame'
]

BBoxInput = Optional[Union[np.ndarray, Sequence[Sequence[float]]]]
#: Boxes of one frame computed when the frame is read: ``f(frame_idx,
#: frame) -> boxes`` (e.g. a detector; see
#: :func:`~.inference.iter_inference_posewarper`).
BBoxFunction = Callable[[int, np.ndarray], BBoxInput]


class FrameBoxes:
    """Per frame ``(boxes (N, 4) xyxy float32, scores (N,))``, or ``None``
    for 'the whole frame' (resolved once the frame size is known).

    A sequence of boxes is checked at once (against the number of frames
    when it is known); a function of the frame is called, and its boxes
    checked, when the frame is first needed as a reference.
    """

    def __init__(self, bboxes_per_frame: Union[None, Sequence[BBoxInput],
                                               BBoxFunction],
                 frames: VideoFrames, bbox_format: str) -> None:
        if bbox_format not in ('xyxy', 'xywh'):
            raise ValueError(f'bbox_format must be "xyxy" or "xywh", got '
                             f'{bbox_format!r}')
        self.bbox_format = bbox_format
        self.frames = frames
        self.function: Optional[BBoxFunction] = None
        self.parsed: Dict[int, Any] = {}
        self.count: Optional[int] = None
        if bboxes_per_frame is None:
            return
        if callable(bboxes_per_frame) and not isinstance(
                bboxes_per_frame, (np.ndarray, Sequence)):
            self.function = bboxes_per_frame
            return
        self.count = len(bboxes_per_frame)
        if frames.num_frames is not None:
            self.check_count(frames.num_frames)
        self.parsed = {
            t: parse_frame_boxes(boxes, t, bbox_format)
            for t, boxes in enumerate(bboxes_per_frame)
        }

    def check_count(self, num_frames: int) -> None:
        """A list of boxes must have one entry per frame."""
        if self.count is not None and self.count != num_frames:
            raise ValueError(f'bboxes_per_frame has {self.count} entries for '
                             f'{num_frames} frames')

    def __getitem__(self, t: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
        if self.function is not None:
            if t not in self.parsed:
                self.parsed[t] = parse_frame_boxes(
                    self.function(t, self.frames[t]), t, self.bbox_format)
            return self.parsed[t]
        if self.count is None:
            return None
        if t >= self.count:
            raise ValueError(f'bboxes_per_frame has {self.count} entries, '
                             f'but the video has a frame {t}')
        return self.parsed[t]

    def release_before(self, t: int) -> None:
        """Drop the computed boxes of the frames before ``t``."""
        if self.function is not None:
            for key in [k for k in self.parsed if k < t]:
                del self.parsed[key]


def parse_frame_boxes(boxes: BBoxInput, t: int, bbox_format: str = 'xyxy',
                      name: str = 'bboxes_per_frame'
                      ) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """One frame's boxes as ``(xyxy (N, 4), scores (N,))``, checked: the
    boxes given for frame ``t`` (``None``: the whole frame, returned as
    None), ``(N, 4)`` or ``(N, 5)`` (the 5th column a score; else 1), finite
    numbers, positive width and height. A problem raises a ValueError
    naming ``name[t]``, the box and the value (``bboxes_per_frame[1]: box
    0, value 2: expected a number, got 'high'``).

    :func:`iter_inference_posewarper` and
    :class:`~mmpose_posewarper.apis.PoseWarperInferencer` (``name``
    ``'bboxes'``) both check their boxes with it.
    """
    if boxes is None:
        return None
    boxes = _numeric_boxes(boxes, t, name)
    if boxes.size == 0:
        return (np.zeros((0, 4), np.float32), np.zeros(0, np.float32))
    if boxes.ndim == 1:
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] not in (4, 5):
        raise ValueError(f'{name}[{t}]: boxes must have shape (N, 4) or '
                         f'(N, 5), got {boxes.shape}')
    if not np.isfinite(boxes).all():
        raise ValueError(f'{name}[{t}]: boxes are not finite')
    scores = boxes[:, 4].copy() if boxes.shape[1] == 5 else np.ones(
        len(boxes), np.float32)
    xyxy = boxes[:, :4].copy()
    if bbox_format == 'xywh':
        xyxy = bbox_xywh2xyxy(xyxy)
    if (xyxy[:, 2] <= xyxy[:, 0]).any() or (xyxy[:, 3] <= xyxy[:, 1]).any():
        raise ValueError(f'{name}[{t}]: every box needs positive width and '
                         'height')
    return (xyxy, scores)


def _numeric_boxes(boxes: Any, t: int, name: str) -> np.ndarray:
    """One frame's boxes as a float32 array; a value that is no number is
    named by frame, box and position (numpy's own message names none)."""
    if isinstance(boxes, np.ndarray):
        if boxes.dtype.kind in 'biuf':
            return boxes.astype(np.float32)
        boxes = boxes.tolist()  # e.g. an object array holding a string
    rows = boxes if isinstance(boxes, (list, tuple)) else [boxes]
    if rows and not isinstance(rows[0], (list, tuple, np.ndarray)):
        rows = [rows]  # a single box
    for i, row in enumerate(rows):
        values = row if isinstance(row, (list, tuple, np.ndarray)) else [row]
        for j, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, (numbers.Real,
                                                         np.number)):
                raise ValueError(
                    f'{name}[{t}]: box {i}, value {j}: expected a '
                    f'number, got {v!r}')
    try:
        return np.asarray(boxes, dtype=np.float32)
    except ValueError:  # ragged rows: name the box (numpy's names none)
        sizes = [len(r) if isinstance(r, (list, tuple, np.ndarray)) else 1
                 for r in rows]
        odd = [i for i, n in enumerate(sizes) if n not in (4, 5)] or [
            i for i, n in enumerate(sizes) if n != sizes[0]] or [0]
        raise ValueError(f'{name}[{t}]: box {odd[0]} has {sizes[odd[0]]} '
                         f'values (box 0: {sizes[0]}); boxes must have shape '
                         '(N, 4) or (N, 5)') from None


def boxes_on_frame(entry: Optional[Tuple[np.ndarray, np.ndarray]],
                   img_shape: Tuple[int, ...],
                   t: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """The boxes of frame ``t`` (a :class:`FrameBoxes` entry) on its image:
    each checked against the box rule now that the frame size is known;
    ``None`` gives one box covering the whole frame."""
    if entry is not None:
        # the package's box rule (box_rule.BOX_RULE), now that the frame
        # size is known: a box outside the image gives a pose on one point
        h, w = img_shape[:2]
        for i, (x1, y1, x2, y2) in enumerate(entry[0]):
            problem = person_box_problem([x1, y1, x2 - x1, y2 - y1], w, h)
            if problem is not None:
                raise ValueError(f'bboxes_per_frame[{t}]: box {i} (xyxy '
                                 f'[{x1:g}, {y1:g}, {x2:g}, {y2:g}]) as xywh '
                                 f'{problem}')
        return entry
    # no boxes given: the whole frame, as inference_topdown
    h, w = img_shape[:2]
    return (np.array([[0, 0, w, h]], np.float32), np.ones(1, np.float32))

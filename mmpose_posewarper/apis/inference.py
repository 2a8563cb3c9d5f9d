"""Temporal-aggregation video inference with a PoseWarper model.

:func:`inference_posewarper` is the video counterpart of MMPose's
:func:`mmpose.apis.inference_topdown`: every person box on frame ``t`` is
cropped (one affine transform, defined by the box) from frames
``t + frame_offsets`` (clipped at the video ends), each crop's heatmaps are
warped toward frame ``t`` and summed with ``frame_weights``, and the sum is
decoded into keypoints in image coordinates. One :class:`PoseDataSample` is
returned per frame.

Two paths compute exactly the same function:

* ``use_cache=False`` (the *recompute* path) is what the original PoseWarper
  and MMPose 0.x do: for every output frame and box, the model's own
  ``test_step`` runs the backbone on the window's 5 crops and warps all 5.
* ``use_cache=True`` (default) computes the backbone heatmaps of each crop
  once and reuses them in every window that needs that crop, skips the
  reference frame's warp network (see below) and warps all supporting
  frames of a frame in one batched call.

What is cached, honestly: a crop is identified by ``(frame index, box)``,
because the box on the reference frame defines the affine transform of all
frames of its window. A crop of frame ``j`` made for the box of frame ``t``
is reused by the window of frame ``t'`` only if frame ``t'`` has the *same*
box (bit-identical coordinates). So the backbone runs once per frame and
person when boxes are track-consistent: one fixed box per person (e.g. from
:func:`fixed_track_bboxes`, a static camera, or the whole frame when no boxes
are given). With independent per-frame detections crops are rarely shared;
the results are still exactly those of the original, and only the reference
warp and the batching are saved. We chose this over cropping every window
with some other box because any other crop changes the model's input
relative to the original method; :func:`fixed_track_bboxes` makes that
change explicit and leaves it to the caller.

Online (causal) mode, ``online=True``: the window of frame ``t`` is clipped
at ``t`` instead of at the video's last frame, so only the current and past
frames are aggregated and frame ``t``'s result is yielded as soon as frame
``t`` is read (never after frame ``t + 1``; for live video). With the
default window a supporting frame ``t + 1`` or ``t + 2`` becomes frame ``t``
itself, i.e. the weights are ``t: 0.3 + 0.25 + 0.1 = 0.65``, ``t - 1: 0.25``,
``t - 2: 0.1``. Why these weights and not others: (1) they are what the
original itself uses on the last frame of every video, whose window it
clips at the end (``JointsDataset_PoseAgg.py``), so the trained model is
already evaluated with them there, and online frame ``t`` is exactly offline
frame ``t`` of the video cut after ``t``; (2) MMPose 0.x's online mode
(``collect_multi_frames(..., online=True)``) clips the same way; (3) they
still sum to 1, so keypoint scores (``kpt_thr``, PoseTrack's ranking) keep
the offline mode's scale. Only the window's frames and crop heatmaps are
held: at most 3 frames with the default window (5 offline).

The reference frame's warp: the original also warps frame ``t`` toward
itself, with offsets computed from ``ref - ref = 0``. In eval mode the
offset network maps the all-zero difference to a constant (it has zero
padding at the borders, so the constant varies over the map but not with
the input), hence its offsets are computed once per call and heatmap size,
and only the (cheap) deformable convolutions run per frame. Supporting frames
clipped onto frame ``t`` at the video ends also have a zero difference and
take the same shortcut.
"""
import numbers
from pathlib import Path
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Optional,
                    Sequence, Tuple, Union)

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample, merge_data_samples
from mmpose.structures.bbox import bbox_xywh2xyxy
from torch import Tensor

from ..datasets.box_rule import person_box_problem
from .video_io import FrameReader, read_frame

#: The original's test window: the reference frame first, then t-2, t-1,
#: t+1, t+2 (original: lib/dataset/JointsDataset_PoseAgg.py L163-186).
DEFAULT_FRAME_OFFSETS = (0, -2, -1, 1, 2)
#: The original's aggregation weights in the order of DEFAULT_FRAME_OFFSETS
#: (original: lib/models/pose_hrnet_PoseAgg.py, ``0.3 * warped_cur_x + ...``).
DEFAULT_FRAME_WEIGHTS = (0.3, 0.1, 0.25, 0.25, 0.1)

FrameInput = Union[np.ndarray, str]
VideoInput = Union[str, Path, np.ndarray, Sequence[FrameInput],
                   Iterable[FrameInput]]
BBoxInput = Optional[Union[np.ndarray, Sequence[Sequence[float]]]]
#: Boxes of one frame computed when the frame is read: ``f(frame_idx,
#: frame) -> boxes`` (e.g. a detector; see :func:`iter_inference_posewarper`).
BBoxFunction = Callable[[int, np.ndarray], BBoxInput]


def temporal_window(frame_idx: int,
                    num_frames: Optional[int],
                    frame_offsets: Sequence[int],
                    online: bool = False) -> List[int]:
    """Frame indices of the window of ``frame_idx``, clipped to the video.

    Args:
        frame_idx (int): The reference frame.
        num_frames (int, optional): Number of frames in the video; may be
            ``None`` (a stream of unknown length) when ``online``.
        frame_offsets (Sequence[int]): Offsets from the reference frame.
        online (bool): Clip at ``frame_idx`` instead of the last frame
            (causal: no frame after the reference). Defaults to False.

    Returns:
        list[int]: ``clip(frame_idx + offset, 0, last)`` for each offset, in
        the order of ``frame_offsets`` (as the original clips
        ``prev_idx``/``next_idx``), with ``last = num_frames - 1``, or
        ``frame_idx`` when ``online``.
    """
    if frame_idx < 0 or (num_frames is not None and frame_idx >= num_frames):
        raise IndexError(f'frame {frame_idx} is outside a video of '
                         f'{num_frames} frames')
    if online:
        last = frame_idx
    elif num_frames is None:
        raise ValueError('num_frames is needed unless online=True')
    else:
        last = num_frames - 1
    return [min(max(frame_idx + o, 0), last) for o in frame_offsets]


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


class _Frames:
    """Frames of a video, loaded in order on demand and released after use.

    Windows move forward, so a video file or a stream (any iterable of
    frames, e.g. a generator of camera frames, length unknown) is read
    sequentially, and only the frames some window still needs are kept in
    memory. ``num_frames`` is ``None`` until a stream ends.
    """

    def __init__(self, frames: VideoInput) -> None:
        self._iter: Optional[Iterator[FrameInput]] = None
        self._items: Optional[Sequence[FrameInput]] = None
        self.num_frames: Optional[int]
        if isinstance(frames, (str, Path)):
            reader = FrameReader(str(frames))
            self.num_frames = len(reader)
            self._iter = iter(reader)
        elif isinstance(frames, np.ndarray):
            if frames.ndim != 4:
                raise ValueError('an array of frames must have shape '
                                 f'(T, H, W, C), got {frames.shape}')
            self._items, self.num_frames = frames, len(frames)
        elif isinstance(frames, Sequence) or (hasattr(frames, '__getitem__')
                                              and hasattr(frames, '__len__')):
            self._items, self.num_frames = frames, len(frames)
        elif isinstance(frames, Iterable):
            self._iter, self.num_frames = iter(frames), None
        else:
            raise TypeError('frames must be a video file or frame folder, a '
                            '(T, H, W, C) array, a sequence of images or '
                            'image paths, or an iterable of them (a stream), '
                            f'got {type(frames).__name__}')
        if self.num_frames == 0:
            raise ValueError('the video has no frames')
        self._loaded: Dict[int, np.ndarray] = {}
        self._next = 0  # next frame to read from a sequential reader
        self.shape: Optional[Tuple[int, ...]] = None

    def __len__(self) -> int:
        if self.num_frames is None:
            raise TypeError('the length of a stream is known only once it '
                            'has ended')
        return self.num_frames

    def exists(self, idx: int) -> bool:
        """Whether frame ``idx`` exists; a stream is read up to it."""
        if self.num_frames is None:
            self._read_until(idx)
        return idx < self.num_frames if self.num_frames is not None else True

    def known_length(self, idx: int) -> int:
        """``min(idx + 1, number of frames)``, reading a stream no further
        than frame ``idx``: enough to clip a window reaching ``idx``."""
        return idx + 1 if self.exists(idx) else self.num_frames

    def held(self) -> int:
        """Number of frames held in memory now."""
        return len(self._loaded)

    def _read_until(self, idx: int) -> None:
        while self._next <= idx:
            try:
                item = next(self._iter)
            except StopIteration:
                self.num_frames = self._next
                if self._next == 0:
                    raise ValueError('the video has no frames') from None
                return
            self._loaded[self._next] = self._image(item, self._next)
            self._next += 1

    def _image(self, item: FrameInput, idx: int) -> np.ndarray:
        if isinstance(item, (str, Path)):
            return read_frame(str(item), idx)
        if not isinstance(item, np.ndarray):
            raise TypeError(f'frame {idx} is a {type(item).__name__}, '
                            'expected an image array or path')
        return item

    def _load(self, idx: int) -> np.ndarray:
        if self._iter is not None:
            if idx < self._next:
                raise RuntimeError(f'frame {idx} was already released')
            self._read_until(idx)
            if idx not in self._loaded:
                raise IndexError(f'frame {idx} is outside a video of '
                                 f'{self.num_frames} frames')
            return self._loaded[idx]
        return self._image(self._items[idx], idx)

    def __getitem__(self, idx: int) -> np.ndarray:
        if idx not in self._loaded:
            self._loaded[idx] = self._load(idx)
        img = self._loaded[idx]
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f'frame {idx} has shape {img.shape}; expected '
                             'a (H, W, 3) BGR image')
        if img.dtype != np.uint8:
            # the data preprocessor normalises with uint8 means and stds: a
            # float [0, 1] or uint16 frame would silently give wrong poses
            raise ValueError(
                f'frame {idx} has dtype {img.dtype}; expected a uint8 BGR '
                'image (0..255), as OpenCV reads it. Convert it first, e.g. '
                '(img * 255).round().astype(np.uint8) for floats in [0, 1]')
        if self.shape is None:
            self.shape = img.shape
        elif img.shape != self.shape:
            # all frames of a window share one affine transform
            raise ValueError(f'frame {idx} has shape {img.shape}, other '
                             f'frames have {self.shape}')
        return img

    def release_before(self, idx: int) -> None:
        for key in [k for k in self._loaded if k < idx]:
            del self._loaded[key]


def _frame_config(model: nn.Module, frame_offsets: Optional[Sequence[int]],
                  frame_weights: Optional[Sequence[float]]
                  ) -> Tuple[Tuple[int, ...], Tuple[float, ...]]:
    """Window offsets and weights: arguments > test dataset config >
    the original's."""
    dataset_cfg = {}
    try:
        dataset_cfg = model.cfg.test_dataloader.dataset
    except AttributeError:
        pass
    if frame_offsets is None:
        frame_offsets = dataset_cfg.get('frame_offsets', DEFAULT_FRAME_OFFSETS)
    if frame_weights is None:
        frame_weights = dataset_cfg.get('frame_weights', DEFAULT_FRAME_WEIGHTS)
    offsets = tuple(int(o) for o in frame_offsets)
    weights = tuple(float(w) for w in frame_weights)
    if not offsets or offsets[0] != 0:
        raise ValueError('frame_offsets must start with 0 (the reference '
                         f'frame), got {offsets}')
    if len(set(offsets)) != len(offsets):
        raise ValueError(f'frame_offsets has duplicates: {offsets}')
    if len(weights) != len(offsets):
        raise ValueError(f'{len(weights)} frame_weights for {len(offsets)} '
                         'frame_offsets')
    if not all(np.isfinite(weights)) or not any(weights):
        raise ValueError('frame_weights must be finite and not all zero, got '
                         f'{weights}')
    return offsets, weights


class _Boxes:
    """Per frame ``(boxes (N, 4) xyxy float32, scores (N,))``, or ``None``
    for 'the whole frame' (resolved once the frame size is known).

    A sequence of boxes is checked at once (against the number of frames
    when it is known); a function of the frame is called, and its boxes
    checked, when the frame is first needed as a reference.
    """

    def __init__(self, bboxes_per_frame: Union[None, Sequence[BBoxInput],
                                               BBoxFunction],
                 frames: _Frames, bbox_format: str) -> None:
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
    except ValueError as e:  # ragged rows
        raise ValueError(f'{name}[{t}]: boxes must have shape '
                         f'(N, 4) or (N, 5): {e}') from None


def _boxes_of(entry: Optional[Tuple[np.ndarray, np.ndarray]],
              img_shape: Tuple[int, ...],
              t: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    if entry is not None:
        # the package's box rule (posetrack_io.BOX_RULE), now that the frame
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


def inference_pipeline(model: nn.Module) -> Compose:
    """The config's test pipeline, or, for a model-only config, the standard
    multi-frame top-down one at the codec's input size."""
    try:
        return Compose(model.cfg.test_dataloader.dataset.pipeline)
    except AttributeError:
        pass
    from ..datasets.transforms import MULTI_FRAME_META_KEYS
    input_size = getattr(getattr(model.head, 'decoder', None), 'input_size',
                         None)
    if input_size is None:
        raise AttributeError(
            'model.cfg has no test_dataloader.dataset.pipeline and the '
            'head has no decoder to take the input size from')
    return Compose([
        dict(type='LoadMultiFrameImages'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=tuple(input_size)),
        dict(type='PackPoseInputs', meta_keys=MULTI_FRAME_META_KEYS),
    ])


def _data_info(model: nn.Module, imgs: List[np.ndarray], bbox: np.ndarray,
               score: float, frame_idx: int, num_frames: int,
               offsets: Sequence[int], weights: Sequence[float]) -> dict:
    """One pipeline input (architecture.md data contract)."""
    info = dict(
        img=imgs,
        bbox=bbox[None].astype(np.float32),
        bbox_score=np.array([score], np.float32),
        frame_offsets=list(offsets),
        frame_weights=np.asarray(weights, np.float32),
        frame_idx=frame_idx,
        img_id=frame_idx,
        nframes=num_frames)
    info.update(model.dataset_meta)
    return info


def _empty_sample(model: nn.Module, frame_idx: int,
                  img_shape: Tuple[int, ...]) -> PoseDataSample:
    num_kpts = model.dataset_meta['num_keypoints']
    sample = PoseDataSample(
        metainfo=dict(
            frame_idx=frame_idx,
            img_shape=img_shape[:2],
            ori_shape=img_shape[:2]))
    sample.pred_instances = InstanceData(
        keypoints=np.zeros((0, num_kpts, 2), np.float32),
        keypoint_scores=np.zeros((0, num_kpts), np.float32),
        bboxes=np.zeros((0, 4), np.float32),
        bbox_scores=np.zeros(0, np.float32))
    return sample


def iter_inference_topdown(
        model: nn.Module, frames: Iterable[np.ndarray],
        boxes_of: Callable[[int, np.ndarray], np.ndarray]
) -> Iterator[PoseDataSample]:
    """A single-frame MMPose top-down model over a video, the counterpart of
    :func:`iter_inference_posewarper` without aggregation: MMPose's
    ``inference_topdown`` on each frame's boxes, all persons of a frame in
    one sample (an empty one for a frame without boxes).

    Args:
        model (nn.Module): An MMPose top-down model.
        frames (Iterable[np.ndarray]): BGR frames, read one at a time.
        boxes_of (Callable): ``(frame_idx, frame) -> (N, 5)`` boxes, xyxy +
            score; the scores become ``pred_instances.bbox_scores``.
    """
    from mmpose.apis import inference_topdown
    for t, frame in enumerate(frames):
        boxes = boxes_of(t, frame)
        if len(boxes) == 0:
            yield _empty_sample(model, t, frame.shape)
            continue
        sample = merge_data_samples(
            inference_topdown(model, frame, boxes[:, :4]))
        sample.pred_instances.bbox_scores = boxes[:, 4].copy()
        sample.set_metainfo(dict(frame_idx=t))
        yield sample


def _merge(model: nn.Module, samples: List[PoseDataSample], frame_idx: int,
           img_shape: Tuple[int, ...]) -> PoseDataSample:
    """All persons of a frame in one sample, as MMPose's inferencer does."""
    if not samples:
        return _empty_sample(model, frame_idx, img_shape)
    merged = merge_data_samples(samples)
    merged.set_metainfo(dict(frame_idx=frame_idx))
    return merged


class ZeroDifferenceWarp:
    """The warp of a frame toward itself, with its offsets computed once.

    ``neck.warp(x, x)`` feeds ``x - x = 0`` to the offset network; in eval
    mode that network is a fixed function, so the offsets of the zero
    difference depend only on the heatmap size. They are computed here once
    per heatmap shape, device and dtype (for the lifetime of this object,
    i.e. one :func:`inference_posewarper` call, so weights changed between
    calls are never served stale), and only the deformable convolutions run
    per frame. Mirrors :meth:`PoseWarperWarpingNeck.warp` term by term.
    """

    def __init__(self, neck: nn.Module) -> None:
        self.neck = neck
        self._offsets: Dict[tuple, List[Tensor]] = {}

    def offsets(self, heatmaps: Tensor) -> List[Tensor]:
        key = (tuple(heatmaps.shape[1:]), heatmaps.device, heatmaps.dtype)
        if key not in self._offsets:
            zero = heatmaps.new_zeros((1, ) + tuple(heatmaps.shape[1:]))
            feats = self.neck.offset_feats(zero)
            self._offsets[key] = [
                layer(feats) for layer in self.neck.offset_layers
            ]
        return self._offsets[key]

    def __call__(self, heatmaps: Tensor) -> Tensor:
        n = heatmaps.size(0)
        warped = 0
        for offset, deform_conv in zip(
                self.offsets(heatmaps), self.neck.deform_conv_layers):
            warped = warped + deform_conv(
                heatmaps, offset.expand(n, -1, -1, -1).contiguous())
        return warped * (1.0 / self.neck.num_offset_layers)


def _check_model(model: nn.Module) -> None:
    neck = getattr(model, 'neck', None)
    for attr in ('heatmaps', 'warp', 'offset_feats', 'offset_layers',
                 'deform_conv_layers'):
        if not hasattr(neck, attr):
            raise TypeError(
                'inference_posewarper needs a PoseWarper model whose neck '
                f'has `{attr}` (PoseWarperWarpingNeck); got neck '
                f'{type(neck).__name__}')
    if model.training:
        # train-mode BN would make every warp depend on the batch
        raise RuntimeError('call model.eval() before inference_posewarper '
                           '(init_model does this)')
    for attr in ('cfg', 'dataset_meta'):
        if getattr(model, attr, None) is None:
            raise AttributeError(
                f'model.{attr} is not set; build the model with '
                'mmpose_posewarper.apis.init_model')


class _CachedVideoInference:
    """The cached path of :func:`inference_posewarper` (one video)."""

    def __init__(self,
                 model: nn.Module,
                 frames: _Frames,
                 boxes: _Boxes,
                 offsets: Tuple[int, ...],
                 weights: Tuple[float, ...],
                 online: bool = False):
        self.model = model
        self.online = online
        self.neck = model.neck
        self.frames = frames
        self.boxes = boxes
        self.offsets = offsets
        self.weights = weights
        self.flip = bool(model.test_cfg.get('flip_test', False))
        self.pipeline = inference_pipeline(model)
        self.zero_warp = ZeroDifferenceWarp(self.neck)
        # (frame idx, box bytes) -> heatmaps (V, K, h, w); V = 2 with flip
        # test (the crop and its mirror image), else 1
        self.cache: Dict[Tuple[int, bytes], Tensor] = {}

    def _heatmaps(self, crops: List[Tensor]) -> Tensor:
        """Backbone + ``trans_layer`` on crops ``(3, H, W)`` uint8 (and their
        mirror images with flip test) -> ``(N, V, K, h, w)``."""
        data = self.model.data_preprocessor(
            dict(inputs=[c[None] for c in crops], data_samples=None), False)
        x = data['inputs'].flatten(0, 1)  # (N, 1, 3, H, W) -> (N, 3, H, W)
        if self.flip:
            x = torch.cat([x, x.flip(-1)])
        heatmaps = self.neck.heatmaps(self.model.backbone(x))
        views = 2 if self.flip else 1
        return heatmaps.reshape(views, len(crops),
                                *heatmaps.shape[1:]).transpose(0, 1)

    def _window(self, t: int) -> Tuple[float, List[Tuple[int, float]]]:
        """Weight of the zero-difference warp and ``(frame, weight)`` of the
        other frames (clipped duplicates merged, zero weights dropped)."""
        ref_weight = 0.0
        sup: Dict[int, float] = {}
        for j, w in zip(
                _window_frames(self.frames, t, self.offsets, self.online),
                self.weights):
            if w == 0:
                continue
            if j == t:
                ref_weight += w
            else:
                sup[j] = sup.get(j, 0.0) + w
        return ref_weight, sorted(sup.items())

    def frame(self, t: int) -> PoseDataSample:
        ref_img = self.frames[t]
        boxes, scores = _boxes_of(self.boxes[t], ref_img.shape, t)
        if len(boxes) == 0:
            return _empty_sample(self.model, t, ref_img.shape)
        ref_weight, sup = self._window(t)
        window = [t] + [j for j, _ in sup]

        # 1. crops not cached yet (one pipeline call per box: one affine)
        data_samples, todo_keys, todo_crops = [], [], []
        for box, score in zip(boxes, scores):
            box_key = box.tobytes()
            missing = [
                j for j in window
                if (j, box_key) not in self.cache and (j, box_key) not in
                todo_keys
            ]
            # the reference frame always goes through the pipeline: its data
            # sample carries the crop's center/scale for decoding
            imgs = [t] + [j for j in missing if j != t]
            data = self.pipeline(
                _data_info(self.model, [self.frames[j] for j in imgs], box,
                           float(score), t, _num_frames(self.frames),
                           [0] * len(imgs), [1.0] * len(imgs)))
            data_samples.append(data['data_samples'])
            for j, crop in zip(imgs, data['inputs']):
                if j in missing:
                    todo_keys.append((j, box_key))
                    todo_crops.append(crop)

        # 2. backbone heatmaps of all new crops of this frame, one batch
        if todo_crops:
            for key, hm in zip(todo_keys, self._heatmaps(todo_crops)):
                self.cache[key] = hm

        # 3. warp and aggregate; views (crop, mirror) are batch entries
        keys = [box.tobytes() for box in boxes]
        ref = torch.cat([self.cache[(t, k)] for k in keys])  # (n*V, K, h, w)
        agg = self.zero_warp(ref) * ref_weight if ref_weight else 0
        if sup:
            sups = torch.cat(
                [self.cache[(j, k)] for j, _ in sup for k in keys])
            # the supporting frames of all boxes and views: one warp call
            warped = self.neck.warp(ref.repeat(len(sup), 1, 1, 1), sups)
            for (_, weight), part in zip(sup, warped.chunk(len(sup))):
                agg = agg + part * weight
        agg = agg.view(len(boxes), -1, *agg.shape[1:])
        feats = [(agg[:, 0], ), (agg[:, 1], )] if self.flip else (agg[:, 0], )
        return _merge(self.model, self._decode(feats, data_samples), t,
                      ref_img.shape)

    def _decode(self, feats, data_samples: List[PoseDataSample]
                ) -> List[PoseDataSample]:
        """Decode exactly as :meth:`PoseWarper.predict` does."""
        preds = self.model.head.predict(
            feats, data_samples, test_cfg=self.model.test_cfg)
        if isinstance(preds, tuple):
            instances, fields = preds
        else:
            instances, fields = preds, None
        return self.model.add_pred_to_datasample(instances, fields,
                                                 data_samples)

    def release_before(self, t: int) -> None:
        """Drop crops, frames and boxes no window from frame ``t`` on
        needs."""
        first = _first_needed(t, self.offsets)
        for key in [k for k in self.cache if k[0] < first]:
            del self.cache[key]
        self.frames.release_before(first)
        self.boxes.release_before(t)

    def held_heatmaps(self) -> int:
        """Number of crops whose heatmaps are held now."""
        return len(self.cache)


def _num_frames(frames: _Frames) -> int:
    """``nframes`` of the data samples: -1 for a stream not ended yet."""
    return -1 if frames.num_frames is None else frames.num_frames


def _window_frames(frames: _Frames, t: int, offsets: Sequence[int],
                   online: bool) -> List[int]:
    """The window of frame ``t`` (:func:`temporal_window`), reading a stream
    only as far as the window reaches."""
    if online:
        return temporal_window(t, None, offsets, online=True)
    return temporal_window(t, frames.known_length(t + max(offsets)), offsets)


def _first_needed(t: int, offsets: Sequence[int]) -> int:
    """The first frame the windows of frames ``t, t + 1, ...`` read."""
    return max(t + min(offsets), 0)


def _recompute_frame(model: nn.Module,
                     pipeline: Compose,
                     frames: _Frames,
                     t: int,
                     entry,
                     offsets: Tuple[int, ...],
                     weights: Tuple[float, ...],
                     online: bool = False) -> PoseDataSample:
    """One output frame the original way: ``model.test_step`` on the 5-frame
    crops of every box (backbone on all 5, warps of all 5)."""
    ref_img = frames[t]
    boxes, scores = _boxes_of(entry, ref_img.shape, t)
    if len(boxes) == 0:
        return _empty_sample(model, t, ref_img.shape)
    window = _window_frames(frames, t, offsets, online)
    imgs = [frames[j] for j in window]
    data_list = [
        pipeline(
            _data_info(model, imgs, box, float(score), t,
                       _num_frames(frames), [j - t for j in window], weights))
        for box, score in zip(boxes, scores)
    ]
    samples = model.test_step(pseudo_collate(data_list))
    return _merge(model, samples, t, ref_img.shape)


@torch.no_grad()
def _iter_frames(model: nn.Module, video: _Frames, boxes: _Boxes,
                 offsets: Tuple[int, ...], weights: Tuple[float, ...],
                 use_cache: bool, online: bool) -> Iterator[PoseDataSample]:
    # torch.no_grad on a generator function re-enters at every resume, so
    # the caller's code between frames keeps its own grad mode
    if use_cache:
        runner = _CachedVideoInference(model, video, boxes, offsets, weights,
                                       online)
        compute, release = runner.frame, runner.release_before
    else:
        pipeline = inference_pipeline(model)

        def compute(t: int) -> PoseDataSample:
            return _recompute_frame(model, pipeline, video, t, boxes[t],
                                    offsets, weights, online)

        def release(t: int) -> None:
            video.release_before(_first_needed(t, offsets))
            boxes.release_before(t)

    t = 0
    # a stream is read only now: online, frame t + 1 is read after frame t
    # has been yielded
    while video.exists(t):
        sample = compute(t)
        release(t + 1)
        yield sample
        t += 1
    if use_cache:
        runner.cache.clear()
    video.release_before(t)
    # a stream's length is known only now
    boxes.check_count(t)


def iter_inference_posewarper(
        model: nn.Module,
        frames: VideoInput,
        bboxes_per_frame: Union[None, Sequence[BBoxInput],
                                BBoxFunction] = None,
        bbox_format: str = 'xyxy',
        frame_offsets: Optional[Sequence[int]] = None,
        frame_weights: Optional[Sequence[float]] = None,
        use_cache: bool = True,
        online: bool = False) -> Iterator[PoseDataSample]:
    """:func:`inference_posewarper` frame by frame: yields each frame's
    result as soon as its window is computed, holding only the frames and
    crops later windows still need (long videos and streams in bounded
    memory: 5 frames offline, 3 online with the default window).

    Besides the inputs of :func:`inference_posewarper`, ``frames`` may be any
    iterable of frames (a generator of camera frames: read one at a time,
    its length unknown until it ends), and ``bboxes_per_frame`` a function
    ``f(frame_idx, frame) -> boxes`` called once per frame when the frame is
    read (e.g. a person detector), so nothing needs the whole video first.
    With ``online=True`` frame ``t`` is yielded before frame ``t + 1`` is
    read; offline, after frame ``t + max(frame_offsets)``.

    Arguments are checked when this is called, not at the first ``next``
    (a stream's length, against a list of boxes, when it ends).
    See :func:`inference_posewarper` for the arguments and results.
    """
    _check_model(model)
    scope = model.cfg.get('default_scope', 'mmpose')
    if scope is not None:
        init_default_scope(scope)
    offsets, weights = _frame_config(model, frame_offsets, frame_weights)
    video = _Frames(frames)
    boxes = _Boxes(bboxes_per_frame, video, bbox_format)
    return _iter_frames(model, video, boxes, offsets, weights, use_cache,
                        online)


def inference_posewarper(
        model: nn.Module,
        frames: VideoInput,
        bboxes_per_frame: Union[None, Sequence[BBoxInput],
                                BBoxFunction] = None,
        bbox_format: str = 'xyxy',
        frame_offsets: Optional[Sequence[int]] = None,
        frame_weights: Optional[Sequence[float]] = None,
        use_cache: bool = True,
        online: bool = False) -> List[PoseDataSample]:
    """Pose estimation on every frame of a video with temporal aggregation.

    Args:
        model (nn.Module): A PoseWarper model in eval mode with ``cfg`` and
            ``dataset_meta`` set (see :func:`init_model`). Its test pipeline
            (``cfg.test_dataloader.dataset.pipeline``, or the standard
            multi-frame top-down pipeline when the config has none) crops the
            frames and
            its ``test_cfg`` (flip test, output heatmaps) applies.
        frames (str | np.ndarray | Sequence): A video file or frame folder,
            a ``(T, H, W, 3)`` array, or a sequence of BGR images or image
            paths (anything with ``len`` and indexing, e.g.
            ``mmcv.VideoReader``), or any iterable of them (a stream, read
            one frame at a time). Any length >= 1; all frames one size.
        bboxes_per_frame (Sequence | Callable, optional): One entry per
            frame: boxes ``(N, 4)``, or ``(N, 5)`` with a score column, or
            ``None`` for one box covering the whole frame; an empty array
            means no person on that frame. Or a function
            ``f(frame_idx, frame) -> entry`` called once per frame when it
            is read (a detector). ``None`` (default): the whole frame
            everywhere.
        bbox_format (str): ``'xyxy'`` (default) or ``'xywh'``.
        frame_offsets (Sequence[int], optional): Window offsets, the
            reference (0) first. Defaults to the test dataset config's
            ``frame_offsets`` or :data:`DEFAULT_FRAME_OFFSETS`. Offsets are
            clipped at the video ends.
        frame_weights (Sequence[float], optional): Aggregation weight of each
            offset. Defaults to the test dataset config's or
            :data:`DEFAULT_FRAME_WEIGHTS`.
        use_cache (bool): Compute each crop's heatmaps once and skip the
            reference frame's offset network (default). ``False`` runs the
            model's own ``test_step`` per frame and box, as the original;
            both give the same results up to float rounding.
        online (bool): Causal aggregation: clip each window at its own frame
            instead of the video's last frame, so that only the current and
            past frames count (weights ``t: 0.65, t-1: 0.25, t-2: 0.1`` with
            the default window; the module docstring says why). Defaults to
            False (the original's offline windows).

    Returns:
        list[PoseDataSample]: One per frame, with all of its persons in
        ``pred_instances`` (``keypoints`` (N, K, 2) in image coordinates,
        ``keypoint_scores`` (N, K), ``bboxes`` (N, 4) xyxy,
        ``bbox_scores`` (N,)) and ``metainfo['frame_idx']``; with
        ``test_cfg['output_heatmaps']`` also ``pred_fields.heatmaps``
        pasted into the frame (:func:`mmpose.structures.merge_data_samples`).
    """
    return list(
        iter_inference_posewarper(model, frames, bboxes_per_frame,
                                  bbox_format, frame_offsets, frame_weights,
                                  use_cache, online))

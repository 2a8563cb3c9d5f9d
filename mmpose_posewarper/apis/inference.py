"""Temporal-aggregation video inference with a PoseWarper model, the video
counterpart of MMPose's :func:`mmpose.apis.inference_topdown`.

Every person box on frame ``t`` is cropped (one affine transform, defined
by the box) from the frames of its window (``t + frame_offsets``, clipped
at the video ends, or at ``t`` with ``online=True``); each crop's heatmaps
are warped toward frame ``t``, summed with ``frame_weights`` and decoded
into keypoints. The cached path (default, ``cached_inference.py``) and the
recompute path (``use_cache=False``, ``recompute_inference.py``, the
original's) compute the same function. What is cached, and why the online
weights are what they are: docs/inference.md.
"""
from typing import (Callable, Iterable, Iterator, List, Optional, Sequence,
                    Tuple, Union)

import numpy as np
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope
from mmpose.structures import PoseDataSample, merge_data_samples

from .aggregation_window import first_needed_frame, window_config
from .cached_inference import CachedVideoInference
from .frame_boxes import BBoxFunction, BBoxInput, FrameBoxes
from .inference_samples import empty_frame_sample, inference_pipeline
from .recompute_inference import recompute_frame
from .video_frames import VideoFrames, VideoInput

__all__ = [
    'inference_posewarper', 'iter_inference_posewarper',
    'iter_inference_topdown'
]


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
            yield empty_frame_sample(model, t, frame.shape)
            continue
        sample = merge_data_samples(
            inference_topdown(model, frame, boxes[:, :4]))
        sample.pred_instances.bbox_scores = boxes[:, 4].copy()
        sample.set_metainfo(dict(frame_idx=t))
        yield sample


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


@torch.no_grad()
def _iter_frames(model: nn.Module, video: VideoFrames, boxes: FrameBoxes,
                 offsets: Tuple[int, ...], weights: Tuple[float, ...],
                 use_cache: bool, online: bool) -> Iterator[PoseDataSample]:
    # torch.no_grad on a generator function re-enters at every resume, so
    # the caller's code between frames keeps its own grad mode
    if use_cache:
        runner = CachedVideoInference(model, video, boxes, offsets, weights,
                                      online)
        compute, release = runner.frame, runner.release_before
    else:
        pipeline = inference_pipeline(model)

        def compute(t: int) -> PoseDataSample:
            return recompute_frame(model, pipeline, video, t, boxes[t],
                                   offsets, weights, online)

        def release(t: int) -> None:
            video.release_before(first_needed_frame(t, offsets))
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
    offsets, weights = window_config(model, frame_offsets, frame_weights)
    video = VideoFrames(frames)
    boxes = FrameBoxes(bboxes_per_frame, video, bbox_format)
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
            the default window; docs/inference.md says why). Defaults to
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

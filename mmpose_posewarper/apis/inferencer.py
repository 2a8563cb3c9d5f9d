"""``PoseWarperInferencer``: MMPose 1.x's inferencer interface for videos.

Built on MMPose's :class:`BaseMMPoseInferencer` (MMEngine's
``BaseInferencer``): the same construction (config + weights, device, an
optional MMDet detector by ``det_model``/``det_weights``/``det_cat_ids``),
the same call (``inferencer(inputs, **kwargs)`` yields one result dict per
frame with ``predictions`` and ``visualization``, kwargs dispatched by
``preprocess_kwargs`` ... ``postprocess_kwargs``), the same visualiser and
``visualize``.

Replaced, and why (PoseWarper is a multi-frame model):

* ``__call__``: MMPose's runs ``preprocess -> forward`` once per input
  image. A PoseWarper frame needs the frames around it, so one video is one
  :func:`iter_inference_posewarper` stream; frame ``t`` comes out when its
  window is complete (at once with ``online=True``, after ``t + 2``
  offline), and the frames in between are held until their result is
  visualised (at most the window).
* model loading: :func:`~mmpose_posewarper.apis.init_model` (the checkpoint's
  integrity checked and every weight required; MMEngine's loader would run a
  mismatched checkpoint with random weights).
* the detector: :class:`~mmpose_posewarper.apis.detection.PersonDetector`
  (checkpoint required to fit, the package's box rule) instead of MMDet's
  ``DetInferencer``, run on each frame when it is read.
* ``pred_out_dir``: one PoseTrack18 JSON per video (``<name>.json``, track
  ids from :class:`~mmpose_posewarper.apis.tracking.IoUTracker`) instead of
  MMPose's ``[{frame_id, instances}]`` list.

Single-frame MMPose top-down models run too (``inference_topdown`` frame by
frame), so one interface serves both.
"""
import os
import os.path as osp
from collections import deque
from contextlib import ExitStack
from typing import (Any, Callable, Deque, Dict, Iterable, Iterator, List,
                    Optional, Sequence, Tuple, Union)

import cv2
import mmcv
import numpy as np
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.dataset import Compose, pseudo_collate
from mmengine.infer.infer import ModelType
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmpose.apis.inferencers.base_mmpose_inferencer import \
    BaseMMPoseInferencer
from mmpose.structures import PoseDataSample
from rich.progress import track

from ..datasets.posetrack_io import write_posetrack_video
from ..datasets.posetrack_predictions import posetrack18_video
from ..utils.output import OutputSet
from .detection import PersonDetector
from .frame_boxes import parse_frame_boxes
from .inference import iter_inference_posewarper, iter_inference_topdown
from .inference_samples import inference_pipeline
from .model import init_model
from .tracking import IoUTracker
from .video_frames import VideoFrames, VideoInput

__all__ = ['PoseWarperInferencer', 'instance_dicts']

ConfigType = Union[Config, ConfigDict]


def _is_posewarper(model: nn.Module) -> bool:
    return callable(getattr(getattr(model, 'neck', None), 'warp', None))


def instance_dicts(sample: PoseDataSample) -> List[Dict[str, Any]]:
    """A frame's persons as MMPose's inferencers give them
    (``split_instances``), with their track ids
    (``pred_instances.track_ids``): the inferencer's ``predictions`` and
    :func:`~mmpose_posewarper.datasets.posetrack_predictions.posetrack18_video`'s
    input."""
    inst = sample.pred_instances
    return [
        dict(
            keypoints=inst.keypoints[i].tolist(),
            keypoint_scores=inst.keypoint_scores[i].tolist(),
            bbox=inst.bboxes[i].tolist(),
            bbox_score=float(inst.bbox_scores[i]),
            track_id=int(inst.track_ids[i])) for i in range(len(inst))
    ]


class PoseWarperInferencer(BaseMMPoseInferencer):
    """Pose estimation on videos with PoseWarper's temporal aggregation, the
    MMPose 1.x way (see the module docstring for what differs from
    :class:`mmpose.apis.Pose2DInferencer` and why).

    Example::

        inferencer = PoseWarperInferencer(
            'configs/posewarper/...py', 'posewarper.pth',
            det_model='rtmdet_m.py', det_weights='rtmdet_m.pth')
        for result in inferencer('video.mp4', online=True,
                                 vis_out_dir='out', pred_out_dir='out'):
            people = result['predictions'][0]  # this frame's persons

    Args:
        model (str | Config): The pose model's config (file or object).
        weights (str, optional): Its checkpoint; must hold every weight of
            the model. Defaults to None (random weights, with a warning).
        device (str, optional): Device; ``None`` picks MMEngine's default
            (CUDA when available). Defaults to None.
        scope (str): Registry scope. Defaults to ``'mmpose'``.
        det_model (str, optional): MMDet config of a person detector.
            Without one, boxes come from ``bboxes=`` at call time, or are
            the whole frame.
        det_weights (str, optional): The detector's checkpoint (required
            with ``det_model``).
        det_cat_ids (int | tuple[int]): Class index (indices) of "person"
            in the detector's classes. Defaults to 0 (COCO).
        online (bool): Default aggregation mode of calls: causal windows
            (current and past frames, each frame's result before the next
            frame is read). Defaults to False (the original's offline
            windows, t-2..t+2).
        show_progress (bool): Show a progress bar per video. Defaults to
            False (as MMPose's).
    """

    preprocess_kwargs: set = {'bboxes', 'bbox_thr', 'nms_thr', 'fps'}
    forward_kwargs: set = {'online', 'track_iou_thr'}
    visualize_kwargs: set = {
        'return_vis', 'show', 'wait_time', 'draw_bbox', 'radius', 'thickness',
        'kpt_thr', 'vis_out_dir', 'black_background'
    }
    postprocess_kwargs: set = {'pred_out_dir'}

    def __init__(self,
                 model: Union[ModelType, str],
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: Optional[str] = 'mmpose',
                 det_model: Optional[str] = None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: Union[int, Tuple[int, ...]] = 0,
                 online: bool = False,
                 show_progress: bool = False) -> None:
        if (det_model is None) != (det_weights is None):
            raise ValueError('det_model and det_weights go together (a '
                             'detector needs its checkpoint)')
        import mmpose_posewarper  # noqa: F401  (registers the models)
        init_default_scope(scope)
        super().__init__(
            model=model,
            weights=weights,
            device=device,
            scope=scope,
            show_progress=show_progress)
        self.device = str(next(self.model.parameters()).device)
        self.visualizer.set_dataset_meta(self.model.dataset_meta)
        self.online = online
        self.detector: Optional[PersonDetector] = None
        if det_model is not None:
            self.detector = PersonDetector(det_model, det_weights,
                                           self.device, det_cat_ids)
            init_default_scope(scope)  # init_detector switched it to mmdet
        self._video_input = True
        self.video_info: Dict[str, Any] = {}

    # -- construction (BaseInferencer hooks) ---------------------------------
    def _init_model(self, cfg: ConfigType, weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        if weights is None:
            print_log(
                'no weights given: the pose model has random weights',
                logger='current',
                level=30)
        return init_model(Config(cfg) if not isinstance(cfg, Config) else
                          cfg, weights, device=device)

    def _init_pipeline(self, cfg: ConfigType) -> Callable:
        """The test pipeline inference uses (for inspection: a PoseWarper's
        crops are made by :func:`iter_inference_posewarper`)."""
        if _is_posewarper(self.model):
            return inference_pipeline(self.model)
        if cfg.get('test_dataloader') is None:
            # a model-only config: MMPose's standard top-down test pipeline
            cfg.test_dataloader = dict(
                dataset=dict(pipeline=[
                    dict(type='LoadImage'),
                    dict(type='GetBBoxCenterScale'),
                    dict(
                        type='TopdownAffine',
                        input_size=self.model.head.decoder.input_size),
                    dict(type='PackPoseInputs')
                ]))
        return Compose(cfg.test_dataloader.dataset.pipeline)

    def _init_collate(self, cfg: ConfigType) -> Callable:
        # windows are batched by iter_inference_posewarper, not collated
        # here (MMEngine's lookup would warn about the 'function' scope)
        return pseudo_collate

    def _init_visualizer(self, cfg: ConfigType):
        if 'visualizer' not in cfg:
            # model-only configs name none: MMPose's pose visualiser
            cfg.visualizer = dict(
                type='PoseLocalVisualizer', name='visualizer')
        return super()._init_visualizer(cfg)

    # -- one video ------------------------------------------------------------
    def preprocess(self,
                   inputs: VideoInput,
                   bboxes: Optional[Sequence[Any]] = None,
                   bbox_thr: float = 0.3,
                   nms_thr: float = 0.3,
                   fps: Optional[float] = None,
                   **kwargs) -> Tuple[VideoFrames, Callable]:
        """The video and a function ``(t, frame) -> (N, 5) boxes`` (xyxy +
        score): given boxes with a score above ``bbox_thr`` (all of a frame
        given as ``(N, 4)``), else the detector's, else the whole frame."""
        video = VideoFrames(inputs)
        if fps is not None and not fps > 0:  # nan too
            raise ValueError(f'fps must be > 0, got {fps}')
        self.video_info = dict(
            name=video.name,
            fps=fps or video.fps,
            writer=None,
            output_file=None,
            num_frames=video.num_frames,
            empty_frames=0)
        if bboxes is not None:
            if video.num_frames is not None and len(bboxes) != \
                    video.num_frames:
                raise ValueError(f'bboxes has {len(bboxes)} entries for the '
                                 f'{video.num_frames} frames of {video.name}')
            given = list(bboxes)

            def boxes_of(t: int, frame: np.ndarray) -> np.ndarray:
                if t >= len(given):
                    raise ValueError(f'bboxes has {len(given)} entries, but '
                                     f'{video.name} has a frame {t}')
                # checked as inference_posewarper checks its boxes: a
                # problem names bboxes[t], the box and the value
                parsed = parse_frame_boxes(given[t], t, 'xyxy', name='bboxes')
                if parsed is None:  # the whole frame, as with no boxes
                    h, w = frame.shape[:2]
                    return np.array([[0, 0, w, h, 1]], np.float32)
                xyxy, scores = parsed
                b = np.concatenate([xyxy, scores[:, None]], 1)
                if np.shape(given[t])[-1] != 5:
                    return b  # no scores given: every box is kept
                return b[scores > bbox_thr]
        elif self.detector is not None:
            self.detector.bbox_thr, self.detector.nms_thr = bbox_thr, nms_thr
            self.detector.dropped = 0

            def boxes_of(t: int, frame: np.ndarray) -> np.ndarray:
                return self.detector(frame)
        else:

            def boxes_of(t: int, frame: np.ndarray) -> np.ndarray:
                h, w = frame.shape[:2]
                return np.array([[0, 0, w, h, 1]], np.float32)

        def counted(t: int, frame: np.ndarray) -> np.ndarray:
            boxes = boxes_of(t, frame)
            self.video_info['empty_frames'] += len(boxes) == 0
            return boxes

        return video, counted

    def forward(self,
                inputs: Tuple[Iterable[np.ndarray], Callable],
                online: Optional[bool] = None,
                track_iou_thr: float = 0.3) -> Iterator[PoseDataSample]:
        """Per-frame ``PoseDataSample`` s of ``(frames, boxes function)``,
        in order, each with ``pred_instances.track_ids``."""
        frames, boxes_of = inputs
        online = self.online if online is None else online
        tracker = IoUTracker(track_iou_thr)
        if _is_posewarper(self.model):
            samples = iter_inference_posewarper(
                self.model, frames, boxes_of, online=online)
        else:
            samples = iter_inference_topdown(self.model, frames, boxes_of)
        for sample in samples:
            inst = sample.pred_instances
            inst.track_ids = np.array(tracker.update(inst.bboxes), np.int64)
            yield sample

    def __call__(self,
                 inputs: VideoInput,
                 return_datasamples: bool = False,
                 out_dir: Optional[str] = None,
                 overwrite: bool = False,
                 **kwargs) -> Iterator[Dict[str, Any]]:
        """Run on one video; yields one result per frame, in order.

        Args:
            inputs: A video file or frame folder, a list of frames (BGR
                ``uint8`` arrays or image paths), a ``(T, H, W, 3)`` array,
                or any iterable of frames (a stream; run ``online=True`` for
                live video).
            return_datasamples (bool): Predictions as ``PoseDataSample`` s
                instead of dicts. Defaults to False.
            out_dir (str, optional): Sets ``vis_out_dir`` and
                ``pred_out_dir`` to it when they are not given.
            overwrite (bool): Replace an existing output video or
                prediction file. The outputs are staged and move into place
                together when the last frame is done (an error or a loop
                left early leaves nothing); an output that is, holds or lies
                inside an input is refused (``utils.output.OutputSet``).
                Defaults to False.
            **kwargs: ``bboxes`` (per frame ``(N, 4)`` or ``(N, 5)`` xyxy
                boxes, or None for the whole frame, instead of the detector;
                checked by ``frame_boxes.parse_frame_boxes``, as
                :func:`inference_posewarper` checks its boxes), ``bbox_thr``
                (0.3),
                ``nms_thr`` (0.3), ``fps`` (of the output video; default the
                input's), ``online`` (default: the constructor's),
                ``track_iou_thr`` (0.3), and MMPose's visualisation
                arguments ``return_vis``, ``show``, ``wait_time``,
                ``draw_bbox``, ``radius``, ``thickness``, ``kpt_thr``,
                ``black_background``, ``vis_out_dir`` (a folder, for
                ``<name>.mp4``, or a video file path), ``pred_out_dir`` (a
                folder, for the PoseTrack18 ``<name>.json``).

        Yields:
            dict: ``predictions``: a list with this frame's instance dicts
            (``keypoints`` (K, 2), ``keypoint_scores`` (K,), ``bbox`` xyxy,
            ``bbox_score``, ``track_id``), or its ``PoseDataSample``;
            ``visualization``: ``[RGB image]`` with ``return_vis``, else
            ``[]``.
        """
        if out_dir is not None:
            kwargs.setdefault('vis_out_dir', out_dir)
            kwargs.setdefault('pred_out_dir', out_dir)
        pre_kw, fwd_kw, vis_kw, post_kw = self._dispatch_kwargs(**kwargs)
        pred_out_dir = post_kw.get('pred_out_dir') or ''
        video, boxes_of = self.preprocess(inputs, **pre_kw)
        with ExitStack() as stack:
            outputs = [stack.enter_context(output) for output in
                       self._output_sets(video, inputs, vis_kw.get(
                           'vis_out_dir') or '', pred_out_dir, overwrite)]
            yield from self._run(video, boxes_of, fwd_kw, vis_kw,
                                 return_datasamples, outputs)

    def _output_sets(self, video: VideoFrames, inputs: Any, vis_out_dir: str,
                     pred_out_dir: str, overwrite: bool) -> List[OutputSet]:
        """The output video and prediction file as staged sets (checked
        now: existing outputs, outputs among the inputs)."""
        read = [inputs] if isinstance(inputs, (str, os.PathLike)) else [
            f for f in inputs if isinstance(f, (str, os.PathLike))
        ] if isinstance(inputs, (list, tuple)) else []
        sets = []
        if vis_out_dir:
            path = vis_out_dir if osp.splitext(vis_out_dir)[1] else osp.join(
                vis_out_dir, f'{video.name}.mp4')
            vis = OutputSet(osp.dirname(osp.abspath(path)),
                            names=[osp.basename(path)], overwrite=overwrite,
                            inputs=read, option='vis_out_dir')
            sets.append(vis)
            self.video_info['vis_set'] = (vis, osp.basename(path))
        self.video_info['pred_set'] = None
        if pred_out_dir:
            pred = OutputSet(pred_out_dir, names=[f'{video.name}.json'],
                             overwrite=overwrite, inputs=read,
                             option='pred_out_dir')
            sets.append(pred)
            self.video_info['pred_set'] = pred
        return sets

    def _run(self, video: VideoFrames, boxes_of: Callable, fwd_kw: dict,
             vis_kw: dict, return_datasamples: bool,
             outputs: List[OutputSet]) -> Iterator[Dict[str, Any]]:
        pred_set = self.video_info['pred_set']
        # frames read but not yet visualised: offline, a frame's result
        # comes out after the frames of its window are read
        pending: Deque[np.ndarray] = deque()

        def frames() -> Iterator[np.ndarray]:
            for frame in video:
                pending.append(frame)
                yield frame

        samples = self.forward((frames(), boxes_of), **fwd_kw)
        if self.show_progress and video.num_frames:  # not for streams
            samples = track(
                samples,
                total=video.num_frames,
                description=f'PoseWarper on {video.name}')
        predictions: List[List[Dict[str, Any]]] = []
        try:
            for t, sample in enumerate(samples):
                frame = pending.popleft()
                sample.set_metainfo(
                    dict(img_path=f'{video.name}/{video.frame_name(t)}'))
                # MMPose's visualize returns None when there is nothing to do
                visualization = self.visualize([frame], [sample],
                                               **vis_kw) or []
                people = instance_dicts(sample)
                if pred_set is not None:
                    predictions.append(people)
                yield dict(
                    predictions=[sample if return_datasamples else people],
                    visualization=visualization)
        finally:
            if self.video_info.get('writer') is not None:
                self.video_info['writer'].release()
                self.video_info['writer'] = None
        self._report(video)
        if pred_set is not None:
            write_posetrack_video(
                pred_set.path(f'{video.name}.json'),
                posetrack18_video(video.name, predictions, video.frame_names))
        for output in outputs:
            print_log('writing ' + ', '.join(output.targets()),
                      logger='current')

    def _report(self, video: VideoFrames) -> None:
        """Warnings a user needs: frames without people, dropped boxes."""
        total, empty = video.num_frames, self.video_info['empty_frames']
        if self.detector is not None and self.detector.dropped:
            print_log(
                f'{self.detector.dropped} detections were dropped: their box '
                'has no size or lies outside the frame (the box rule, '
                'box_rule.BOX_RULE)',
                logger='current',
                level=30)
        if total and empty == total:
            print_log(
                f'no person box in any of the {total} frames of '
                f'{video.name}: the outputs show the input without poses',
                logger='current',
                level=30)
        elif empty:
            print_log(
                f'no person box in {empty} frames of {video.name}',
                logger='current',
                level=30)

    def save_visualization(self,
                           visualization: np.ndarray,
                           vis_out_dir: str,
                           img_name: Optional[str] = None) -> None:
        """Append a drawn frame to the output video (``vis_out_dir`` a video
        path, or a folder for ``<name>.mp4``)."""
        if self.video_info['writer'] is None:
            # into the staged set of __call__ (moved into place at the end)
            vis, name = self.video_info['vis_set']
            path = vis.path(name)
            h, w = visualization.shape[:2]
            writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'),
                                     self.video_info['fps'], (w, h))
            if not writer.isOpened():
                raise RuntimeError(
                    f'OpenCV cannot write the video {path} (mp4v)')
            self.video_info.update(writer=writer, output_file=path)
        self.video_info['writer'].write(mmcv.rgb2bgr(visualization))

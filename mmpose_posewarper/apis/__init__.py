"""APIs of PoseWarper (MMPose style): the model loader (``model.py``),
inference returning ``PoseDataSample`` s (``inference.py``, offline and
online), the video inferencer (``inferencer.py``: ``PoseWarperInferencer``,
MMPose 1.x's inferencer interface), person boxes from a detector
(``detection.py``), track ids (``tracking.py``), one box per track
(``track_boxes.py``), label propagation (``propagation.py``)."""
from ..datasets.posetrack_predictions import posetrack18_video
from .aggregation_window import (DEFAULT_FRAME_OFFSETS, DEFAULT_FRAME_WEIGHTS,
                                 temporal_window)
from .detection import PersonDetector
from .inference import (inference_posewarper, iter_inference_posewarper,
                        iter_inference_topdown)
from .inferencer import PoseWarperInferencer, instance_dicts
from .model import init_model, load_checked_checkpoint
from .optimize import optimize_for_inference
from .track_boxes import fixed_track_bboxes
from .tracking import IoUTracker, assign_track_ids, box_iou

__all__ = [
    'init_model', 'load_checked_checkpoint', 'inference_posewarper',
    'iter_inference_posewarper', 'iter_inference_topdown',
    'optimize_for_inference', 'instance_dicts',
    'fixed_track_bboxes', 'temporal_window', 'DEFAULT_FRAME_OFFSETS',
    'DEFAULT_FRAME_WEIGHTS', 'PoseWarperInferencer', 'posetrack18_video',
    'PersonDetector', 'IoUTracker', 'assign_track_ids', 'box_iou'
]

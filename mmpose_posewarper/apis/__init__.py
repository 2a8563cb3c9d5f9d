"""APIs of PoseWarper (MMPose style: plain functions): the model loader
(``model.py``), inference returning ``PoseDataSample`` s (``inference.py``),
label propagation (``propagation.py``)."""
from .inference import (DEFAULT_FRAME_OFFSETS, DEFAULT_FRAME_WEIGHTS,
                        fixed_track_bboxes, inference_posewarper,
                        iter_inference_posewarper, temporal_window)
from .model import init_model, load_checked_checkpoint
from .optimize import optimize_for_inference

__all__ = [
    'init_model', 'load_checked_checkpoint', 'inference_posewarper',
    'iter_inference_posewarper', 'optimize_for_inference',
    'fixed_track_bboxes', 'temporal_window', 'DEFAULT_FRAME_OFFSETS',
    'DEFAULT_FRAME_WEIGHTS'
]

"""The pipeline inputs and the per-frame ``PoseDataSample`` s of video
inference: the test pipeline that crops a window's frames, one pipeline
input per box, a frame's persons merged into one sample."""
from typing import List, Sequence, Tuple

import numpy as np
import torch.nn as nn
from mmengine.dataset import Compose
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample, merge_data_samples

__all__ = [
    'inference_pipeline', 'pipeline_input', 'empty_frame_sample',
    'merge_frame_samples'
]


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


def pipeline_input(model: nn.Module, imgs: List[np.ndarray], bbox: np.ndarray,
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


def empty_frame_sample(model: nn.Module, frame_idx: int,
                       img_shape: Tuple[int, ...]) -> PoseDataSample:
    """The sample of a frame without persons."""
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


def merge_frame_samples(model: nn.Module, samples: List[PoseDataSample],
                        frame_idx: int,
                        img_shape: Tuple[int, ...]) -> PoseDataSample:
    """All persons of a frame in one sample, as MMPose's inferencer does."""
    if not samples:
        return empty_frame_sample(model, frame_idx, img_shape)
    merged = merge_data_samples(samples)
    merged.set_metainfo(dict(frame_idx=frame_idx))
    return merged

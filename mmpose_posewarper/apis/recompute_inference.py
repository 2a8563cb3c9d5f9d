"""The recompute path of :func:`~.inference.inference_posewarper`
(``use_cache=False``), the original's way: the model's own ``test_step``
on the window's crops of every box of a frame."""
from typing import Tuple

import torch.nn as nn
from mmengine.dataset import Compose, pseudo_collate
from mmpose.structures import PoseDataSample

from .aggregation_window import window_frames
from .frame_boxes import boxes_on_frame
from .inference_samples import (empty_frame_sample, merge_frame_samples,
                                pipeline_input)
from .video_frames import VideoFrames

__all__ = ['recompute_frame']


def recompute_frame(model: nn.Module,
                    pipeline: Compose,
                    frames: VideoFrames,
                    t: int,
                    entry,
                    offsets: Tuple[int, ...],
                    weights: Tuple[float, ...],
                    online: bool = False) -> PoseDataSample:
    """One output frame the original way: ``model.test_step`` on the 5-frame
    crops of every box (backbone on all 5, warps of all 5)."""
    ref_img = frames[t]
    boxes, scores = boxes_on_frame(entry, ref_img.shape, t)
    if len(boxes) == 0:
        return empty_frame_sample(model, t, ref_img.shape)
    window = window_frames(frames, t, offsets, online)
    imgs = [frames[j] for j in window]
    data_list = [
        pipeline(
            pipeline_input(model, imgs, box, float(score), t, frames.nframes,
                           [j - t for j in window], weights))
        for box, score in zip(boxes, scores)
    ]
    samples = model.test_step(pseudo_collate(data_list))
    return merge_frame_samples(model, samples, t, ref_img.shape)

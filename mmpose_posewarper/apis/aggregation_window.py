"""The temporal window of a frame: which frames are aggregated into its
pose, with which weights (the original's by default, clipped at the video
ends, or at the frame itself online)."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch.nn as nn

from .video_frames import VideoFrames

__all__ = [
    'DEFAULT_FRAME_OFFSETS', 'DEFAULT_FRAME_WEIGHTS', 'temporal_window',
    'window_config', 'window_frames', 'first_needed_frame'
]

#: The original's test window: the reference frame first, then t-2, t-1,
#: t+1, t+2 (original: lib/dataset/JointsDataset_PoseAgg.py L163-186).
DEFAULT_FRAME_OFFSETS = (0, -2, -1, 1, 2)
#: The original's aggregation weights in the order of DEFAULT_FRAME_OFFSETS
#: (original: lib/models/pose_hrnet_PoseAgg.py, ``0.3 * warped_cur_x + ...``).
DEFAULT_FRAME_WEIGHTS = (0.3, 0.1, 0.25, 0.25, 0.1)


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


def window_config(model: nn.Module, frame_offsets: Optional[Sequence[int]],
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


def window_frames(frames: VideoFrames, t: int, offsets: Sequence[int],
                  online: bool) -> List[int]:
    """The window of frame ``t`` (:func:`temporal_window`), reading a stream
    only as far as the window reaches."""
    if online:
        return temporal_window(t, None, offsets, online=True)
    return temporal_window(t, frames.known_length(t + max(offsets)), offsets)


def first_needed_frame(t: int, offsets: Sequence[int]) -> int:
    """The first frame the windows of frames ``t, t + 1, ...`` read."""
    return max(t + min(offsets), 0)

"""Sparse-label selection: which labeled frames of a video keep their labels.

PoseWarper's central experiment trains on videos where only a few frames per
video are labeled (the original code shipped pre-made files such as
``posetrack_train_N5_per_video.json``). Here the selection is made on the fly
from dense annotations so that any density can be studied with one
annotation set. Frames that lose their labels are *not* removed from the
video: they remain available as supporting (unlabeled) frames, exactly as the
unlabeled frames of PoseTrack are.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np

SPARSE_MODES = ('every_k', 'per_video')


def check_sparse_cfg(sparse_cfg: Optional[dict]) -> Optional[dict]:
    """Validate a sparse-label config and fill in defaults.

    Args:
        sparse_cfg (dict, optional): ``None`` (keep every label) or one of

            - ``dict(mode='every_k', k=int, phase=int)``: keep the labeled
              frames whose frame index ``t`` satisfies ``t % k == phase``
              (``phase`` defaults to 0). The index is the frame's position in
              the video (as in its file name), so the pattern is fixed with
              respect to the video timeline, not to the first labeled frame.
            - ``dict(mode='per_video', num_frames=int)``: keep ``num_frames``
              labeled frames per video, evenly spaced over the video's
              labeled frames (first and last included when
              ``num_frames >= 2``); all of them when the video has fewer.

    Returns:
        dict | None: The validated config with defaults filled in.

    Raises:
        ValueError: On an unknown mode, a missing or out-of-range field.
    """
    if sparse_cfg is None:
        return None
    if not isinstance(sparse_cfg, dict):
        raise TypeError(f'sparse_cfg must be a dict or None, got {type(sparse_cfg)}')
    cfg = dict(sparse_cfg)
    mode = cfg.get('mode')
    if mode not in SPARSE_MODES:
        raise ValueError(f'sparse_cfg.mode must be one of {SPARSE_MODES}, got {mode!r}')
    if mode == 'every_k':
        unknown = set(cfg) - {'mode', 'k', 'phase'}
        k = cfg.get('k')
        if not isinstance(k, int) or k < 1:
            raise ValueError(f'sparse_cfg.k must be an int >= 1 for mode "every_k", got {k!r}')
        phase = cfg.setdefault('phase', 0)
        if not isinstance(phase, int) or not 0 <= phase < k:
            raise ValueError(f'sparse_cfg.phase must be an int in [0, k={k}), got {phase!r}')
    else:
        unknown = set(cfg) - {'mode', 'num_frames'}
        n = cfg.get('num_frames')
        if not isinstance(n, int) or n < 1:
            raise ValueError(
                f'sparse_cfg.num_frames must be an int >= 1 for mode "per_video", got {n!r}')
    if unknown:
        # A misspelt key would otherwise silently fall back to a default.
        raise ValueError(f'sparse_cfg has unknown keys {sorted(unknown)} for mode {mode!r}')
    return cfg


def select_labeled_frames(labeled_frames: Sequence[int], sparse_cfg: Optional[dict]) -> List[int]:
    """Choose which labeled frames of ONE video keep their labels.

    Args:
        labeled_frames (Sequence[int]): Frame indices of the video that carry
            labels in the dense annotation (any order, duplicates ignored).
        sparse_cfg (dict, optional): See :func:`check_sparse_cfg`. ``None``
            keeps all of them.

    Returns:
        list[int]: The kept frame indices, sorted ascending.
    """
    frames = sorted(set(int(t) for t in labeled_frames))
    cfg = check_sparse_cfg(sparse_cfg)
    if cfg is None or not frames:
        return frames
    if cfg['mode'] == 'every_k':
        return [t for t in frames if t % cfg['k'] == cfg['phase']]
    n = cfg['num_frames']
    if n >= len(frames):
        return frames
    # Evenly spaced positions in the sorted list of labeled frames; rounding
    # of linspace positions can never repeat a position when n <= len(frames).
    pos = np.round(np.linspace(0, len(frames) - 1, n)).astype(int)
    return [frames[p] for p in pos]


def select_labeled_frames_per_video(labeled: Dict[str, Sequence[int]],
                                    sparse_cfg: Optional[dict]) -> Dict[str, List[int]]:
    """Apply :func:`select_labeled_frames` to every video.

    Args:
        labeled (dict[str, Sequence[int]]): Video id -> labeled frame indices.
        sparse_cfg (dict, optional): See :func:`check_sparse_cfg`.

    Returns:
        dict[str, list[int]]: Video id -> kept frame indices.
    """
    return {vid: select_labeled_frames(frames, sparse_cfg) for vid, frames in labeled.items()}

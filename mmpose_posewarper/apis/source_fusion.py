"""Fusing labels propagated from two sources.

The paper propagates from the nearest labeled frame only. A frame ``t``
between labeled frames ``s1 < t < s2`` has a second source on the other
side; a method propagates the labels of both to ``t`` and the results are
fused with weights that fall with the distance to each source
(:func:`source_weights`). People are those of the nearest labeled frame (the
one-sided methods' set); the same person in the other labeled frame is found
by its track id (:func:`.propagation_plan.match_by_track`). A person or joint
that only one source has falls back to that source alone.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np


@dataclass(frozen=True)
class TwoSidedFusion:
    """How two-sided propagation fuses its two sources.

    The defaults are two-sided PoseWarper's best setting on the main job's
    train videos (``tools/run_sparse_benchmark.py --fusion-sweep``,
    docs/sparse_benchmark.md).

    Attributes:
        second_reach: Maximum distance (frames) to the second source;
            ``None``: any distance.
        power: Source weights ``∝ distance ** -power``
            (:func:`source_weights`; 1 = linear interpolation's weights).
        level: PoseWarper fuses ``'heatmap'`` s (the warped heatmaps,
            weighted, then decoded) or ``'keypoint'`` s (each decoded, then
            :func:`fuse_keypoints`).
    """

    second_reach: Optional[int] = None
    power: float = 1.0
    level: str = 'keypoint'

    def __post_init__(self) -> None:
        if self.second_reach is not None and self.second_reach < 1:
            raise ValueError('second_reach must be >= 1 or None, got '
                             f'{self.second_reach}')
        if self.power < 0:
            raise ValueError(f'power must be >= 0, got {self.power}')
        if self.level not in ('heatmap', 'keypoint'):
            raise ValueError("level must be 'heatmap' or 'keypoint', got "
                             f'{self.level!r}')


def source_weights(d_near: np.ndarray, d_far: np.ndarray,
                   power: float = 1.0) -> np.ndarray:
    """Weights of the two sources, ``w ∝ distance ** -power``, summing to 1.

    ``power=1`` gives linear interpolation's weights
    (``w_near = d_far / (d_near + d_far)``), ``0`` equal weights.

    Args:
        d_near, d_far (np.ndarray): Distances (frames, ``>= 1``) of each
            target to its two sources, any broadcastable shapes.

    Returns:
        np.ndarray: ``(..., 2)``: the near and the far source's weight.
    """
    d = np.stack(np.broadcast_arrays(np.asarray(d_near, np.float64),
                                     np.asarray(d_far, np.float64)), axis=-1)
    if np.any(d <= 0):
        raise ValueError('source distances must be >= 1 frame')
    w = d**-float(power)
    return w / w.sum(axis=-1, keepdims=True)


def joint_weights(weights: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Per-joint source weights: ``weights`` (sources first, broadcastable
    to ``available``) kept where a source places the joint (``available``,
    bool, sources first) and renormalised to sum to 1 over the sources (0
    where no source has the joint)."""
    w = np.asarray(weights, np.float64) * np.asarray(available, bool)
    total = w.sum(axis=0, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


def fuse_keypoints(keypoints: np.ndarray, scores: np.ndarray,
                   available: np.ndarray, weights: np.ndarray,
                   by_score: bool = True
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fuse the poses propagated from several sources, joint by joint.

    Args:
        keypoints (np.ndarray): ``(S, N, K, 2)`` one pose per source.
        scores (np.ndarray): ``(S, N, K)`` their joint scores.
        available (np.ndarray): ``(S, N, K)`` bool, the joints each source
            placed.
        weights (np.ndarray): ``(S,)`` or ``(S, N)`` source weights
            (:func:`source_weights`).
        by_score (bool): Multiply each source's weight by its joint score
            (a confident source counts more).

    Returns:
        tuple: ``keypoints`` ``(N, K, 2)`` (the weighted mean), ``scores``
        ``(N, K)`` (the weighted mean of the sources' scores, with the
        distance weights) and ``visible`` ``(N, K)`` (placed by a source).
    """
    keypoints = np.asarray(keypoints, np.float64)
    scores = np.asarray(scores, np.float64)
    available = np.asarray(available, bool)
    w = np.asarray(weights, np.float64)
    w = w.reshape(w.shape + (1, ) * (scores.ndim - w.ndim))
    w = np.broadcast_to(w, scores.shape)
    # distance weights over the sources that have the joint
    dist_w = joint_weights(w, available)
    point_w = joint_weights(dist_w * np.maximum(scores, 1e-6), available) \
        if by_score else dist_w
    fused = (point_w[..., None] * keypoints).sum(axis=0)
    fused_scores = (dist_w * scores).sum(axis=0)
    visible = available.any(axis=0)
    return (np.where(visible[..., None], fused, 0).astype(np.float32),
            np.where(visible, fused_scores, 0).astype(np.float32), visible)

"""Decoding many heatmaps at once.

MMPose's ``MSRAHeatmap.decode`` takes one instance's ``(K, H, W)`` heatmaps
and refines each joint in a Python loop (with DARK, one ``2 x 2`` Hessian
inverse per joint). :func:`decode_heatmaps` gives the same keypoints for a
whole stack ``(M, K, H, W)`` with array operations; other codecs are
decoded one instance at a time with their own ``decode``.
"""
from typing import Any, Tuple

import numpy as np


def decode_heatmaps(codec: Any, heatmaps: np.ndarray
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """Decode ``(M, K, H, W)`` heatmaps with ``codec``.

    Args:
        codec: An MMPose heatmap codec (``MSRAHeatmap`` is vectorised).
        heatmaps (np.ndarray): ``(M, K, H, W)``.

    Returns:
        tuple: keypoints ``(M, K, 2)`` in the codec's input space and scores
        ``(M, K)``, as ``codec.decode`` gives them one instance at a time.
    """
    from mmpose.codecs import MSRAHeatmap

    heatmaps = np.asarray(heatmaps)
    if heatmaps.ndim != 4:
        raise ValueError(f'heatmaps must be (M, K, H, W), got '
                         f'{heatmaps.shape}')
    if type(codec) is not MSRAHeatmap or len(heatmaps) == 0:
        out = [codec.decode(hm) for hm in heatmaps]
        num_kpts = heatmaps.shape[1]
        kpts = np.stack([k.reshape(num_kpts, -1)[:, :2] for k, _ in out]) \
            if out else np.zeros((0, num_kpts, 2), np.float32)
        scores = np.stack([s.reshape(num_kpts) for _, s in out]) \
            if out else np.zeros((0, num_kpts), np.float32)
        return kpts, scores
    from mmpose.codecs.utils import get_heatmap_maximum

    num, num_kpts, h, w = heatmaps.shape
    flat = heatmaps.reshape(num * num_kpts, h, w).copy()
    kpts, scores = get_heatmap_maximum(flat)
    if codec.unbiased:
        kpts = _refine_dark(kpts, flat, codec.blur_kernel_size)
    else:
        kpts = _refine_quarter(kpts, flat)
    kpts = kpts * codec.scale_factor
    return kpts.reshape(num, num_kpts, 2), scores.reshape(num, num_kpts)


def _refine_quarter(kpts: np.ndarray, heatmaps: np.ndarray) -> np.ndarray:
    """MMPose's ``refine_keypoints`` over ``(J, 2)`` maxima of ``(J, H, W)``
    heatmaps: a quarter pixel toward the higher neighbour."""
    j_count, h, w = heatmaps.shape
    x, y = kpts[:, 0].astype(int), kpts[:, 1].astype(int)
    j = np.arange(j_count)
    in_x = (1 < x) & (x < w - 1) & (0 < y) & (y < h)
    in_y = (1 < y) & (y < h - 1) & (0 < x) & (x < w)
    xc, yc = np.clip(x, 1, w - 2), np.clip(y, 1, h - 2)
    dx = np.where(in_x, heatmaps[j, np.clip(y, 0, h - 1), xc + 1] -
                  heatmaps[j, np.clip(y, 0, h - 1), xc - 1], 0.)
    dy = np.where(in_y, heatmaps[j, yc + 1, np.clip(x, 0, w - 1)] -
                  heatmaps[j, yc - 1, np.clip(x, 0, w - 1)], 0.)
    out = kpts.copy()
    out += np.sign(np.stack([dx, dy], axis=1)).astype(np.float32) * 0.25
    return out


def _refine_dark(kpts: np.ndarray, heatmaps: np.ndarray,
                 blur_kernel_size: int) -> np.ndarray:
    """MMPose's ``refine_keypoints_dark`` over ``(J, 2)`` maxima of
    ``(J, H, W)`` heatmaps: one Newton step on the blurred log-heatmap."""
    from mmpose.codecs.utils import gaussian_blur

    j_count, h, w = heatmaps.shape
    hm = gaussian_blur(heatmaps, blur_kernel_size)
    np.maximum(hm, 1e-10, hm)
    np.log(hm, hm)
    x, y = kpts[:, 0].astype(int), kpts[:, 1].astype(int)
    inside = (1 < x) & (x < w - 2) & (1 < y) & (y < h - 2)
    j, x, y = np.arange(j_count)[inside], x[inside], y[inside]
    dx = 0.5 * (hm[j, y, x + 1] - hm[j, y, x - 1])
    dy = 0.5 * (hm[j, y + 1, x] - hm[j, y - 1, x])
    dxx = 0.25 * (hm[j, y, x + 2] - 2 * hm[j, y, x] + hm[j, y, x - 2])
    dxy = 0.25 * (hm[j, y + 1, x + 1] - hm[j, y - 1, x + 1] -
                  hm[j, y + 1, x - 1] + hm[j, y - 1, x - 1])
    dyy = 0.25 * (hm[j, y + 2, x] - 2 * hm[j, y, x] + hm[j, y - 2, x])
    ok = dxx * dyy - dxy**2 != 0
    hessian = np.stack([np.stack([dxx, dxy], -1),
                        np.stack([dxy, dyy], -1)], -2)[ok]
    derivative = np.stack([dx, dy], -1)[ok][..., None]
    offset = -np.linalg.inv(hessian) @ derivative
    out = kpts.copy()
    out[j[ok]] += offset[..., 0]
    return out

"""Deformable convolution through ``torch.nn.functional.grid_sample``.

The same function as ``PoseWarperDCNv1`` / ``PoseWarperDCNv2`` (mmcv's and
torchvision's ``deform_conv2d``), computed with PyTorch's own ops: bilinear
sampling of every kernel point (one ``grid_sample`` call) and one matrix
product with the weight. On CPU its backward pass is more than ten times
faster than the compiled deformable-conv kernels at PoseWarper's shapes
(17 heatmaps, one offset group per joint), which is what makes training
the warping module on CPU practical (the sparse-label benchmark). Results
agree with mmcv's op to float rounding (tests/test_models/test_ops/
test_grid_sample_deform_conv.py).
"""
from typing import Optional

import torch
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from .deform_conv import ModulationByArgument


def grid_sample_deform_conv2d(x: Tensor,
                              offset: Tensor,
                              weight: Tensor,
                              stride=(1, 1),
                              padding=(0, 0),
                              dilation=(1, 1),
                              mask: Optional[Tensor] = None) -> Tensor:
    """Deformable convolution (DCNv1, or DCNv2 with ``mask``), no bias.

    Args:
        x (Tensor): Input ``(N, C, H, W)``.
        offset (Tensor): ``(N, 2·G·kh·kw, Ho, Wo)`` in mmcv's/torchvision's
            layout: for deform group ``g`` and kernel point ``k`` (row-major
            over the kernel), channel ``2·(g·kh·kw + k)`` is the y offset and
            the next one the x offset. ``G`` divides ``C``.
        weight (Tensor): ``(C_out, C, kh, kw)`` (one conv group).
        stride, padding, dilation (tuple[int, int]): As for a convolution.
        mask (Tensor, optional): ``(N, G·kh·kw, Ho, Wo)`` modulation.

    Returns:
        Tensor: ``(N, C_out, Ho, Wo)``.
    """
    n, c, h, w = x.shape
    c_out, c_w, kh, kw = weight.shape
    if c_w != c:
        raise ValueError(f'weight expects {c_w} input channels, x has {c}')
    k = kh * kw
    ho, wo = offset.shape[-2:]
    groups = offset.size(1) // (2 * k)
    if groups * 2 * k != offset.size(1) or c % groups:
        raise ValueError(f'offset has {offset.size(1)} channels: not 2·G·{k} '
                         f'with G dividing the {c} input channels')
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    # sampling positions p0 + pk + offset, in input pixels, written straight
    # into grid_sample's normalised grid: base + offset · scale, one pass
    # per coordinate (align_corners=True: -1 and 1 are the centres of the
    # border pixels; zero padding outside, as the DCN kernels' bilinear
    # interpolation)
    scale_y, scale_x = 2.0 / max(h - 1, 1), 2.0 / max(w - 1, 1)
    kw_idx = torch.arange(kw, dtype=x.dtype, device=x.device)
    kh_idx = torch.arange(kh, dtype=x.dtype, device=x.device)
    ky = (kh_idx * dh).repeat_interleave(kw).view(k, 1, 1)
    kx = (kw_idx * dw).repeat(kh).view(k, 1, 1)
    ys = (torch.arange(ho, dtype=x.dtype, device=x.device) * sh - ph).view(
        1, ho, 1)
    xs = (torch.arange(wo, dtype=x.dtype, device=x.device) * sw - pw).view(
        1, 1, wo)
    base_y = (ys + ky) * scale_y - 1.0  # (K, Ho, 1)
    base_x = (xs + kx) * scale_x - 1.0  # (K, 1, Wo)
    off = offset.view(n, groups, k, 2, ho, wo)
    grid = torch.stack((torch.add(base_x, off[:, :, :, 1], alpha=scale_x),
                        torch.add(base_y, off[:, :, :, 0], alpha=scale_y)),
                       dim=-1)
    sampled = F.grid_sample(
        x.reshape(n * groups, c // groups, h, w),
        grid.view(n * groups, k * ho, wo, 2),
        mode='bilinear',
        padding_mode='zeros',
        align_corners=True)  # (N·G, C/G, K·Ho, Wo)
    sampled = sampled.view(n, groups, c // groups, k, ho, wo)
    if mask is not None:
        sampled = sampled * mask.view(n, groups, 1, k, ho, wo)
    cols = sampled.reshape(n, c * k, ho * wo)
    out = torch.matmul(weight.reshape(c_out, c * k), cols)
    return out.view(n, c_out, ho, wo)


@MODELS.register_module(name='PoseWarperGridSampleDeformConv')
class GridSampleDeformConvWarp(ModulationByArgument):
    """The warping layer through :func:`grid_sample_deform_conv2d`.

    Same parameter (``weight``), identity init and offset layout as
    ``PoseWarperDCNv1`` (``modulated=False``) and ``PoseWarperDCNv2``
    (``modulated=True``), so checkpoints move between them unchanged.

    See :class:`ModulationByArgument` for the arguments (``im2col_step`` is
    accepted and unused).
    """

    def _sample(self, x: Tensor, offset: Tensor,
                mask: Optional[Tensor]) -> Tensor:
        return grid_sample_deform_conv2d(x, offset, self.weight, self.stride,
                                         self.padding, self.dilation, mask)

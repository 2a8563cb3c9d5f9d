"""The grid_sample deformable conv (the benchmark's CPU-fast warping layer)
computes what mmcv's DCNv1/DCNv2 compute, values and gradients."""
import pytest
import torch

from mmpose_posewarper.models.ops import (GridSampleDeformConvWarp,
                                          grid_sample_deform_conv2d)
from mmpose_posewarper.models.ops.deform_conv import HAS_MMCV_OPS

pytestmark = pytest.mark.skipif(not HAS_MMCV_OPS,
                                reason='needs mmcv compiled ops')


@pytest.mark.parametrize('dilation', [1, 3])
@pytest.mark.parametrize('modulated', [False, True])
def test_agrees_with_mmcv_values_and_gradients(dilation, modulated):
    from mmcv.ops import deform_conv2d, modulated_deform_conv2d
    g = torch.Generator().manual_seed(dilation + 10 * modulated)
    n, c, h, w = 2, 17, 9, 7
    x = torch.randn(n, c, h, w, dtype=torch.float64, generator=g,
                    requires_grad=True)
    weight = torch.randn(c, c, 3, 3, dtype=torch.float64, generator=g,
                         requires_grad=True)
    # offsets large enough to leave the map (zero padding is exercised)
    offset = (4 * torch.randn(n, 2 * 9 * c, h, w, dtype=torch.float64,
                              generator=g)).requires_grad_()
    mask = torch.rand(n, 9 * c, h, w, dtype=torch.float64,
                      generator=g).requires_grad_()
    pad = (dilation, dilation)
    inputs = [x, offset, weight] + ([mask] if modulated else [])
    if modulated:
        ref = modulated_deform_conv2d(x, offset, mask, weight, None, 1,
                                      dilation, dilation, 1, c)
    else:
        ref = deform_conv2d(x, offset, weight, 1, dilation, dilation, 1, c,
                            False, 1)
    out = grid_sample_deform_conv2d(x, offset, weight, (1, 1), pad,
                                    (dilation, dilation),
                                    mask if modulated else None)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-10)
    grad = torch.randn(ref.shape, dtype=torch.float64, generator=g)
    for a, b in zip(torch.autograd.grad(out, inputs, grad),
                    torch.autograd.grad(ref, inputs, grad)):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9)


def test_layer_is_the_identity_at_init_and_fits_the_neck():
    from mmpose.registry import MODELS

    from mmpose_posewarper.models.necks import PoseWarperWarpingNeck
    layer = GridSampleDeformConvWarp(17, 17, 3, padding=2, dilation=2,
                                     deform_groups=17)
    layer.init_identity()
    x = torch.rand(3, 17, 8, 6)
    zero = torch.zeros(3, layer.offset_channels, 8, 6)
    torch.testing.assert_close(layer(x, zero), x)
    neck = PoseWarperWarpingNeck(
        in_channels=8, inner_channels=16,
        res_blocks_cfg=dict(block='BASIC', num_blocks=1),
        dilations=(1, 2),
        deform_conv=dict(type='PoseWarperGridSampleDeformConv'))
    neck.init_weights()
    hm = torch.rand(2, 17, 8, 6)
    torch.testing.assert_close(neck.warp(hm, hm), hm)
    assert MODELS.get('PoseWarperGridSampleDeformConv') is \
        GridSampleDeformConvWarp

"""mmcv's compiled deformable convs against torchvision's implementation.

The warping module rests on these ops, on CPU as well as on CUDA; a broken
build (e.g. the C++20 source build going wrong) must show up here.
"""
import pytest
import torch
from mmcv.ops import DeformConv2d, ModulatedDeformConv2d
from torchvision.ops import deform_conv2d as tv_deform_conv2d

CHANNELS = 17  # one heatmap per PoseTrack joint, one deform group each
DILATIONS = (3, 6, 12, 18, 24)
TOLERANCE = 1e-5


def _inputs(dilation: int, modulated: bool, dtype: torch.dtype):
    generator = torch.Generator().manual_seed(dilation)
    batch, height, width, kernel = 2, 24, 18, 3
    x = torch.rand(batch, CHANNELS, height, width, generator=generator)
    # offsets of several pixels, so samples land between pixels and off-image
    offset = 4 * torch.randn(
        batch, 2 * kernel * kernel * CHANNELS, height, width,
        generator=generator)
    # Sampling positions are integer + offset. At integers the bilinear
    # derivative w.r.t. the offset jumps, and two exact implementations may
    # legitimately take either side; keep offsets clear of integers.
    near_integer = (offset - offset.round()).abs() < 1e-3
    offset = torch.where(near_integer, offset + 0.01, offset)
    mask = torch.rand(
        batch, kernel * kernel * CHANNELS, height, width,
        generator=generator) if modulated else None
    return (x.to(dtype), offset.to(dtype),
            None if mask is None else mask.to(dtype))


def _grads(output: torch.Tensor, *tensors: torch.Tensor):
    upstream = torch.linspace(
        -1, 1, output.numel(), dtype=output.dtype).reshape(output.shape)
    return torch.autograd.grad((output * upstream).sum(), tensors)


# float64 isolates the implementations from float32 summation order: the
# weight gradient sums ~10^3 products, where float32 rounding alone reaches
# ~4e-5 on values ~3. Forward outputs agree within 1e-5 in float32 as well.
DTYPES = (torch.float32, torch.float64)


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('dilation', DILATIONS)
def test_deform_conv_v1_matches_torchvision(dilation, dtype):
    layer = DeformConv2d(
        CHANNELS, CHANNELS, kernel_size=3, padding=dilation,
        dilation=dilation, deform_groups=CHANNELS, bias=False).to(dtype)
    torch.nn.init.normal_(layer.weight, std=0.3)
    x, offset, _ = _inputs(dilation, modulated=False, dtype=dtype)
    x.requires_grad_(True)
    offset.requires_grad_(True)

    ours = layer(x, offset)
    reference = tv_deform_conv2d(
        x, offset, layer.weight, padding=dilation, dilation=dilation)
    assert ours.shape == (2, CHANNELS, 24, 18)
    assert ours.abs().max() > 0.1  # the comparison is not between zeros
    torch.testing.assert_close(ours, reference, atol=TOLERANCE, rtol=0)

    if dtype == torch.float32:
        return
    for g_ours, g_ref in zip(
            _grads(ours, x, offset, layer.weight),
            _grads(reference, x, offset, layer.weight)):
        assert g_ours.abs().max() > 0
        torch.testing.assert_close(g_ours, g_ref, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('dilation', DILATIONS)
def test_modulated_deform_conv_matches_torchvision(dilation, dtype):
    layer = ModulatedDeformConv2d(
        CHANNELS, CHANNELS, kernel_size=3, padding=dilation,
        dilation=dilation, deform_groups=CHANNELS, bias=False).to(dtype)
    torch.nn.init.normal_(layer.weight, std=0.3)
    x, offset, mask = _inputs(dilation, modulated=True, dtype=dtype)
    for tensor in (x, offset, mask):
        tensor.requires_grad_(True)

    ours = layer(x, offset, mask)
    reference = tv_deform_conv2d(
        x, offset, layer.weight, padding=dilation, dilation=dilation,
        mask=mask)
    assert ours.abs().max() > 0.1
    torch.testing.assert_close(ours, reference, atol=TOLERANCE, rtol=0)

    if dtype == torch.float32:
        return
    for g_ours, g_ref in zip(
            _grads(ours, x, offset, mask, layer.weight),
            _grads(reference, x, offset, mask, layer.weight)):
        assert g_ours.abs().max() > 0
        torch.testing.assert_close(g_ours, g_ref, atol=TOLERANCE, rtol=0)


def test_compiled_ops_are_loaded():
    """mmcv-lite (no compiled ops) must not pass for a full mmcv."""
    from mmcv.utils import ext_loader
    ext = ext_loader.load_ext(
        '_ext', ['deform_conv_forward', 'modulated_deform_conv_forward'])
    assert hasattr(ext, 'deform_conv_forward')

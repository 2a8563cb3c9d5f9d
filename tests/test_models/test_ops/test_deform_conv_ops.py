"""The deformable conv layers of mmpose_posewarper.models.ops."""
import pytest
import torch
from mmpose.registry import MODELS

import mmpose_posewarper.models  # noqa: F401
from mmpose_posewarper.models.ops import (DeformConvWarp,
                                          ModulatedDeformConvWarp,
                                          TorchvisionDeformConvWarp,
                                          mmcv_ops_available)

K = 17  # heatmaps, one deform group each


def _layer(cls, dilation=3, **kwargs):
    return cls(
        K, K, 3, padding=dilation, dilation=dilation, deform_groups=K,
        **kwargs)


def _random(layer, batch=2, h=16, w=12, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, K, h, w, generator=g)
    offset = scale * torch.randn(
        batch, layer.offset_channels, h, w, generator=g)
    return x, offset


@pytest.mark.parametrize('type_name,cls,modulated', [
    ('PoseWarperDCNv1', DeformConvWarp, False),
    ('PoseWarperDCNv2', ModulatedDeformConvWarp, True),
    ('PoseWarperTVDeformConv', TorchvisionDeformConvWarp, False),
])
def test_registered_with_one_weight(type_name, cls, modulated):
    layer = MODELS.build(
        dict(type=type_name, in_channels=K, out_channels=K, kernel_size=3,
             padding=6, dilation=6, deform_groups=K))
    assert type(layer) is cls
    assert layer.modulated is modulated
    assert [n for n, _ in layer.named_parameters()] == ['weight']
    assert layer.weight.shape == (K, K, 3, 3)
    assert layer.offset_channels == (3 if modulated else 2) * 9 * K


@pytest.mark.parametrize('cls,kwargs', [
    (DeformConvWarp, {}),
    (ModulatedDeformConvWarp, {}),
    (TorchvisionDeformConvWarp, {}),
    (TorchvisionDeformConvWarp, dict(modulated=True)),
])
def test_identity_init_with_zero_offsets(cls, kwargs):
    layer = _layer(cls, dilation=12, **kwargs)
    layer.init_identity()
    x, offset = _random(layer)
    out = layer(x, torch.zeros_like(offset))
    torch.testing.assert_close(out, x, atol=1e-6, rtol=0)
    # and the layer is not trivially the identity for other offsets
    assert (layer(x, offset) - x).abs().max() > 0.1


@pytest.mark.parametrize('modulated', [False, True])
@pytest.mark.parametrize('dilation', [3, 24])
def test_mmcv_and_torchvision_layers_agree(modulated, dilation):
    mmcv_cls = ModulatedDeformConvWarp if modulated else DeformConvWarp
    ours = _layer(mmcv_cls, dilation=dilation)
    tv = _layer(TorchvisionDeformConvWarp, dilation=dilation,
                modulated=modulated)
    tv.load_state_dict(ours.state_dict())
    x, offset = _random(ours, seed=dilation)
    x.requires_grad_(True)
    out = ours(x, offset)
    ref = tv(x, offset)
    assert out.abs().max() > 0.05
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)
    g_ours, = torch.autograd.grad(out.square().sum(), x)
    g_tv, = torch.autograd.grad(ref.square().sum(), x)
    torch.testing.assert_close(g_ours, g_tv, atol=1e-5, rtol=0)


def test_modulated_mask_is_two_sigmoid():
    layer = _layer(TorchvisionDeformConvWarp, modulated=True)
    layer.init_identity()
    x, offset = _random(layer)
    n = 2 * 9 * K
    offset[:, :n] = 0
    # all mask logits log(3): mask = 2 * 0.75 = 1.5 -> output = 1.5 * x
    offset[:, n:] = torch.log(torch.tensor(3.0))
    torch.testing.assert_close(layer(x, offset), 1.5 * x, atol=1e-6, rtol=0)


def test_im2col_step_not_dividing_batch():
    """mmcv asserts batch % im2col_step == 0; 100 % 80 != 0 must still run
    and agree with torchvision."""
    layer = _layer(DeformConvWarp, im2col_step=80)
    tv = _layer(TorchvisionDeformConvWarp)
    tv.load_state_dict(layer.state_dict())
    x, offset = _random(layer, batch=100, h=4, w=3)
    torch.testing.assert_close(layer(x, offset), tv(x, offset), atol=1e-5,
                               rtol=0)


def test_bad_inputs_are_rejected():
    layer = _layer(DeformConvWarp)
    x, offset = _random(layer)
    with pytest.raises(ValueError, match='offset tensor'):
        layer(x, offset[:, :-1])
    with pytest.raises(ValueError, match='expects input'):
        layer(x[:, :5], offset)
    with pytest.raises(ValueError, match='divisible'):
        DeformConvWarp(K, K, 3, deform_groups=4)
    with pytest.raises(ValueError, match='in_channels == out_channels'):
        DeformConvWarp(K, 8, 3, deform_groups=K).init_identity()


def test_mmcv_ops_availability_on_cpu():
    assert mmcv_ops_available(torch.device('cpu'))


@pytest.mark.parametrize('cls', [DeformConvWarp, ModulatedDeformConvWarp])
def test_falls_back_to_torchvision_without_mmcv_kernels(monkeypatch, cls):
    """E.g. a CPU-only mmcv build used on a GPU: same result, one warning."""
    from mmpose_posewarper.models.ops import deform_conv as module
    layer = _layer(cls)
    x, offset = _random(layer, seed=5)
    with_mmcv = layer(x, offset)
    monkeypatch.setattr(module, 'mmcv_ops_available', lambda device: False)
    monkeypatch.setattr(module, '_warned_fallback', set())
    monkeypatch.setattr(module, 'mmcv_deform_conv2d', None)
    monkeypatch.setattr(module, 'mmcv_modulated_deform_conv2d', None)
    with pytest.warns(UserWarning, match='torchvision'):
        fallback = layer(x, offset)
    torch.testing.assert_close(fallback, with_mmcv, atol=1e-5, rtol=0)

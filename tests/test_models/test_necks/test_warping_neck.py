"""PoseWarperWarpingNeck: heatmaps, warp, aggregation, init, sizes."""
import pytest
import torch
from mmpose.models.necks import PoseWarperNeck
from mmpose.registry import MODELS

import mmpose_posewarper.models  # noqa: F401
from mmpose_posewarper.models.necks import PoseWarperWarpingNeck
from mmpose_posewarper.models.ops import (DeformConvWarp,
                                          ModulatedDeformConvWarp,
                                          TorchvisionDeformConvWarp)

K, H, W = 17, 16, 12


def _neck(deform_type='PoseWarperDCNv1', **kwargs):
    cfg = dict(
        type='PoseWarperWarpingNeck',
        in_channels=8,
        inner_channels=16,
        res_blocks_cfg=dict(block='BASIC', num_blocks=2),
        deform_conv=dict(type=deform_type))
    cfg.update(kwargs)
    neck = MODELS.build(cfg)
    neck.init_weights()
    return neck


def _perturb(neck, seed=0, std=0.05):
    """Move the warp away from the identity."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in list(neck.offset_layers) + list(neck.deform_conv_layers):
            layer.weight.add_(torch.randn(layer.weight.shape, generator=g) *
                              std)
    return neck


def _heatmaps(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, K, H, W, generator=g)


def test_is_mmpose_neck_subclass_with_original_layout():
    neck = _neck()
    assert isinstance(neck, PoseWarperNeck)
    assert len(neck.offset_feats) == 2
    assert len(neck.offset_layers) == 5 and len(neck.deform_conv_layers) == 5
    for d, off, dc in zip((3, 6, 12, 18, 24), neck.offset_layers,
                          neck.deform_conv_layers):
        assert isinstance(dc, DeformConvWarp)
        assert off.dilation == (d, d) and off.padding == (d, d)
        assert off.bias is None and off.out_channels == 2 * 9 * K
        assert dc.dilation == (d, d) and dc.padding == (d, d)
    keys = set(neck.state_dict())
    assert 'deform_conv_layers.4.weight' in keys
    assert 'offset_layers.0.weight' in keys and 'trans_layer.weight' in keys


@pytest.mark.parametrize('deform_type,cls,offset_channels', [
    ('PoseWarperDCNv1', DeformConvWarp, 2 * 9 * K),
    ('PoseWarperDCNv2', ModulatedDeformConvWarp, 3 * 9 * K),
    ('PoseWarperTVDeformConv', TorchvisionDeformConvWarp, 2 * 9 * K),
])
def test_deform_conv_choice(deform_type, cls, offset_channels):
    neck = _neck(deform_type)
    assert all(type(dc) is cls for dc in neck.deform_conv_layers)
    assert all(off.out_channels == offset_channels
               for off in neck.offset_layers)


@pytest.mark.parametrize('deform_type',
                         ['PoseWarperDCNv1', 'PoseWarperDCNv2'])
@pytest.mark.parametrize('train_mode', [True, False])
def test_identity_at_init(deform_type, train_mode):
    neck = _neck(deform_type).train(train_mode)
    for off in neck.offset_layers:
        assert off.weight.abs().max() == 0
    ref, sup = _heatmaps(3, seed=1), _heatmaps(3, seed=2)
    torch.testing.assert_close(neck.warp(ref, sup), sup, atol=1e-6, rtol=0)


def test_warp_samples_source():
    neck = _perturb(_neck()).eval()
    ref, sup, gt = _heatmaps(2, 1), _heatmaps(2, 2), _heatmaps(2, 3)
    # the deformable convs are linear in the sampled map
    a = neck.warp(ref, sup, source=gt)
    b = neck.warp(ref, sup, source=2 * gt)
    torch.testing.assert_close(b, 2 * a, atol=1e-5, rtol=1e-5)
    assert (neck.warp(ref, sup) - a).abs().max() > 1e-3
    with pytest.raises(ValueError, match='source'):
        neck.warp(ref, sup, source=gt[:1])
    with pytest.raises(ValueError, match='differ in shape'):
        neck.warp(ref, sup[:1])


@pytest.mark.parametrize('deform_type',
                         ['PoseWarperDCNv1', 'PoseWarperGridSampleDeformConv'])
def test_inference_warps_in_passes_of_cpu_pass_bytes(deform_type):
    whole = _perturb(_neck(deform_type, cpu_pass_bytes=None)).eval()
    frame_bytes = 2 * 9 * K * H * W * 4  # one frame's float32 offsets
    neck = _neck(deform_type, cpu_pass_bytes=2 * frame_bytes + 1).eval()
    neck.load_state_dict(whole.state_dict())
    seen = []
    neck.offset_feats.register_forward_hook(
        lambda m, inp, out: seen.append(inp[0].shape[0]))
    ref, sup, gt = _heatmaps(5, 1), _heatmaps(5, 2), _heatmaps(5, 3)
    with torch.no_grad():
        expected = whole.warp(ref, sup, source=gt)
        out = neck.warp(ref, sup, source=gt)
        assert seen == [2, 2, 1]
        torch.testing.assert_close(out, expected, atol=1e-6, rtol=1e-6)
        # a frame over the budget still warps, one frame per pass
        seen.clear()
        neck.cpu_pass_bytes = 1
        torch.testing.assert_close(
            neck.warp(ref, sup), whole.warp(ref, sup), atol=1e-6, rtol=1e-6)
        assert seen == [1] * 5
    # training keeps the whole batch (its gradients summed as before)
    seen.clear()
    neck.warp(ref, sup).sum().backward()
    assert seen == [5]
    with pytest.raises(ValueError, match='cpu_pass_bytes'):
        _neck(deform_type, cpu_pass_bytes=0)


def test_forward_shapes_and_weighted_sum():
    neck = _perturb(_neck()).eval()
    feats = torch.rand(3 * 5, 8, H, W)
    weights = torch.tensor([[0.3, 0.1, 0.25, 0.25, 0.1],
                            [0.0, 1.0, 0.0, 0.0, 0.0],
                            [0.5, 0.0, 0.0, 0.0, 0.5]])
    out = neck((feats, ), weights)
    assert out.shape == (3, K, H, W)
    hm = neck.heatmaps(feats).view(3, 5, K, H, W)
    for b in range(3):
        expected = sum(weights[b, f] * neck.warp(hm[b:b + 1, 0],
                                                 hm[b:b + 1, f])
                       for f in range(5))
        torch.testing.assert_close(out[b:b + 1], expected, atol=1e-5,
                                   rtol=1e-5)
    # MMPose 0.x style: one weight list for the whole batch
    shared = neck(feats, [0.3, 0.1, 0.25, 0.25, 0.1])
    torch.testing.assert_close(shared[:1], out[:1], atol=1e-6, rtol=0)


def test_zero_weight_frames_are_not_warped():
    neck = _neck()
    seen = []
    neck.offset_feats.register_forward_hook(
        lambda m, inp, out: seen.append(inp[0].shape[0]))
    feats = torch.rand(4 * 2, 8, H, W)
    neck(feats, torch.tensor([[0.0, 1.0]] * 4))
    assert seen == [4]  # 4 supporting frames, not 8


def test_bad_frame_weights():
    neck = _neck()
    feats = torch.rand(6, 8, H, W)
    with pytest.raises(ValueError, match='do not match'):
        neck(feats, torch.ones(2, 2))
    with pytest.raises(ValueError, match='non-zero'):
        neck(feats, torch.tensor([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match='cannot be split'):
        neck(feats, [0.5] * 4)


def test_stage2_gradients_reach_only_the_warping_part():
    neck = _perturb(_neck()).train()
    assert not any(p.requires_grad for p in neck.trans_layer.parameters())
    feats = torch.rand(4, 8, H, W)
    out = neck(feats, torch.tensor([[0.0, 1.0], [0.0, 1.0]]))
    out.square().sum().backward()
    assert neck.trans_layer.weight.grad is None
    for name in ('offset_feats', 'offset_layers', 'deform_conv_layers'):
        grads = [p.grad for p in getattr(neck, name).parameters()]
        assert all(g is not None for g in grads), name
        assert any(g.abs().max() > 0 for g in grads), name


def test_w48_warping_parameter_count():
    """The warping module of the W48 defaults: 7,558,605 parameters
    (paper: "6M")."""
    neck = PoseWarperWarpingNeck()  # in 48, out 17, inner 128, 20 blocks
    n = sum(p.numel() for m in (neck.offset_feats, neck.offset_layers,
                                neck.deform_conv_layers)
            for p in m.parameters())
    assert n == 7_558_605
    assert sum(p.numel() for p in neck.trans_layer.parameters()) == 48 * 17 + 17


def test_other_kernel_sizes_keep_the_map_size():
    neck = _neck(offsets_kernel=5, deform_conv_kernel=5, dilations=(1, 2))
    assert neck.offset_layers[1].padding == (4, 4)
    assert neck.offset_layers[0].out_channels == 2 * 25 * K
    ref, sup = _heatmaps(2, 1), _heatmaps(2, 2)
    torch.testing.assert_close(neck.warp(ref, sup), sup, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match='odd'):
        _neck(deform_conv_kernel=4)

"""PoseWarper estimator and MultiFramePoseDataPreprocessor on the tiny
configs (64x48 crops, tiny HRNet)."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures import PoseDataSample

import mmpose_posewarper.models  # noqa: F401
from mmpose_posewarper.models.utils import count_parameters

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TINY_STAGE2 = osp.join(ROOT, 'configs/posewarper/tiny/posewarper_tiny_64x48.py')
TINY_STAGE1 = osp.join(ROOT, 'configs/posewarper/tiny/topdown_tiny_64x48.py')
K, IMG_H, IMG_W, HM_H, HM_W = 17, 64, 48, 16, 12
FLIP_INDICES = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]


def build(path=TINY_STAGE2, **model_overrides):
    cfg = Config.fromfile(path)
    cfg.model.update(model_overrides)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def samples(weights, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for row in weights:
        s = PoseDataSample(
            metainfo=dict(
                frame_weights=np.asarray(row, dtype=np.float32),
                input_size=(IMG_W, IMG_H),
                input_center=np.array([100.0, 80.0]),
                input_scale=np.array([96.0, 128.0]),
                flip_indices=FLIP_INDICES))
        s.gt_fields = PixelData(heatmaps=torch.rand(K, HM_H, HM_W,
                                                    generator=g))
        s.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, K))
        s.gt_instances = InstanceData(
            bboxes=np.array([[52.0, 16.0, 148.0, 144.0]]),
            bbox_scores=np.ones(1))
        out.append(s)
    return out


def inputs(b, f, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, f, 3, IMG_H, IMG_W, generator=g)


def _perturb_warp(model, std=0.05):
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for layer in (list(model.neck.offset_layers) +
                      list(model.neck.deform_conv_layers)):
            layer.weight.add_(torch.randn(layer.weight.shape, generator=g) *
                              std)


def test_tensor_and_predict_shapes():
    model = build().eval()
    weights = [[0.3, 0.1, 0.25, 0.25, 0.1]] * 2
    with torch.no_grad():
        heatmaps = model(inputs(2, 5), samples(weights), mode='tensor')
        assert heatmaps.shape == (2, K, HM_H, HM_W)
        results = model(inputs(2, 5), samples(weights), mode='predict')
    assert len(results) == 2
    kpts = results[1].pred_instances.keypoints
    assert kpts.shape == (1, K, 2)
    assert results[1].pred_instances.keypoint_scores.shape == (1, K)
    # the aggregated heatmap decoded by the codec, mapped into the image
    codec = KEYPOINT_CODECS.build(dict(
        type='MSRAHeatmap', input_size=(IMG_W, IMG_H),
        heatmap_size=(HM_W, HM_H), sigma=2))
    decoded, scores = codec.decode(heatmaps[1].numpy())
    expected = decoded / np.array([IMG_W, IMG_H]) * np.array(
        [96.0, 128.0]) + np.array([100.0, 80.0]) - 0.5 * np.array(
            [96.0, 128.0])
    np.testing.assert_allclose(kpts, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(
        results[1].pred_instances.keypoint_scores, scores, rtol=1e-6)


def test_identity_at_init_equals_weighted_reference_heatmaps():
    """With the identity warp, the output is the weighted sum of each frame's
    own heatmap."""
    model = build().eval()
    x = inputs(2, 5)
    weights = torch.tensor([[0.3, 0.1, 0.25, 0.25, 0.1],
                            [0.0, 1.0, 0.0, 0.0, 0.0]])
    with torch.no_grad():
        out = model(x, samples(weights.tolist()), mode='tensor')
        hm = model.neck.heatmaps(model.backbone(x.flatten(0, 1)))
    expected = (hm.view(2, 5, K, HM_H, HM_W) *
                weights.view(2, 5, 1, 1, 1)).sum(1)
    assert hm.abs().max() > 0
    torch.testing.assert_close(out, expected, atol=1e-6, rtol=1e-5)


def test_loss_and_stage2_gradients():
    model = build().train()
    _perturb_warp(model)
    losses = model(inputs(2, 2), samples([[0.0, 1.0]] * 2), mode='loss')
    assert set(losses) == {'loss_kpt', 'acc_pose'}
    assert losses['loss_kpt'].requires_grad
    losses['loss_kpt'].backward()
    frozen = list(model.backbone.parameters()) + list(
        model.neck.trans_layer.parameters())
    assert all(not p.requires_grad and p.grad is None for p in frozen)
    warping = [
        p for m in (model.neck.offset_feats, model.neck.offset_layers,
                    model.neck.deform_conv_layers) for p in m.parameters()
    ]
    assert all(p.requires_grad and p.grad is not None for p in warping)
    assert all(p.grad.abs().max() > 0 for p in model.neck.deform_conv_layers
               .parameters())
    counts = count_parameters(model)
    assert counts['trainable'] == counts['warping'] == sum(
        p.numel() for p in warping)


def test_frozen_backbone_runs_without_autograd_graph():
    model = build().train()
    seen = {}
    model.neck.trans_layer.register_forward_hook(
        lambda m, i, o: seen.update(heatmaps=o.requires_grad))
    model(inputs(2, 2), samples([[0.0, 1.0]] * 2), mode='loss')
    assert seen['heatmaps'] is False


def test_loss_matches_original_joints_mse():
    """0.5 * mean((w * (pred - gt))^2) as the original JointsMSELoss."""
    model = build().train()
    x, data = inputs(2, 2), samples([[0.0, 1.0]] * 2)
    data[0].gt_instance_labels.keypoint_weights[0, :5] = 0
    loss = model(x, data, mode='loss')['loss_kpt']
    gt = torch.stack([d.gt_fields.heatmaps for d in data])
    w = torch.cat([d.gt_instance_labels.keypoint_weights for d in data])
    # same train-mode pass (BN on batch statistics) without the head's loss
    with torch.no_grad():
        pred = model(x, data, mode='tensor')
    expected = 0.5 * ((pred - gt) * w[..., None, None]).square().mean()
    torch.testing.assert_close(loss.detach(), expected, atol=1e-7, rtol=1e-5)


@pytest.mark.parametrize('mode,updates', [('train', True), ('eval', False)])
def test_frozen_bn_mode(mode, updates):
    model = build(frozen_bn_mode=mode).train()
    bn = model.backbone.norm1
    assert bn.training is updates
    before = bn.running_mean.clone()
    model(inputs(2, 2), samples([[0.0, 1.0]] * 2), mode='loss')
    changed = not torch.equal(before, bn.running_mean)
    assert changed is updates
    # the warping module's BN trains in both modes
    assert model.neck.offset_feats[0].bn1.training


def test_frozen_bn_mode_checks():
    with pytest.raises(ValueError, match='frozen_bn_mode'):
        build(frozen_bn_mode='frozen')
    cfg = Config.fromfile(TINY_STAGE2)
    cfg.model.backbone.frozen_stages = 4
    with pytest.raises(ValueError, match='frozen_stages'):
        MODELS.build(cfg.model)


def test_flip_test_averages_flipped_pass():
    model = build().eval()
    _perturb_warp(model)
    x, weights = inputs(1, 5), [[0.3, 0.1, 0.25, 0.25, 0.1]]
    model.test_cfg.update(flip_test=True, output_heatmaps=True)
    with torch.no_grad():
        flipped = model(x, samples(weights), mode='predict')[0]
        plain = model(x, samples(weights), mode='tensor')[0]
        mirrored = model(x.flip(-1), samples(weights), mode='tensor')[0]
    back = mirrored[FLIP_INDICES].flip(-1)
    back[..., 1:] = back[..., :-1].clone()  # shift_heatmap=True
    torch.testing.assert_close(flipped.pred_fields.heatmaps,
                               (plain + back) / 2, atol=1e-6, rtol=1e-5)


def test_input_errors():
    model = build().eval()
    with pytest.raises(ValueError, match=r'\(B, F, 3, H, W\)'):
        model(inputs(2, 1)[:, 0], samples([[1.0]] * 2), mode='tensor')
    with pytest.raises(ValueError, match='2 frame weights for 5 frames'):
        model(inputs(1, 5), samples([[0.0, 1.0]]), mode='tensor')
    bad = [PoseDataSample(metainfo=dict(input_size=(IMG_W, IMG_H)))]
    with pytest.raises(KeyError, match='frame_weights'):
        model(inputs(1, 2), bad, mode='tensor')


def test_stage1_checkpoint_initialises_stage2():
    stage1 = build(TINY_STAGE1)
    with torch.no_grad():
        stage1.head.final_layer.weight.normal_()
        stage1.head.final_layer.bias.normal_()
    stage2 = build()
    result = stage2.load_state_dict(stage1.state_dict(), strict=False)
    assert not result.unexpected_keys
    assert all(
        k.startswith('neck.') and 'trans_layer' not in k
        for k in result.missing_keys)
    torch.testing.assert_close(stage2.neck.trans_layer.weight,
                               stage1.head.final_layer.weight)
    torch.testing.assert_close(stage2.backbone.conv1.weight,
                               stage1.backbone.conv1.weight)
    # its own checkpoints round-trip strictly
    build().load_state_dict(stage2.state_dict(), strict=True)


def test_data_preprocessor_batches_frames():
    model = build()
    pre = model.data_preprocessor
    g = torch.Generator().manual_seed(0)
    imgs = [
        torch.randint(0, 256, (5, 3, IMG_H, IMG_W), generator=g,
                      dtype=torch.uint8) for _ in range(2)
    ]
    out = pre(dict(inputs=imgs, data_samples=samples([[1, 0, 0, 0, 0]] * 2)),
              training=False)
    batch = out['inputs']
    assert batch.shape == (2, 5, 3, IMG_H, IMG_W)
    mean = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)
    expected = (imgs[1][3].flip(0).float() - mean) / std  # BGR -> RGB
    torch.testing.assert_close(batch[1, 3], expected)
    assert out['data_samples'][0].metainfo['batch_input_shape'] == (IMG_H,
                                                                    IMG_W)
    with pytest.raises(ValueError, match='same number of frames'):
        pre(dict(inputs=[imgs[0], imgs[1][:2]], data_samples=None))
    with pytest.raises(ValueError, match='batch_augments'):
        MODELS.build(
            dict(type='MultiFramePoseDataPreprocessor', batch_augments=[]))

"""The full-size (HRNet-W48, 384x288) configs: they build, their parameter
counts, and MMPose's own COCO HRNet-W48 layout initialises both stages.

These build W48 models (about 70M parameters, a few seconds each on CPU)
but run no forward pass.
"""
import importlib.util
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

import mmpose_posewarper.models  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(ROOT, 'configs/posewarper')
STAGE1 = osp.join(CONFIGS,
                  'posewarper_stage1_hrnet-w48_8xb16-10e_posetrack18-384x288.py')
STAGE2 = osp.join(CONFIGS,
                  'posewarper_stage2_hrnet-w48_8xb8-20e_posetrack18-384x288.py')
# MMPose's COCO recipe whose checkpoint our stage-1 configs load_from
MMPOSE_COCO = 'mmpose::body_2d_keypoint/topdown_heatmap/coco/' \
    'td-hm_hrnet-w48_8xb32-210e_coco-384x288.py'


@pytest.fixture(autouse=True)
def mmpose_scope():
    """Build nested modules (e.g. the data preprocessor) from MMPose's
    registries, as the Runner does with ``default_scope='mmpose'``."""
    init_default_scope('mmpose')


def _count_params_output(config, capsys, *extra):
    spec = importlib.util.spec_from_file_location(
        'count_params', osp.join(ROOT, 'tools/analysis_tools/count_params.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main([config, *extra]) == 0
    printed = capsys.readouterr().out
    print(printed)
    return {
        k: int(v.replace(',', ''))
        for k, v in re.findall(r'^\s+(\S+)\s+([\d,]+)$', printed, re.M)
    }


def test_stage2_w48_parameter_counts(capsys):
    rows = _count_params_output(STAGE2, capsys)
    assert rows['warping'] == 7_558_605
    assert rows['warping.offset_feats'] == 5_783_040
    assert rows['warping.offset_layers'] == 5 * 128 * 2 * 9 * 17 * 9
    assert rows['warping.deform_conv_layers'] == 5 * 17 * 17 * 9
    assert rows['heatmap_layer'] == 48 * 17 + 17
    assert rows['trainable'] == rows['warping']
    assert rows['total'] == rows['backbone'] + rows['heatmap_layer'] + \
        rows['warping']


def test_stage2_dcnv2_parameter_counts(capsys):
    rows = _count_params_output(
        STAGE2, capsys, '--cfg-options',
        'model.neck.deform_conv.type=PoseWarperDCNv2')
    # one extra mask logit per sampling point in every offset conv
    assert rows['warping.offset_layers'] == 5 * 128 * 3 * 9 * 17 * 9
    assert rows['warping'] == 7_558_605 + 5 * 128 * 9 * 17 * 9


@pytest.mark.parametrize('name', [
    'posewarper_stage1_hrnet-w48_8xb16-10e_posetrack17-384x288.py',
    'posewarper_stage2_hrnet-w48_8xb8-20e_posetrack17-384x288.py',
    'posewarper_stage2_hrnet-w48-dcnv2_8xb8-20e_posetrack18-384x288.py',
])
def test_other_configs_parse(name):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    assert cfg.model.backbone.extra.stage4.num_channels == (48, 96, 192, 384)
    assert cfg.optim_wrapper.optimizer == dict(
        type='Adam', lr=1e-4, weight_decay=0.)
    if 'stage2' in name:
        assert cfg.model.freeze_backbone and cfg.train_cfg.max_epochs == 20
        assert cfg.param_scheduler[0].milestones == [10, 15]
        assert cfg.train_dataloader.batch_size == 8
    else:
        assert cfg.train_cfg.max_epochs == 10
        assert cfg.param_scheduler[0].milestones == [5, 7]
        assert cfg.train_dataloader.batch_size == 16
    if 'posetrack17' in name:
        assert cfg.val_dataloader.dataset.data_root == 'data/posetrack17/'


def test_mmpose_coco_hrnet_w48_initialises_both_stages():
    coco = MODELS.build(get_config(MMPOSE_COCO).model)
    state = coco.state_dict()
    assert state['head.final_layer.weight'].shape == (17, 48, 1, 1)
    stage1 = MODELS.build(Config.fromfile(STAGE1).model)
    stage1.load_state_dict(state, strict=True)
    del stage1
    stage2 = MODELS.build(Config.fromfile(STAGE2).model)
    result = stage2.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    assert result.missing_keys and all(
        k.startswith(('neck.offset_feats.', 'neck.offset_layers.',
                      'neck.deform_conv_layers.'))
        for k in result.missing_keys)
    assert torch.equal(stage2.neck.trans_layer.weight,
                       coco.head.final_layer.weight)

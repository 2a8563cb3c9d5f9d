"""The shared config pieces (configs/_base_/posetrack_runtime.py,
datasets/posetrack18_single-frame.py) give each config the settings it
documents: the original's augmentation for stage 1, MMPose's recipe for the
augmentation experiment, one runtime for all PoseTrack configs."""
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
STAGE1 = REPO / ('configs/posewarper/posewarper_stage1_hrnet-w48_8xb16-10e_'
                 'posetrack18-384x288.py')
STAGE2 = REPO / ('configs/posewarper/posewarper_stage2_hrnet-w48_8xb8-20e_'
                 'posetrack18-384x288.py')
AUGMENTATION = REPO / ('configs/augmentation/td-hm_hrnet-w48_8xb64-20e_'
                       'posetrack18-384x288_manual+propagated.py')


def steps(pipeline):
    return {step['type']: step for step in pipeline}


@pytest.mark.parametrize('config', [STAGE1, STAGE2, AUGMENTATION])
def test_one_runtime(config):
    cfg = Config.fromfile(str(config))
    assert cfg.custom_imports.imports == ['mmpose_posewarper']
    assert cfg.default_hooks.checkpoint.save_best == 'posetrack/AP'
    assert cfg.default_hooks.logger.type == 'LoggerHook'  # MMPose's runtime
    assert cfg.val_evaluator == cfg.test_evaluator
    assert cfg.val_evaluator.type == 'PoseTrackAPMetric'
    assert cfg.val_evaluator.ann_dir == 'data/posetrack18/annotations/val/'


def test_stage1_has_the_original_augmentation_and_boxes():
    cfg = Config.fromfile(str(STAGE1))
    train = steps(cfg.train_dataloader.dataset.pipeline)
    assert train['RandomHalfBody'] == dict(
        type='RandomHalfBody', min_total_keypoints=8, prob=0.3)
    assert train['RandomBBoxTransform']['rotate_factor'] == 45
    assert train['TopdownAffine']['input_size'] == (288, 384)
    assert cfg.train_dataloader.batch_size == 16
    val = cfg.val_dataloader.dataset
    assert val.filter_cfg.bbox_score_thr == 0.2
    assert val.bbox_file.startswith(val.data_root)


def test_augmentation_keeps_mmposes_recipe():
    cfg = Config.fromfile(str(AUGMENTATION))
    manual, propagated = cfg.train_dataloader.dataset.datasets
    assert cfg.train_dataloader.dataset.type == 'ConcatDataset'
    assert manual.ann_file.endswith('posetrack18_manual.json')
    assert propagated.ann_file.endswith('posetrack18_propagated.json')
    assert {k: v for k, v in manual.items() if k != 'ann_file'} == \
        {k: v for k, v in propagated.items() if k != 'ann_file'}
    assert steps(manual.pipeline)['RandomHalfBody'] == dict(
        type='RandomHalfBody')  # MMPose's defaults, not the original's
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.val_dataloader.batch_size == 32
    assert cfg.val_dataloader.dataset.filter_cfg.bbox_score_thr == 0.4

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


#: the sparse-benchmark project's stage configs (they inherit configs/ pieces)
SPARSE = REPO / 'projects/sparse_benchmark/configs'
#: each stage config and its training length: stage 2 twice as long as stage
#: 1; the augmentation's estimators (its sparse-only baseline included, the
#: original's protocol) train alike, on a few hundred labeled people
SPARSE_STAGES = {'single-frame_hrnet-small_sparse_128x96.py': 300,
                 'single-frame_hrnet-small_sparse+propagated_128x96.py': 200,
                 'posewarper_hrnet-small_sparse_128x96.py': 600}
STAGE_1 = 'single-frame_hrnet-small_sparse_128x96.py'


@pytest.mark.parametrize('name', SPARSE_STAGES)
def test_sparse_stages_share_one_iteration_runtime(name):
    """projects/sparse_benchmark/configs/_base_/iter-based_runtime.py: every
    stage trains by iterations, and its schedule and checkpoint end with its
    length."""
    cfg = Config.fromfile(str(SPARSE / name))
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == cfg.max_iters == SPARSE_STAGES[name]
    assert cfg.train_cfg.val_interval > cfg.max_iters
    assert cfg.param_scheduler[-1].end == cfg.max_iters
    assert cfg.default_hooks.checkpoint.interval == cfg.max_iters
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    assert cfg.randomness.deterministic
    # ground-truth boxes, every prediction scored: the original's protocol
    assert cfg.test_evaluator.nms_mode == 'none'


@pytest.mark.parametrize('name', [
    'single-frame_hrnet-small_sparse+propagated_128x96.py',
    'quick/single-frame_hrnet-tiny_sparse+propagated_64x48.py'])
def test_propagated_labels_are_the_sparse_dataset_on_another_file(name):
    cfg = Config.fromfile(str(SPARSE / name))
    sparse, propagated = cfg.train_dataloader.dataset.datasets
    assert sparse == cfg.sparse_labels
    assert propagated.ann_file == cfg.propagated_ann_file
    assert {k: v for k, v in sparse.items() if k != 'ann_file'} == \
        {k: v for k, v in propagated.items() if k != 'ann_file'}


def test_tiny_single_frame_configs_share_mmposes_pipeline():
    """configs/_base_/pipelines/topdown_64x48.py: the quick stage 1 and the
    tiny augmentation config train with one pipeline, MMPose's defaults at
    64x48, as their bases do at their sizes."""
    quick = Config.fromfile(
        str(SPARSE / 'quick/single-frame_hrnet-tiny_sparse_64x48.py'))
    tiny_aug = Config.fromfile(str(
        REPO / 'configs/augmentation/tiny/td-hm_tiny_manual+propagated_cpu.py'))
    pipeline = quick.train_dataloader.dataset.pipeline
    for part in tiny_aug.train_dataloader.dataset.datasets:
        assert part.pipeline == pipeline
    for full in (Config.fromfile(str(SPARSE / STAGE_1)),
                 Config.fromfile(str(AUGMENTATION))):
        full_steps = full.train_pipeline
        assert [s['type'] for s in full_steps] == [s['type'] for s in pipeline]
        assert full_steps[:5] == pipeline[:5]  # loading and augmentation
    assert steps(pipeline)['TopdownAffine']['input_size'] == (48, 64)
    assert steps(quick.test_dataloader.dataset.pipeline)[
        'TopdownAffine']['input_size'] == (48, 64)


def _training_target(cfg):
    """The codec that renders a stage's training targets (the first dataset
    of a ConcatDataset: the others share its pipeline, tested above)."""
    dataset = cfg.train_dataloader.dataset
    pipeline = (dataset.datasets[0] if 'datasets' in dataset
                else dataset).pipeline
    return steps(pipeline)['GenerateTarget']['encoder']


@pytest.mark.parametrize('name', [
    *SPARSE_STAGES, 'quick/single-frame_hrnet-tiny_sparse_64x48.py',
    'quick/single-frame_hrnet-tiny_sparse+propagated_64x48.py',
    'quick/posewarper_hrnet-tiny_sparse_64x48.py'])
def test_sparse_stages_decode_with_dark_on_the_training_codec(name):
    """Every stage of the job (and of its quick run) decodes with DARK
    (MSRAHeatmap unbiased=True) at its training codec's sizes and sigma,
    while its training targets stay the plain codec's, those the shipped
    checkpoint was pretrained on."""
    cfg = Config.fromfile(str(SPARSE / name))
    decoder = cfg.model.head.decoder
    assert decoder.type == 'MSRAHeatmap' and decoder.unbiased is True
    encoder = _training_target(cfg)
    assert not encoder.get('unbiased', False)
    assert {k: v for k, v in decoder.items() if k != 'unbiased'} == \
        dict(encoder)


@pytest.mark.parametrize('name', [
    'pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py',
    'pretrain_hrnet-small_synthetic-stills_128x96_phase2-iter7k-23k.py',
    'pretrain_hrnet-small_synthetic-stills_128x96_phase3-iter23k-33k.py'])
def test_pretraining_validates_with_the_plain_decoder(name):
    """The pretraining runs logged their learning curve with the plain
    decoder; their configs keep it (stage 1, their base, decodes with
    DARK), so that rerunning them reproduces the recorded curve."""
    cfg = Config.fromfile(str(SPARSE / name))
    assert cfg.model.head.decoder.unbiased is False
    assert not _training_target(cfg).get('unbiased', False)


def test_pretraining_validates_like_stage_1_tests():
    """The pretraining config's val loader is stage 1's test loader on its
    own val videos."""
    stage1 = Config.fromfile(str(SPARSE / STAGE_1))
    pretrain = Config.fromfile(str(
        SPARSE /
        'pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py'))
    val = pretrain.val_dataloader
    assert val == pretrain.test_dataloader
    assert val.dataset.data_root == pretrain.data_root
    assert {k: v for k, v in val.items() if k != 'dataset'} == \
        {k: v for k, v in stage1.test_dataloader.items() if k != 'dataset'}
    assert {k: v for k, v in val.dataset.items()
            if k not in ('data_root', 'ann_file')} == \
        {k: v for k, v in stage1.test_dataloader.dataset.items()
         if k not in ('data_root', 'ann_file')}

"""The augmentation config: a single-frame model on manual + propagated
labels (MMEngine ConcatDataset), trained for a few iterations on CPU."""
import subprocess

import pytest

from _helpers.jobs import (REPO, TINY_POSEWARPER, env_with_repo, import_tool,
                           python, write_tiny_video)

TINY_AUG = REPO / 'configs/augmentation/tiny/td-hm_tiny_manual+propagated_cpu.py'
FULL_AUG = REPO / ('configs/augmentation/td-hm_hrnet-w48_8xb64-20e_'
                   'posetrack18-384x288_manual+propagated.py')


@pytest.fixture(scope='module')
def propagated(tmp_path_factory, identity_posewarper):
    root = tmp_path_factory.mktemp('aug')
    video = write_tiny_video(root / 'data', nframes=5, labeled=(2, ))
    out = root / 'propagated'
    import_tool('propagate_labels').main([
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--ann-dir',
        str(video['sparse_dir']), '--img-root',
        str(video['img_root']), '--out-dir',
        str(out), '--k', '2'
    ])
    return video, out


def data_options(video, out):
    prefix = str(video['img_root']) + '/'
    return {
        'train_dataloader.dataset.datasets.0.ann_file':
        str(out / 'posetrack18_manual.json'),
        'train_dataloader.dataset.datasets.1.ann_file':
        str(out / 'posetrack18_propagated.json'),
        'train_dataloader.dataset.datasets.0.data_prefix.img': prefix,
        'train_dataloader.dataset.datasets.1.data_prefix.img': prefix,
    }


def test_full_config_concatenates_manual_and_propagated():
    from mmengine.config import Config
    cfg = Config.fromfile(str(FULL_AUG))
    assert cfg.model.type == 'TopdownPoseEstimator'
    ds = cfg.train_dataloader.dataset
    assert ds.type == 'ConcatDataset'
    assert [d.ann_file for d in ds.datasets] == [
        'work_dirs/propagated/posetrack18_manual.json',
        'work_dirs/propagated/posetrack18_propagated.json'
    ]
    assert cfg.val_evaluator.type == 'PoseTrackAPMetric'


def test_train_dataset_holds_both_parts(propagated):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS

    import mmpose_posewarper  # noqa: F401
    video, out = propagated
    cfg = Config.fromfile(str(TINY_AUG))
    cfg.merge_from_dict(data_options(video, out))
    init_default_scope('mmpose')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    # 2 manual people on frame 2; 2 people on each of frames 0, 1, 3, 4
    assert [len(d) for d in dataset.datasets] == [2, 8]
    assert len(dataset) == 10
    item = dataset[9]
    assert tuple(item['inputs'].shape) == (3, 64, 48)
    assert item['data_samples'].gt_fields.heatmaps.shape == (17, 16, 12)


def test_tiny_training_run(tmp_path, propagated):
    video, out = propagated
    options = [f'{k}={v}' for k, v in data_options(video, out).items()]
    work_dir = tmp_path / 'work'
    proc = subprocess.run([
        python(),
        str(REPO / 'tools' / 'train.py'),
        str(TINY_AUG), '--work-dir',
        str(work_dir), '--cfg-options', *options
    ], capture_output=True, text=True, env=env_with_repo(), cwd=tmp_path)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    # 10 items, batch size 2: 5 iterations, one checkpoint
    assert 'Epoch(train) [1][5/5]' in log
    assert (work_dir / 'epoch_1.pth').is_file()

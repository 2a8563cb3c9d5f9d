"""``tools/run_sparse_benchmark.py``'s experiment options reach the stage
configs."""
import pytest

from mmpose_posewarper.sparse_benchmark.steps import (BenchmarkSettings,
                                                      SparseBenchmark)

from .test_quick_run import load_tool


def test_iters_and_cfg_options_are_parsed_per_stage():
    args = load_tool().parse_args([
        '--out', 'x', '--iters', 'posewarper=450', 'single_frame=900',
        '--cfg-options', 'posewarper:optim_wrapper.optimizer.lr=1e-4',
        'posewarper:model.neck.deform_conv.modulated=True'
    ])
    assert args.iters == {'posewarper': 450, 'single_frame': 900}
    assert args.cfg_options == {
        'posewarper': {
            'optim_wrapper.optimizer.lr': 1e-4,
            'model.neck.deform_conv.modulated': True
        }
    }


@pytest.mark.parametrize('argv', [
    ['--iters', 'posewarper'],
    ['--iters', 'stage2=4'],
    ['--iters', 'posewarper=many'],
    ['--cfg-options', 'optim_wrapper.optimizer.lr=1e-4'],
    ['--cfg-options', 'stage2:optim_wrapper.optimizer.lr=1e-4'],
    ['--quality', 'none', '--augmentation-bound'],
])
def test_bad_options_stop_with_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        load_tool().parse_args(['--out', 'x', *argv])
    assert exc.value.code == 2
    assert 'error' in capsys.readouterr().err


def test_cfg_options_and_iters_change_the_stage_config(tmp_path):
    settings = BenchmarkSettings(
        out_dir=str(tmp_path),
        iters={'posewarper': 7},
        cfg_options={
            'posewarper': {
                'optim_wrapper.optimizer.lr': 3e-4,
                'model.neck.deform_conv.modulated': True
            }
        })
    job = SparseBenchmark(settings)
    job.val_dense_file = str(tmp_path / 'val.json')
    cfg = job._stage_cfg('posewarper', ['annotations/train/'])
    assert cfg.train_cfg.max_iters == 7
    assert cfg.optim_wrapper.optimizer.lr == 3e-4
    assert cfg.model.neck.deform_conv.modulated is True
    # other stages keep their config: stage 1 fine-tunes the shipped
    # pretrained estimator at its fine-tuning rate...
    other = job._stage_cfg('single_frame', ['train.json'],
                           load_from=settings.pretrained)
    assert other.optim_wrapper.optimizer.lr == 1e-4
    # ...and trains from random weights at the scratch rate
    scratch = job._stage_cfg('single_frame', ['train.json'])
    assert scratch.optim_wrapper.optimizer.lr == scratch.scratch_lr == 2e-3


def test_cfg_options_for_an_unknown_stage_are_refused(tmp_path):
    with pytest.raises(ValueError, match='unknown stages'):
        BenchmarkSettings(out_dir=str(tmp_path),
                          cfg_options={'stage2': {'a': 1}})
    with pytest.raises(ValueError, match='unknown stages'):
        BenchmarkSettings(out_dir=str(tmp_path), iters={'stage2': 3})


def test_a_relative_out_dir_is_made_absolute(tmp_path, monkeypatch):
    """README's command 1 passes a relative ``--out``; the stage configs
    join the annotation files to the (then relative) data root."""
    monkeypatch.chdir(tmp_path)
    settings = BenchmarkSettings(out_dir='work_dirs/sparse_benchmark')
    assert settings.out_dir == str(tmp_path / 'work_dirs' / 'sparse_benchmark')
    job = SparseBenchmark(settings)
    job.val_dense_file = settings.path('labels', 'val.json')
    cfg = job._stage_cfg('single_frame', [settings.path('labels', 't.json')])
    dataset = cfg.train_dataloader.dataset
    assert dataset.data_root == str(tmp_path / 'work_dirs' /
                                    'sparse_benchmark' / 'data')
    # an absolute ann_file is used as is by MMEngine's dataset
    assert dataset.ann_file.startswith(str(tmp_path))


def test_single_frame_stages_fine_tune_the_shipped_checkpoint(tmp_path,
                                                              monkeypatch):
    """Stage 1 and the augmented stage start from the shipped pretrained
    estimator (sha256-checked); --from-scratch keeps random weights."""
    from mmpose_posewarper.sparse_benchmark import steps
    from mmpose_posewarper.sparse_benchmark.pretrained import \
        pretrained_checkpoint
    trained = {}

    def fake_train_stage(cfg):
        trained[cfg.work_dir] = cfg
        ckpt = tmp_path / f'iter_{len(trained)}.pth'
        ckpt.write_bytes(b'weights')
        return str(ckpt)

    monkeypatch.setattr(steps, 'train_stage', fake_train_stage)
    for pretrained, expected in (('shipped', pretrained_checkpoint()),
                                 (None, None)):
        trained.clear()
        settings = BenchmarkSettings(out_dir=str(tmp_path),
                                     pretrained=pretrained)
        job = SparseBenchmark(settings)
        job.val_dense_file = str(tmp_path / 'val.json')
        job.train_sparse_file = str(tmp_path / 'train.json')
        job.propagated_file = str(tmp_path / 'propagated.json')
        job.train_single_frame()
        job.train_augmented()
        assert [c.load_from for c in trained.values()] == [expected] * 2

"""``tools/run_sparse_benchmark.py``'s experiment options reach the stage
configs."""
import copy

import mmengine.config.config as mmengine_config
import pytest
from mmengine.config import Config

from projects.sparse_benchmark.sparse_benchmark import data as bdata
from projects.sparse_benchmark.sparse_benchmark.settings import \
    BenchmarkSettings
from projects.sparse_benchmark.sparse_benchmark.steps import SparseBenchmark

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
    ['--iters', 'single_frame=0'],
    ['--effort-batch', '0'],
    ['--threads', '0'],
    ['--cfg-options', 'optim_wrapper.optimizer.lr=1e-4'],
    ['--cfg-options', 'stage2:optim_wrapper.optimizer.lr=1e-4'],
    ['--quality', 'none', '--label-budgets', '2'],
    ['--label-budgets', '0'],
    ['--labels-per-video', '0'],
    ['--look', 'film'],
    ['--wardrobe', 'tuxedo'],
    ['--augmentation-labels', 'magic'],
])
def test_bad_options_stop_with_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        load_tool().parse_args(['--out', 'x', *argv])
    assert exc.value.code == 2
    assert 'error' in capsys.readouterr().err


def test_stage_config_skips_yapf_and_reloads(tmp_path, monkeypatch):
    # yapf would format each runner's config for its log, dump and
    # checkpoints: seconds per runner
    job = SparseBenchmark(BenchmarkSettings(out_dir=str(tmp_path)))
    job.val_dense_file = str(tmp_path / 'val.json')
    cfg = copy.deepcopy(job._stage_cfg('posewarper', ['annotations/train/']))

    def no_yapf(*args, **kwargs):
        raise AssertionError('the stage config was formatted with yapf')

    monkeypatch.setattr(mmengine_config, 'FormatCode', no_yapf)
    cfg.dump(str(tmp_path / 'dumped.py'))
    monkeypatch.undo()
    reloaded = Config.fromfile(str(tmp_path / 'dumped.py'))
    assert reloaded.to_dict() == cfg.to_dict()
    assert cfg.filename.endswith('posewarper_hrnet-small_sparse_128x96.py')


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
    assert other.optim_wrapper.optimizer.lr == 1e-3
    # ...and trains from random weights at the scratch rate
    scratch = job._stage_cfg('single_frame', ['train.json'])
    assert scratch.optim_wrapper.optimizer.lr == scratch.scratch_lr == 2e-3


def test_cfg_options_for_an_unknown_stage_are_refused(tmp_path):
    with pytest.raises(ValueError, match='unknown stages'):
        BenchmarkSettings(out_dir=str(tmp_path),
                          cfg_options={'stage2': {'a': 1}})
    with pytest.raises(ValueError, match='unknown stages'):
        BenchmarkSettings(out_dir=str(tmp_path), iters={'stage2': 3})
    with pytest.raises(ValueError, match=r'single_frame=0: a stage trains'):
        BenchmarkSettings(out_dir=str(tmp_path), iters={'single_frame': 0})


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
    """Stage 1 and every estimator of the augmentation start from the
    shipped pretrained estimator (sha256-checked); --from-scratch keeps
    random weights."""
    from projects.sparse_benchmark.sparse_benchmark import steps
    from projects.sparse_benchmark.sparse_benchmark.pretrained import \
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
        job.per_video_file = str(tmp_path / 'per_video.json')
        job.added_files = dict(posewarper=str(tmp_path / 'pw.json'),
                               ground_truth=str(tmp_path / 'gt.json'),
                               optical_flow=str(tmp_path / 'flow.json'))
        job.train_single_frame()
        job.train_augmented()
        assert [c.load_from for c in trained.values()] == [expected] * 5
        # the sparse-only estimator: the augmented config on its first
        # dataset, the per-video labels
        sparse_only = trained[str(tmp_path / 'work_dirs' / '1_per_video' /
                                  'sparse_only')]
        parts = sparse_only.train_dataloader.dataset.datasets
        assert [p.ann_file for p in parts] == [job.per_video_file]


def test_a_folder_of_another_run_is_refused_unless_overwrite(tmp_path):
    """A run into a folder made with other settings would leave the old
    results beside the new settings: refused, naming the settings and
    --overwrite; with overwrite its results go first, its stages stay."""
    from projects.sparse_benchmark.sparse_benchmark.run_folder import (
        claim_run_folder, settings_record)
    from mmpose_posewarper.utils.atomic_file import write_json_atomic
    old = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    write_json_atomic(str(tmp_path / 'settings.json'), settings_record(old))
    (tmp_path / 'results.json').write_text('{}')
    (tmp_path / 'steps').mkdir()
    (tmp_path / 'steps' / 'single_frame.json').write_text('{}')
    claim_run_folder(old, overwrite=False)  # the same settings: its folder
    assert (tmp_path / 'results.json').is_file()
    new = BenchmarkSettings(out_dir=str(tmp_path), quick=True, seed=1)
    with pytest.raises(ValueError, match=r'seed differ.*--overwrite'):
        claim_run_folder(new, overwrite=False)
    assert (tmp_path / 'results.json').is_file()
    claim_run_folder(new, overwrite=True)
    assert not (tmp_path / 'results.json').exists()
    assert (tmp_path / 'steps' / 'single_frame.json').is_file()


def test_a_folder_that_is_no_run_is_refused_unless_overwrite(tmp_path):
    """A non-empty folder without the job's settings.json is someone
    else's: refused, naming what it holds, nothing removed; an empty one,
    or one with only the log of a run stopped before its settings, is the
    job's; --overwrite runs into it anyway."""
    from projects.sparse_benchmark.sparse_benchmark.run_folder import \
        claim_run_folder
    settings = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    claim_run_folder(settings, overwrite=False)  # empty
    (tmp_path / 'benchmark.log').write_text('started\n')
    claim_run_folder(settings, overwrite=False)  # a stopped run's log
    (tmp_path / 'thesis.tex').write_text('mine')
    with pytest.raises(ValueError,
                       match=r'not a run of this job.*thesis.tex.*--overwrite'):
        claim_run_folder(settings, overwrite=False)
    claim_run_folder(settings, overwrite=True)
    assert (tmp_path / 'thesis.tex').read_text() == 'mine'


def test_an_interrupted_job_says_what_it_keeps(monkeypatch, capsys):
    """Ctrl-C: exit 130 and the message says the finished stages stay and
    a rerun goes on from them (not 'no partial output was left')."""
    tool = load_tool()

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(tool, 'main', interrupted)
    from mmpose_posewarper.utils.cli import run_tool
    assert run_tool(tool.main, [], interrupted=tool.INTERRUPTED) == 130
    err = capsys.readouterr().err
    assert 'rerunning the same command goes on' in err
    assert 'no partial output' not in err


def test_a_bad_pretrained_checkpoint_is_refused_before_anything(tmp_path):
    """--pretrained: a text file, weights with a NaN, or another model's
    weights (all intact files) are refused naming the file, before the
    run's settings (with the checkpoint's sha256) are written."""
    import torch

    from projects.sparse_benchmark.sparse_benchmark.pretrained import \
        pretrained_checkpoint
    from projects.sparse_benchmark.sparse_benchmark.job import \
        run_sparse_benchmark
    from mmpose_posewarper.utils.checkpoint import CheckpointError
    state = torch.load(pretrained_checkpoint(), weights_only=True)
    weights = state.get('state_dict', state)
    other = {k: v for k, v in weights.items() if not k.startswith('head.')}
    torch.save(dict(state_dict=other), str(tmp_path / 'other.pth'))
    name = next(k for k, v in weights.items() if v.is_floating_point())
    weights[name] = weights[name].clone().fill_(float('nan'))
    torch.save(state, str(tmp_path / 'nan.pth'))
    (tmp_path / 'text.pth').write_text('not weights\n')
    for ckpt, problem in (('nan.pth', 'NaN or infinite'),
                          ('other.pth', 'does not fit'),
                          ('text.pth', 'not a PyTorch checkpoint')):
        out = tmp_path / f'out_{ckpt}'
        settings = BenchmarkSettings(out_dir=str(out),
                                     pretrained=str(tmp_path / ckpt))
        with pytest.raises(CheckpointError, match=f'{ckpt}.*{problem}'):
            run_sparse_benchmark(settings)
        assert not (out / 'settings.json').exists()


def test_the_domain_gap_control_is_imaged_and_dressed_as_the_stills(
        tmp_path, monkeypatch):
    """The videos have the video look and suits; the control copy of the
    val videos (the pretrained model's score in its own domain) has the
    stills' look and clothes, and the same videos."""
    calls = []
    monkeypatch.setattr(bdata, 'generate_data',
                        lambda root, config, **_: calls.append(config))
    SparseBenchmark(BenchmarkSettings(out_dir=str(tmp_path))).generate()
    videos, control = calls
    assert (videos.look, videos.wardrobe) == ('video', 'suits')
    assert (control.look, control.wardrobe) == ('stills', 'stills')
    assert control.num_train_videos == 0
    assert (control.num_val_videos, control.seed) == (videos.num_val_videos,
                                                      videos.seed)
    with pytest.raises(ValueError, match='wardrobe must be one of'):
        BenchmarkSettings(out_dir=str(tmp_path), wardrobe='tuxedo')

"""Pretraining the single-frame estimator on generated stills: the data
split, the config (a few iterations, then --resume), the shipped checkpoint
and its provenance."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from projects.sparse_benchmark.sparse_benchmark import data as bdata
from projects.sparse_benchmark.sparse_benchmark.pretrained import (
    PRETRAINED_NAME, RENAMED_CONFIGS, export_pretrained, learning_curve,
    learning_curve_markdown, pretrained_checkpoint, provenance_configs,
    read_provenance, sha256_of)
from projects.sparse_benchmark.sparse_benchmark.settings import CONFIG_DIR
from projects.sparse_benchmark.synthetic import (SyntheticConfig,
                                                 generate_dataset,
                                                 generate_video)

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
PRETRAIN_CONFIG = osp.join(
    CONFIG_DIR,
    'pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py')
STAGE1_CONFIG = osp.join(CONFIG_DIR,
                         'single-frame_hrnet-small_sparse_128x96.py')
SMALL = SyntheticConfig(num_train_videos=0, num_val_videos=1, frames=(3, 3),
                        num_pretrain_videos=3, pretrain_frames=(1, 2),
                        image_size=(128, 96), people=(1, 2), seed=5)


def test_pretrain_clips_are_no_benchmark_video():
    """The pretrain split has its own seed stream and video numbers: none of
    its clips repeats a train or val video of any seed."""
    clip = generate_video(SMALL, 'pretrain', 0)
    assert clip.name == '100001_synthetic_pretrain'
    assert 1 <= clip.num_frames <= 2
    for seed in (0, 5):
        for split in ('train', 'val'):
            config = SyntheticConfig(**{**SMALL.__dict__, 'seed': seed,
                                        'frames': (clip.num_frames, ) * 2})
            other = generate_video(config, split, 0)
            assert not np.array_equal(other.images[0], clip.images[0])
    # and it does not change the benchmark's videos
    with_pretrain = generate_video(SMALL, 'val', 0)
    without = generate_video(
        SyntheticConfig(**{**SMALL.__dict__, 'num_pretrain_videos': 0}),
        'val', 0)
    np.testing.assert_array_equal(with_pretrain.images[-1],
                                  without.images[-1])


@pytest.fixture(scope='module')
def pretrain_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('pretrain_data'))
    generate_dataset(root, SMALL)
    counts = bdata.write_split_coco_files(root)
    return root, counts


def test_split_coco_files_hold_every_person(pretrain_data):
    root, counts = pretrain_data
    assert set(counts) == {'val', 'pretrain'}
    with open(bdata.split_coco_file(root, 'pretrain')) as f:
        coco = json.load(f)
    videos = bdata.load_split(root, 'pretrain')
    assert counts['pretrain'] == len(coco['annotations']) == sum(
        len(v['annotations']) for v in videos.values()) > 0
    assert all(img['file_name'].startswith('images/pretrain/')
               for img in coco['images'])


def _train(args, cwd=REPO):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    proc = subprocess.run([sys.executable, 'tools/train.py', *args], cwd=cwd,
                          env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return proc.stdout + proc.stderr


def test_pretraining_config_trains_validates_resumes_and_exports(
        pretrain_data, tmp_path):
    root = pretrain_data[0].rstrip('/') + '/'
    work_dir = str(tmp_path / 'work')
    options = [
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'val_evaluator.ann_dir={root}annotations/val/',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.checkpoint.interval=2', 'train_cfg.val_interval=2',
    ]
    _train([PRETRAIN_CONFIG, '--work-dir', work_dir, '--cfg-options',
            *options, 'train_cfg.max_iters=2'])
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    output = _train([PRETRAIN_CONFIG, '--work-dir', work_dir, '--resume',
                     '--cfg-options', *options, 'train_cfg.max_iters=4'])
    assert 'resumed' in output.lower() and 'iter: 2' in output.lower(), \
        output[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    # the curve has a validation from each run
    assert [i for i, _ in learning_curve(work_dir)] == [2, 4]

    out_dir = str(tmp_path / 'ckpts')
    provenance = export_pretrained(
        osp.join(work_dir, 'iter_4.pth'), work_dir, ['cmd 1', 'cmd 2'],
        name='tiny', checkpoint_dir=out_dir, log_interval=1)
    assert provenance['iterations'] == 4
    assert provenance['commands'] == ['cmd 1', 'cmd 2']
    assert provenance['val_mAP'] == dict(learning_curve(work_dir))[4]
    shipped = pretrained_checkpoint('tiny', out_dir)
    assert provenance['sha256'] == sha256_of(shipped)
    # a run started from that export (load_from) counts from its end
    continued = export_pretrained(
        osp.join(work_dir, 'iter_2.pth'), work_dir, ['cmd 3'],
        name='tiny_continued', checkpoint_dir=out_dir, log_interval=1,
        continues=provenance)
    assert continued['iterations'] == 4 + 2
    assert [p['iteration'] for p in continued['learning_curve']] == \
        [2, 4, 4 + 2, 4 + 4]
    assert continued['commands'] == ['cmd 1', 'cmd 2', 'cmd 3']
    assert [r['iterations'] for r in continued['runs']] == [4, 2]
    assert continued['training_seconds'] == sum(
        r['training_seconds'] for r in continued['runs'])
    assert continued['val_mAP'] == dict(learning_curve(work_dir))[2]
    assert read_provenance('tiny_continued', out_dir) == continued
    # weights only: no optimiser state
    assert set(torch.load(shipped, map_location='cpu')) == {
        'state_dict', 'meta'}
    # a damaged file is refused before use
    with open(shipped, 'r+b') as f:
        f.seek(100)
        f.write(b'\0' * 8)
    with pytest.raises(ValueError, match='sha256'):
        pretrained_checkpoint('tiny', out_dir)


def test_shipped_checkpoint_matches_its_sha256_and_loads_strictly():
    from mmpose_posewarper.apis.model import init_model
    path = pretrained_checkpoint()
    provenance = read_provenance()
    assert provenance['checkpoint'] == f'{PRETRAINED_NAME}.pth'
    assert provenance['iterations'] > 0 and provenance['val_mAP'] > 0
    assert osp.getsize(path) < 20 * 2**20  # a few MB
    # every weight of the stage-1 model comes from the checkpoint
    model = init_model(STAGE1_CONFIG, path)
    assert model.dataset_meta['num_keypoints'] == 17


def test_pretraining_trains_at_the_from_scratch_rate():
    """Pretraining starts from random weights: it must not inherit stage 1's
    fine-tuning rate (1e-4) but use the rate the shipped run was trained
    with, the stage-1 recipe's scratch_lr (2e-3)."""
    from mmengine.config import Config
    pretrain = Config.fromfile(PRETRAIN_CONFIG)
    stage1 = Config.fromfile(STAGE1_CONFIG)
    assert pretrain.optim_wrapper.optimizer.lr == stage1.scratch_lr == 2e-3
    assert stage1.optim_wrapper.optimizer.lr < stage1.scratch_lr


def test_the_shipped_provenance_names_the_pretraining_phases():
    """The shipped provenance's commands name the configs by their names
    of then; mapped (``RENAMED_CONFIGS``), they are the three phase configs,
    in order, each of them in the repository."""
    runs = provenance_configs(read_provenance())
    assert [config for config, _ in runs] == list(RENAMED_CONFIGS.values())
    for config, work_dir in runs:
        assert osp.isfile(osp.join(REPO, config)), config
        assert work_dir is not None


@pytest.mark.parametrize('phase,iteration', [(2, 7000), (3, 16000)])
def test_continued_pretraining_starts_where_the_previous_phase_ended(
        phase, iteration):
    """Each later phase's config trains the first phase's data and model
    from the previous phase's checkpoint, named where that phase's recorded
    command (the shipped provenance) wrote it (not the shipped file, which
    moves on with each phase), under a schedule of its own; the shipped
    weights load strictly into it."""
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    runs = provenance_configs(read_provenance())
    first = Config.fromfile(PRETRAIN_CONFIG)
    continued = Config.fromfile(osp.join(REPO, runs[phase - 1][0]))
    previous_work_dir = runs[phase - 2][1]
    assert continued.load_from == \
        f'{previous_work_dir}/iter_{iteration}.pth'
    assert continued.model == first.model
    assert continued.train_dataloader == first.train_dataloader
    assert continued.val_evaluator == first.val_evaluator
    assert continued.train_cfg.max_iters > first.train_cfg.max_iters
    assert continued.param_scheduler[-1]['end'] == \
        continued.train_cfg.max_iters
    model = MODELS.build(continued.model)
    load_checkpoint(model, pretrained_checkpoint(), map_location='cpu',
                    strict=True)


def test_keep_confident_joints_drops_low_scores_and_empty_people():
    kp = np.array([[10., 20., 1.], [30., 40., 1.], [0., 0., 0.]])
    video = dict(images=[], annotations=[
        dict(id=1, keypoints=kp, scores=np.array([0.9, 0.1, 0.0])),
        dict(id=2, keypoints=kp, scores=np.array([0.2, 0.05, 0.0])),
        dict(id=3, keypoints=kp),  # manual: kept as is
    ])
    out = bdata.keep_confident_joints(video, 0.2)
    assert [a['id'] for a in out['annotations']] == [1, 3]
    np.testing.assert_array_equal(out['annotations'][0]['keypoints'],
                                  [[10, 20, 1], [0, 0, 0], [0, 0, 0]])
    assert out['annotations'][0]['num_keypoints'] == 1
    # the input is not changed
    assert video['annotations'][0]['keypoints'][1, 2] == 1


def test_doc_learning_curve_is_the_shipped_provenance():
    """docs/sparse_benchmark.md's pretraining curve is the one recorded
    beside the shipped checkpoint (the numbers its training run logged)."""
    curve = read_provenance()['learning_curve']
    with open(osp.join(REPO, 'docs', 'sparse_benchmark.md'),
              encoding='utf-8') as f:
        doc = f.read()
    table = learning_curve_markdown(curve)
    assert table.count('| val mAP |') >= len(curve) / 8
    assert table in doc


@pytest.mark.parametrize('content', [None, b'junk\n'])
def test_export_tool_refuses_a_missing_or_damaged_checkpoint(tmp_path,
                                                              content):
    checkpoint = tmp_path / 'iter_1.pth'
    if content is not None:
        checkpoint.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, 'tools/export_pretrained.py', str(tmp_path),
         '--checkpoint', str(checkpoint), '--out-dir',
         str(tmp_path / 'out')], cwd=REPO, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f'checkpoint {checkpoint}' in proc.stderr
    assert not (tmp_path / 'out').exists()


def test_export_tool_without_checkpoint_needs_a_finished_run(tmp_path):
    """Without --checkpoint the work dir's last_checkpoint is exported; a
    work dir without one is refused with what to pass instead."""
    proc = subprocess.run(
        [sys.executable, 'tools/export_pretrained.py', str(tmp_path),
         '--out-dir', str(tmp_path / 'out')], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'last_checkpoint: not found; pass --checkpoint' in proc.stderr
    assert not (tmp_path / 'out').exists()


def test_job_refuses_a_missing_pretrained_checkpoint(tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/run_sparse_benchmark.py', '--out',
         str(tmp_path / 'run'), '--pretrained', str(tmp_path / 'no.pth')],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'no.pth does not exist' in proc.stderr


@pytest.mark.parametrize('content,message', [
    ('{"iterations": 7000}', 'earlier.json: learning_curve: missing'),
    ('{"iterations": 7000, "learning_curve": [5], "training_seconds": 1, '
     '"commands": []}', 'earlier.json: learning_curve[0]: expected an object'),
    ('[1, 2]', 'holds a list'),
    ('{junk', 'not a JSON file'),
])
def test_export_tool_refuses_a_bad_provenance_to_continue(tmp_path, content,
                                                          message):
    """--continues is checked before anything is written."""
    earlier = tmp_path / 'earlier.json'
    earlier.write_text(content)
    checkpoint = tmp_path / 'iter_1.pth'
    torch.save(dict(state_dict={'w': torch.zeros(1)}, meta=dict(iter=1)),
               checkpoint)
    proc = subprocess.run(
        [sys.executable, 'tools/export_pretrained.py', str(tmp_path),
         '--checkpoint', str(checkpoint), '--continues', str(earlier),
         '--out-dir', str(tmp_path / 'out')], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert message in proc.stderr
    assert not (tmp_path / 'out').exists()

"""End-to-end runs of the training / testing entry points on CPU:
``mim train`` → checkpoint → ``mim test``; ``--resume``; 2-process
``torchrun`` with both ranks ending on identical weights."""
import json
import os
import os.path as osp
import subprocess

import pytest
import torch

from .conftest import BIN, PYTHON, REPO, TINY_CONFIG, data_options


def _run(cmd, cwd=REPO, timeout=900):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    return output


def test_mim_train_then_mim_test(tiny_posetrack, tmp_path):
    work_dir = str(tmp_path / 'train')
    _run([
        osp.join(BIN, 'mim'), 'train', 'mmpose_posewarper', TINY_CONFIG,
        '--work-dir', work_dir, '--no-validate', '--cfg-options',
        *data_options(tiny_posetrack)
    ])
    checkpoint = osp.join(work_dir, 'epoch_1.pth')
    assert osp.isfile(checkpoint)

    metrics_file = str(tmp_path / 'metrics.json')
    output = _run([
        osp.join(BIN, 'mim'), 'test', 'mmpose_posewarper', TINY_CONFIG,
        '--checkpoint', checkpoint, '--work-dir', str(tmp_path / 'test'),
        '--out', metrics_file, '--cfg-options',
        *data_options(tiny_posetrack)
    ])
    assert f'Load checkpoint from {checkpoint}' in output
    with open(metrics_file) as f:
        metrics = json.load(f)
    assert 0.0 <= metrics['posetrack/AP'] <= 100.0


def test_resume_continues_from_the_checkpoint(tiny_posetrack, tmp_path):
    work_dir = str(tmp_path / 'work')
    base = [
        PYTHON, 'tools/train.py', TINY_CONFIG, '--work-dir', work_dir,
        '--no-validate', '--cfg-options', *data_options(tiny_posetrack)
    ]
    _run(base)
    first = torch.load(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')

    output = _run(base[:-6] + ['--resume'] + base[-6:] +
                  ['train_cfg.max_epochs=2'])
    assert 'resumed epoch: 1' in output, output[-3000:]
    second = torch.load(osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    assert second['meta']['epoch'] == 2
    assert second['meta']['iter'] == 2 * first['meta']['iter']
    # the optimizer state travelled: Adam's step count continued
    steps = [s['step'] for s in second['optimizer']['state'].values()]
    assert steps and all(int(s) == second['meta']['iter'] for s in steps)


def test_torchrun_two_cpu_ranks_end_identical(tiny_posetrack, tmp_path):
    work_dir = str(tmp_path / 'ddp')
    output = _run([
        osp.join(BIN, 'torchrun'), '--nproc_per_node', '2', '--master_port',
        '29517', 'tools/train.py', TINY_CONFIG, '--launcher', 'pytorch',
        '--work-dir', work_dir, '--no-validate', '--cfg-options',
        *data_options(tiny_posetrack), 'train_dataloader.batch_size=2',
        'custom_hooks.0.dump_state=True'
    ])
    if not torch.cuda.is_available():
        assert "backend 'gloo'" in output
    rank0 = torch.load(osp.join(work_dir, 'rank0_params.pth'))
    rank1 = torch.load(osp.join(work_dir, 'rank1_params.pth'))
    assert rank0.keys() == rank1.keys()
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name
    # training happened: the offset convs start at zero
    assert rank0['neck.offset_layers.0.weight'].abs().sum() > 0

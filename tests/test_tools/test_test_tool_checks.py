"""tools/test.py refuses a checkpoint that does not fit the configured model
(MMEngine would log the missing keys and score random weights) or is
damaged: exit 2 with the file and what is wrong, before any testing."""
import os.path as osp
import sys

import pytest
import torch

from .conftest import REPO, TINY_CONFIG, import_tool

TINY_TOPDOWN = osp.join(REPO, 'configs/posewarper/tiny/topdown_tiny_64x48.py')


@pytest.fixture(scope='module')
def test_tool():
    return import_tool('test')


def run(test_tool, monkeypatch, tmp_path, checkpoint):
    monkeypatch.setattr(sys, 'argv', [
        'test.py', TINY_CONFIG,
        str(checkpoint), '--work-dir',
        str(tmp_path / 'work')
    ])
    from mmpose_posewarper.utils.cli import run_tool
    return run_tool(test_tool.main)


def test_checkpoint_of_another_model(test_tool, monkeypatch, tmp_path,
                                     capfd):
    from mmpose_posewarper.apis import init_model
    single_frame = init_model(TINY_TOPDOWN)
    path = tmp_path / 'stage1.pth'
    torch.save({'state_dict': single_frame.state_dict()}, str(path))
    assert run(test_tool, monkeypatch, tmp_path, path) == 2
    err = capfd.readouterr().err
    assert f'error: checkpoint {path}: state_dict: does not fit the ' \
        'configured PoseWarper' in err


def test_damaged_checkpoint(test_tool, monkeypatch, tmp_path, capfd):
    path = tmp_path / 'empty.pth'
    path.write_bytes(b'')
    assert run(test_tool, monkeypatch, tmp_path, path) == 2
    assert f'error: checkpoint {path}: the file is empty' in \
        capfd.readouterr().err

"""tools/train.py --resume refuses damaged, empty, weights-only and
stage-mismatched checkpoints (exit 2, the file and what is wrong) instead of
training on from wrong weights or failing with a bare KeyError/EOFError."""
import os.path as osp
import struct
import zipfile

import pytest
import torch

from .conftest import TINY_CONFIG, data_options, import_tool


@pytest.fixture(scope='module')
def train_tool():
    return import_tool('train')


@pytest.fixture(scope='module')
def model_state():
    """The weights of the tiny config's model (a PoseWarper)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    import mmpose_posewarper  # noqa: F401
    init_default_scope('mmpose')
    return MODELS.build(Config.fromfile(TINY_CONFIG).model).state_dict()


def training_checkpoint(path, state, **meta):
    torch.save(
        dict(
            meta=dict(epoch=1, iter=2, **meta),
            state_dict=state,
            message_hub={},
            optimizer={}), str(path))
    return path


def resume(train_tool, tmp_path, tiny_posetrack, ckpt):
    return train_tool.main([
        TINY_CONFIG, '--work-dir',
        str(tmp_path / 'work'), '--no-validate', '--resume',
        str(ckpt), '--cfg-options', *data_options(tiny_posetrack)
    ])


def test_corrupted_checkpoint(train_tool, tmp_path, tiny_posetrack,
                              model_state, capfd):
    path = training_checkpoint(tmp_path / 'epoch_1.pth', model_state)
    data = bytearray(path.read_bytes())
    # flip up to 2000 bytes in the middle of the largest tensor's data
    with zipfile.ZipFile(str(path)) as archive:
        info = max(archive.infolist(), key=lambda i: i.file_size)
    # the data follows the local header (30 bytes, name, extra field)
    head = info.header_offset
    name_len, extra_len = struct.unpack('<HH', data[head + 26:head + 30])
    start = head + 30 + name_len + extra_len + info.file_size // 4
    for i in range(start, start + min(2000, info.file_size // 2)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert resume(train_tool, tmp_path, tiny_posetrack, path) == 2
    err = capfd.readouterr().err
    assert f'error: --resume: checkpoint {path}: corrupted: the member ' \
        f'{info.filename} fails its CRC check' in err
    assert not osp.exists(tmp_path / 'work' / 'epoch_2.pth')


def test_empty_checkpoint(train_tool, tmp_path, tiny_posetrack, capfd):
    path = tmp_path / 'epoch_1.pth'
    path.write_bytes(b'')
    assert resume(train_tool, tmp_path, tiny_posetrack, path) == 2
    assert f'checkpoint {path}: the file is empty (0 bytes)' in \
        capfd.readouterr().err


def test_weights_only_checkpoint(train_tool, tmp_path, tiny_posetrack,
                                 model_state, capfd):
    # e.g. a converted checkpoint or stage-1 weights: no training state
    path = tmp_path / 'converted.pth'
    torch.save(dict(state_dict=model_state, meta=dict(converted_from='x')),
               str(path))
    assert resume(train_tool, tmp_path, tiny_posetrack, path) == 2
    err = capfd.readouterr().err
    assert f'checkpoint {path}: meta.epoch: missing: it is not a training ' \
        'checkpoint' in err
    assert f'--cfg-options load_from={path} instead of --resume' in err


def test_stage_mismatched_checkpoint(train_tool, tmp_path, tiny_posetrack,
                                     model_state, capfd):
    # a stage-1 (single-frame) training checkpoint: no warping module
    stage1 = {k: v for k, v in model_state.items()
              if not k.startswith('neck.')}
    path = training_checkpoint(tmp_path / 'stage1_epoch_1.pth', stage1)
    assert resume(train_tool, tmp_path, tiny_posetrack, path) == 2
    err = capfd.readouterr().err
    num_neck = len([k for k in model_state if k.startswith('neck.')
                    and not k.endswith('num_batches_tracked')])
    assert f'checkpoint {path}: state_dict: does not fit the configured ' \
        f'PoseWarper: {num_neck} of its' in err
    assert 'another stage or model' in err

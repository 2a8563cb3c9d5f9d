"""Checkpoint integrity (utils/checkpoint.py): damaged, empty, foreign and
stage-mismatched checkpoints are refused with the file and what is wrong."""
import pickle

import pytest
import torch

from mmpose_posewarper.utils.checkpoint import (
    CheckpointError, CheckpointNotWeightsOnlyError, check_checkpoint_file,
    check_checkpoint_fits, check_initial_weights, check_training_checkpoint,
    last_checkpoint, load_checkpoint_file)


def save(path, obj, **kwargs):
    torch.save(obj, str(path), **kwargs)
    return path


def weights(n=20000):
    return {'state_dict': {'w': torch.arange(n, dtype=torch.float32)}}


def flip_bytes(path, start, count=2000):
    data = bytearray(path.read_bytes())
    for i in range(start, start + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_intact_checkpoints_load(tmp_path):
    new = save(tmp_path / 'new.pth', weights())
    legacy = save(tmp_path / 'legacy.pth', weights(),
                  _use_new_zipfile_serialization=False)
    for path in (new, legacy):
        check_checkpoint_file(str(path))
        ckpt = load_checkpoint_file(str(path))
        assert torch.equal(ckpt['state_dict']['w'], weights()['state_dict']['w'])


def test_flipped_bytes_are_found(tmp_path):
    path = save(tmp_path / 'epoch_1.pth', weights())
    # 2000 bytes inside the tensor data (80 kB of floats in the middle)
    flip_bytes(path, path.stat().st_size // 2)
    # torch alone loads it, with wrong weights and no error
    loaded = torch.load(str(path), weights_only=True)['state_dict']['w']
    assert not torch.equal(loaded, weights()['state_dict']['w'])
    with pytest.raises(CheckpointError,
                       match=r'epoch_1.pth: corrupted: the member .*/data/0 '
                       r'fails its CRC check'):
        load_checkpoint_file(str(path))


@pytest.mark.parametrize('content, problem', [
    (b'', r'the file is empty \(0 bytes\)'),
    (b'{"state_dict": 1}\n', r"not a PyTorch checkpoint: it is text, "
     r"beginning with '\{\"state_dict"),
    (b'\x00\x01\x02' * 30, r'not a PyTorch checkpoint \(unknown format'),
    (pickle.dumps({'a': 1}, protocol=2), 'a pickle file but not a PyTorch'),
])
def test_foreign_files(tmp_path, content, problem):
    path = tmp_path / 'x.pth'
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=rf'checkpoint .*x.pth: {problem}'):
        load_checkpoint_file(str(path))
    with pytest.raises(CheckpointError, match=problem):  # unsafe load too
        load_checkpoint_file(str(path), weights_only=False)


def test_missing_directory_and_truncated(tmp_path):
    with pytest.raises(CheckpointError, match='nope.pth: no such file'):
        check_checkpoint_file(str(tmp_path / 'nope.pth'))
    with pytest.raises(CheckpointError, match='is a directory'):
        check_checkpoint_file(str(tmp_path))
    path = save(tmp_path / 'cut.pth', weights())
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match=r'cut.pth: truncated or '
                       r'corrupted \(5000 bytes'):
        check_checkpoint_file(str(path))


class Custom:
    """An object weights-only loading refuses (like MMPose 0.x metadata)."""


def test_unsafe_objects_are_a_separate_error(tmp_path):
    path = save(tmp_path / 'old.pth', {'state_dict': {}, 'meta': Custom()})
    with pytest.raises(CheckpointNotWeightsOnlyError,
                       match='safe .weights-only. loading refuses'):
        load_checkpoint_file(str(path))
    assert isinstance(
        load_checkpoint_file(str(path), weights_only=False)['meta'], Custom)


def test_training_checkpoint_fields(tmp_path):
    path = save(tmp_path / 'stage1.pth', weights())
    with pytest.raises(CheckpointError,
                       match=r'stage1.pth: meta: missing: it is not a '
                       r'training checkpoint.*load_from='):
        check_training_checkpoint(str(path))
    path = save(tmp_path / 'converted.pth', dict(weights(), meta={'x': 1}))
    with pytest.raises(CheckpointError, match=r'meta.epoch: missing'):
        check_training_checkpoint(str(path))
    path = save(tmp_path / 'nohub.pth',
                dict(weights(), meta=dict(epoch=1, iter=3)))
    with pytest.raises(CheckpointError, match=r'message_hub: missing'):
        check_training_checkpoint(str(path))
    path = save(tmp_path / 'ok.pth',
                dict(weights(), meta=dict(epoch=1, iter=3), message_hub={},
                     optimizer={}))
    assert check_training_checkpoint(str(path)) == {'w': (20000, )}


def test_checkpoint_must_hold_every_weight_of_the_model():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    check_checkpoint_fits('ok.pth', shapes, model)
    with pytest.raises(CheckpointError,
                       match=r'stage1.pth: state_dict: does not fit the '
                       r'configured Sequential: 2 of its 4 weights are '
                       r'missing \(e.g. 1.weight, 1.bias\)'):
        check_checkpoint_fits('stage1.pth',
                              {k: v for k, v in shapes.items()
                               if k.startswith('0.')}, model)
    with pytest.raises(CheckpointError, match=r'1 have other shapes \(e.g. '
                       r'0.bias: \(4,\) in the checkpoint, \(3,\)'):
        check_checkpoint_fits('x.pth', dict(shapes, **{'0.bias': (4, )}),
                              model)


def test_initial_weights_are_intact_finite_and_fit(tmp_path):
    """What a training starts from (load_from, --pretrained): NaN or Inf
    values are refused naming the tensor (also for --resume); a strict fit
    but for the prefixes the config names as new; the sha256 only after."""
    import hashlib
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    state = model.state_dict()
    path = save(tmp_path / 'ok.pth', dict(state_dict=state))
    assert check_initial_weights(str(path), model) == hashlib.sha256(
        path.read_bytes()).hexdigest()
    bad = dict(state, **{'1.weight': torch.tensor([[0.0, float('nan'), 1]])})
    path = save(tmp_path / 'nan.pth', dict(state_dict=bad))
    with pytest.raises(CheckpointError, match=r'nan.pth: 1.weight: 1 of its '
                       r'3 values are NaN or infinite'):
        check_initial_weights(str(path), model)
    path = save(tmp_path / 'nan_run.pth',
                dict(state_dict=bad, meta=dict(epoch=1, iter=3),
                     message_hub={}, optimizer={}))
    with pytest.raises(CheckpointError, match=r'1.weight: 1 of its 3'):
        check_training_checkpoint(str(path))
    first = {k: v for k, v in state.items() if k.startswith('0.')}
    path = save(tmp_path / 'stage1.pth', dict(state_dict=first))
    with pytest.raises(CheckpointError, match=r'2 of its 4 weights are '
                       r'missing'):
        check_initial_weights(str(path), model)
    check_initial_weights(str(path), model, new_weights=('1.', ))


def test_init_model_refuses_a_damaged_checkpoint(tmp_path):
    import os.path as osp

    from mmpose_posewarper.apis import init_model
    config = osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), 'configs/posewarper/tiny/'
        'posewarper_tiny_64x48.py')
    path = save(tmp_path / 'stage2.pth', weights())
    flip_bytes(path, path.stat().st_size // 2)
    with pytest.raises(CheckpointError, match='stage2.pth: corrupted'):
        init_model(config, str(path))


def test_last_checkpoint_is_looked_up_in_the_work_dir_itself(tmp_path):
    """MMEngine's last_checkpoint holds an absolute path; a moved work dir
    finds its own copy, and a missing record or checkpoint is named."""
    moved = tmp_path / 'moved'
    moved.mkdir()
    with pytest.raises(FileNotFoundError, match='last_checkpoint: not found'):
        last_checkpoint(str(moved))
    (moved / 'last_checkpoint').write_text(
        str(tmp_path / 'original' / 'iter_600.pth'))
    with pytest.raises(FileNotFoundError, match="names 'iter_600.pth'"):
        last_checkpoint(str(moved))
    save(moved / 'iter_600.pth', {'state_dict': {}})
    assert last_checkpoint(str(moved)) == str(moved / 'iter_600.pth')

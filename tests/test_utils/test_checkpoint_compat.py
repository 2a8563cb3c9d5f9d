"""MMEngine checkpoints must load under torch's weights_only default."""
import collections
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

from mmpose_posewarper.utils import (allow_mmengine_checkpoints,
                                     checkpoint_safe_globals)


def _mmengine_like_checkpoint(path):
    hub = MessageHub.get_instance('ckpt-compat-test')
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('epoch_stats', np.arange(3, dtype=np.int64))
    save_checkpoint(
        dict(
            meta=dict(epoch=1, iter=7, seed=np.int64(3)),
            state_dict=dict(weight=torch.ones(2, 2)),
            message_hub=hub.state_dict()), str(path))


def test_safe_globals_cover_message_hub(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    _mmengine_like_checkpoint(path)
    torch.serialization.clear_safe_globals()
    try:
        needed = torch.serialization.get_unsafe_globals_in_checkpoint(
            str(path))
    finally:
        allow_mmengine_checkpoints()
    allowed = {
        g[1] if isinstance(g, tuple) else f'{g.__module__}.{g.__qualname__}'
        for g in checkpoint_safe_globals()
    }
    assert needed, 'the fixture should hold non-tensor objects'
    assert set(needed) <= allowed, set(needed) - allowed


def test_load_fails_without_and_works_with_allowlist(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    _mmengine_like_checkpoint(path)
    torch.serialization.clear_safe_globals()
    try:
        with pytest.raises(pickle.UnpicklingError):
            _load_checkpoint(str(path), map_location='cpu')
    finally:
        allow_mmengine_checkpoints()
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 7
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375)
    np.testing.assert_array_equal(
        ckpt['message_hub']['runtime_info']['epoch_stats'], np.arange(3))


def test_getattr_stand_in_refuses_other_attributes(tmp_path):
    """Allowing MMEngine's getattr must not allow getattr in general."""

    class Payload:

        def __reduce__(self):
            # OrderedDict itself is allowed by torch; reaching into it is not
            return getattr, (collections.OrderedDict, 'fromkeys')

    path = tmp_path / 'evil.pth'
    torch.save({'x': Payload()}, str(path))
    allow_mmengine_checkpoints()
    with pytest.raises(pickle.UnpicklingError, match='only'):
        torch.load(str(path), map_location='cpu')

"""init_model: the one loader of models; a checkpoint that does not fit the
configured model is an error (MMPose's init_model would only log it)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpose_posewarper.apis import init_model, load_checked_checkpoint
from mmpose_posewarper.utils import CheckpointError, CheckpointMismatchError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_STAGE2 = osp.join(ROOT, 'configs/posewarper/tiny/posewarper_tiny_64x48.py')
TINY_STAGE1 = osp.join(ROOT, 'configs/posewarper/tiny/topdown_tiny_64x48.py')


def save_weights(path, config):
    model = init_model(config)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return model


def test_checkpoint_of_the_configured_model_loads(tmp_path):
    saved = save_weights(tmp_path / 'stage1.pth', TINY_STAGE1)
    model = init_model(TINY_STAGE1, str(tmp_path / 'stage1.pth'))
    for key, value in saved.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    assert not model.training


def test_checkpoint_of_another_model_is_an_error(tmp_path):
    save_weights(tmp_path / 'stage1.pth', TINY_STAGE1)
    with pytest.raises(CheckpointMismatchError,
                       match=r'stage1\.pth: state_dict: does not fit the '
                       r'configured PoseWarper: \d+ of its \d+ weights are '
                       r'missing \(e\.g\. neck\..*neck\.offset'):
        init_model(TINY_STAGE2, str(tmp_path / 'stage1.pth'))


def test_checkpoint_with_other_shapes_is_an_error(tmp_path):
    model = init_model(TINY_STAGE1)
    state = model.state_dict()
    key = next(k for k, v in state.items() if v.dim() == 4)
    state[key] = torch.zeros(1, *state[key].shape[1:])
    torch.save({'state_dict': state}, str(tmp_path / 'other.pth'))
    with pytest.raises(CheckpointMismatchError, match='1 have other shapes'):
        load_checked_checkpoint(model, str(tmp_path / 'other.pth'))
    # a CheckpointError: the tools exit 2 with its message
    assert issubclass(CheckpointMismatchError, CheckpointError)


def test_require_warping_refuses_a_single_frame_model():
    with pytest.raises(TypeError, match='needs a PoseWarper model'):
        init_model(TINY_STAGE1, require_warping=True)
    assert callable(init_model(TINY_STAGE2, require_warping=True).neck.warp)


def test_dataset_meta_defaults_to_posetrack18():
    cfg = Config.fromfile(TINY_STAGE2)
    model = init_model(cfg)
    assert model.dataset_meta['dataset_name'] == 'posetrack18'
    assert model.dataset_meta['num_keypoints'] == 17


@pytest.mark.parametrize('name, new', [
    ('load_checked_checkpoint',
     'mmpose_posewarper.apis.model.load_checked_checkpoint'),
    ('CheckpointMismatchError',
     'mmpose_posewarper.utils.checkpoint.CheckpointMismatchError'),
    ('frame_number',
     'mmpose_posewarper.datasets.posetrack_videos.frame_number'),
    ('labeled_frames',
     'mmpose_posewarper.datasets.posetrack_videos.labeled_frames'),
    ('videos_to_coco',
     'mmpose_posewarper.datasets.posetrack_videos.videos_to_coco'),
    ('write_json_atomic',
     'mmpose_posewarper.datasets.posetrack_io.write_json_atomic'),
])
def test_old_propagation_names_warn_and_still_work(name, new):
    import importlib

    from mmpose_posewarper.apis import propagation
    module, attr = new.rsplit('.', 1)
    with pytest.warns(DeprecationWarning, match=f'{name} moved to {new}'):
        old = getattr(propagation, name)
    assert old is getattr(importlib.import_module(module), attr)
    with pytest.raises(AttributeError):
        propagation.no_such_name


def test_old_load_pose_model_keeps_its_signature(tmp_path):
    from mmpose_posewarper.apis import propagation
    with pytest.warns(DeprecationWarning,
                      match='load_pose_model moved to '
                      'mmpose_posewarper.apis.model.init_model'):
        load_pose_model = propagation.load_pose_model
    # (config, checkpoint, device, require_warping), positionally
    with pytest.raises(TypeError, match='needs a PoseWarper model'):
        load_pose_model(TINY_STAGE1, None, 'cpu', True)
    save_weights(tmp_path / 'stage2.pth', TINY_STAGE2)
    model = load_pose_model(TINY_STAGE2, str(tmp_path / 'stage2.pth'), 'cpu',
                            True)
    assert callable(model.neck.warp)

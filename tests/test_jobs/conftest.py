"""Fixtures of the job tests (label propagation, augmentation, demo)."""
import pytest

from ._helpers import SHARED_DATA, TINY_TOPDOWN, save_tiny_model


@pytest.fixture(scope='session')
def identity_posewarper(tmp_path_factory):
    """A tiny PoseWarper checkpoint with the original's init: its warp is
    the identity (zero offsets, identity deformable kernels)."""
    return save_tiny_model(
        tmp_path_factory.mktemp('ckpt') / 'posewarper_identity.pth')


@pytest.fixture(scope='session')
def topdown_checkpoint(tmp_path_factory):
    """A tiny single-frame top-down checkpoint (the wrong model for
    propagation)."""
    return save_tiny_model(
        tmp_path_factory.mktemp('ckpt') / 'topdown.pth',
        config=TINY_TOPDOWN,
        identity=False)


@pytest.fixture(scope='session')
def shared_data():
    if not (SHARED_DATA / 'videos' / 'demo_960x540_5f.mp4').is_file():
        pytest.skip(f'real sample data not found in {SHARED_DATA}')
    return SHARED_DATA

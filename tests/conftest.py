"""Fixtures shared by every test folder: the real sample data in
../shared/data (a missing sample fails the test, naming the path) and tiny
checkpoints of the job tests (tests/_helpers)."""
from pathlib import Path

import pytest

from _helpers.jobs import TINY_TOPDOWN, save_detector, save_tiny_model
from _helpers.sample_data import (POSETRACK18_GT_DIR, SHARED_DATA,
                                  require_sample_data)


@pytest.fixture(scope='session')
def shared_data() -> Path:
    """``../shared/data``: the real sample clips and PoseTrack18 sample."""
    require_sample_data(SHARED_DATA)
    return SHARED_DATA


@pytest.fixture(scope='session')
def posetrack18_data() -> Path:
    """``../shared/data/posetrack18``: the PoseTrack18 sample (per-video
    ground truth, the merged COCO-style file, detections, frames)."""
    return require_sample_data(
        POSETRACK18_GT_DIR,
        POSETRACK18_GT_DIR.parent / 'test_posetrack18_val.json')


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


@pytest.fixture(scope='module')
def detector_checkpoint(tmp_path_factory):
    """Random weights of the tiny RetinaNet (the demo and inferencer
    tests' detector)."""
    return save_detector(
        tmp_path_factory.mktemp('det') / 'tiny_retinanet.pth')

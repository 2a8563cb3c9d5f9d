"""The real sample data of the tests: ``../shared/data`` next to the
repository (see its README.md), one definition for every test folder.

CI has it, so a missing sample is a failure that names the path, not a
skip. ``POSEWARPER_SHARED_DATA`` points the tests at another copy (e.g. from
a git worktree that has no ``../shared``).
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(
    os.environ.get('POSEWARPER_SHARED_DATA')
    or REPO.parent / 'shared' / 'data')
#: the PoseTrack18 sample: per-video ground truth, the merged COCO-style
#: file, detections, labeled frames and 5 consecutive real frames
POSETRACK18 = SHARED_DATA / 'posetrack18'
POSETRACK18_GT_DIR = POSETRACK18 / 'annotations' / 'val'
POSETRACK18_DETECTIONS = (POSETRACK18 / 'annotations' /
                          'test_posetrack18_human_detections.json')
#: 5 consecutive real 1280x720 frames (no annotations)
POSETRACK18_FRAMES = POSETRACK18 / 'videos' / '000001_mpiinew_test'


def require_sample_data(*paths: Path) -> Path:
    """Fail the calling test, naming the path, if one of ``paths`` (default:
    the PoseTrack18 sample's ground truth) is missing.

    Returns:
        Path: The PoseTrack18 sample's root (``../shared/data/posetrack18``).
    """
    for path in paths or (POSETRACK18_GT_DIR, ):
        if not Path(path).exists():
            pytest.fail(
                f'sample data missing: {path} (the real samples in '
                f'../shared/data, see its README.md; set '
                f'POSEWARPER_SHARED_DATA to use another copy)',
                pytrace=False)
    return POSETRACK18

"""Fixtures of the dataset tests (helpers live in _helpers.py; the real
sample data is the root conftest.py's ``posetrack18_data``)."""
import pytest

from _helpers.sample_data import require_sample_data

from ._helpers import REAL_FRAMES, write_video


@pytest.fixture
def make_video(tmp_path):
    """Factory: ``make_video(name, nframes, labeled, ...)`` writes a tiny
    PoseTrack18-format video under ``tmp_path`` (see ``write_video``) made
    of the real sample frames."""
    require_sample_data(REAL_FRAMES)

    def _make(name='000001_mpiinew_test', nframes=5, labeled=(2, ), **kwargs):
        return write_video(tmp_path, name, nframes, labeled, **kwargs)

    return _make

"""Fixtures of the dataset tests (helpers live in _helpers.py)."""
from pathlib import Path

import pytest

from ._helpers import require_sample_data, write_video


@pytest.fixture(scope='session')
def data_root() -> Path:
    """The real PoseTrack18 sample data in ../shared/data (skips if absent)."""
    return require_sample_data()


@pytest.fixture
def make_video(tmp_path):
    """Factory: ``make_video(name, nframes, labeled, ...)`` writes a tiny
    PoseTrack18-format video under ``tmp_path`` (see ``write_video``)."""

    def _make(name='000001_mpiinew_test', nframes=5, labeled=(2, ), **kwargs):
        return write_video(tmp_path, name, nframes, labeled, **kwargs)

    return _make

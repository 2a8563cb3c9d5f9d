"""Small synthetic videos shared by the tests of this folder."""
import numpy as np
import pytest

from projects.sparse_benchmark.synthetic import (SyntheticConfig,
                                                 generate_dataset,
                                                 generate_video)
from projects.sparse_benchmark.synthetic.generator import SPLITS

# Small but not trivial: 2-3 people per video so people occlude each other,
# long enough for motion to show (generated in about a second).
TEST_CONFIG = SyntheticConfig(num_train_videos=2, num_val_videos=1,
                              frames=(14, 14), image_size=(128, 96),
                              people=(2, 3), seed=7)


@pytest.fixture(scope='session')
def videos():
    """The in-memory videos of :data:`TEST_CONFIG`."""
    return [
        generate_video(TEST_CONFIG, split, index) for split in SPLITS
        for index in range(TEST_CONFIG.num_videos(split))
    ]


@pytest.fixture(scope='session')
def dataset(tmp_path_factory):
    """``(root, manifest)`` of :data:`TEST_CONFIG` written to disk."""
    root = tmp_path_factory.mktemp('synthetic')
    return str(root), generate_dataset(str(root), TEST_CONFIG)


def assert_same_scene(a, b):
    """Two renders of one video (another look or wardrobe) have the same
    frames, people, motion and ground truth."""
    assert a.num_frames == b.num_frames
    for people_a, people_b in zip(a.people, b.people):
        for p, q in zip(people_a, people_b):
            np.testing.assert_array_equal(p.keypoints, q.keypoints)
            np.testing.assert_array_equal(p.visible, q.visible)
    for map_a, map_b in zip(a.part_maps, b.part_maps):
        np.testing.assert_array_equal(map_a, map_b)

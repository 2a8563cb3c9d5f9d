"""The videos' look against the pretraining stills' (synthetic.imaging)."""
import dataclasses

import cv2
import numpy as np
import pytest

from projects.sparse_benchmark.synthetic import SyntheticConfig
from projects.sparse_benchmark.synthetic.generator import generate_video

from .conftest import TEST_CONFIG, assert_same_scene


def _pair(split, index=0):
    stills = generate_video(dataclasses.replace(TEST_CONFIG, look='stills'),
                            split, index)
    video = generate_video(dataclasses.replace(TEST_CONFIG, look='video'),
                           split, index)
    return stills, video


def _statistics(images):
    """Mean over frames of the grey levels' spread and of the colours'
    spread (of blue - green and red - green: a colour cast moves them, a
    desaturation narrows them)."""
    spread, colour = [], []
    for img in images:
        x = img.astype(np.float32)
        spread.append(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).std())
        colour.append((x[..., 0] - x[..., 1]).std() +
                      (x[..., 2] - x[..., 1]).std())
    return np.mean(spread), np.mean(colour)


@pytest.mark.parametrize('split', ['train', 'val'])
def test_the_video_look_changes_pixels_only(split):
    """Same scenes, people, motion and ground truth; washed-out, less
    saturated images than the plain render of the same video."""
    stills, video = _pair(split)
    assert_same_scene(stills, video)
    spread_s, sat_s = _statistics(stills.images)
    spread_v, sat_v = _statistics(video.images)
    assert spread_v < 0.95 * spread_s
    assert sat_v < 0.85 * sat_s


def test_pretraining_stills_keep_the_plain_render():
    """The pretrain split has the stills' look whatever ``look`` says: the
    shipped checkpoint's data are unchanged."""
    stills, video = _pair('pretrain')
    for a, b in zip(stills.images, video.images):
        np.testing.assert_array_equal(a, b)


def test_an_unknown_look_is_refused():
    with pytest.raises(ValueError, match='look must be one of'):
        SyntheticConfig(look='film')

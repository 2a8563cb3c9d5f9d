"""The videos' wardrobe against the pretraining stills' (one-piece suits,
``SyntheticConfig.wardrobe``)."""
import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from projects.sparse_benchmark.synthetic import SyntheticConfig
from projects.sparse_benchmark.synthetic.appearance import (Material,
                                                            sample_appearance,
                                                            wear_suit)
from projects.sparse_benchmark.synthetic.generator import (_dress_in_suits,
                                                           generate_video)
from projects.sparse_benchmark.synthetic.skeleton import (PART_INDEX,
                                                          PARTS_PER_PERSON)

from .conftest import TEST_CONFIG, assert_same_scene


def _pair(split, index=0):
    """One video as the stills' people dress and in suits, both in the
    stills' look so that only clothes differ."""
    config = dataclasses.replace(TEST_CONFIG, look='stills')
    return (generate_video(dataclasses.replace(config, wardrobe='stills'),
                           split, index),
            generate_video(dataclasses.replace(config, wardrobe='suits'),
                           split, index))


def _top_bottom_contrast(video):
    """Mean over people and frames of the colour distance between a
    person's torso and thighs (each at least 20 pixels)."""
    distances = []
    for image, part_map in zip(video.images, video.part_maps):
        for person in range(len(video.people[0])):
            base = PARTS_PER_PERSON * person
            torso = part_map == base + PART_INDEX['torso']
            thighs = np.isin(part_map, [base + PART_INDEX['l_thigh'],
                                        base + PART_INDEX['r_thigh']])
            if torso.sum() >= 20 and thighs.sum() >= 20:
                distances.append(np.linalg.norm(
                    image[torso].mean(0) - image[thighs].mean(0)))
    assert len(distances) >= 10
    return float(np.mean(distances))


@pytest.mark.parametrize('split', ['train', 'val'])
def test_suits_change_clothes_only(split):
    """Same scenes, motion and ground truth; the clothes' colour edge
    between top and trousers is gone."""
    stills, suits = _pair(split)
    assert_same_scene(stills, suits)
    assert _top_bottom_contrast(suits) < 0.5 * _top_bottom_contrast(stills)


def test_pretraining_stills_keep_their_clothes():
    stills, suits = _pair('pretrain')
    for a, b in zip(stills.images, suits.images):
        np.testing.assert_array_equal(a, b)


def test_a_suit_covers_body_arms_legs_and_feet():
    person = sample_appearance(np.random.default_rng(0))
    suit = Material(np.array([10, 20, 30], np.float32))
    worn = wear_suit(person, suit)
    for part in ('torso', 'l_upper_arm', 'r_forearm', 'l_thigh', 'r_shank',
                 'l_foot'):
        assert worn.material(part) is suit
    for part in ('head', 'neck', 'hair'):
        assert worn.material(part) is person.material(part)


def test_a_team_wears_one_suit():
    """People who share a kit (``scene.sample_scene``'s teams) share their
    suit; the others each get their own."""
    rng = np.random.default_rng(0)
    kit, other = sample_appearance(rng), sample_appearance(rng)
    team_mate = dataclasses.replace(
        sample_appearance(rng),
        materials={**sample_appearance(rng).materials,
                   'top': kit.materials['top']})
    scene = SimpleNamespace(people=[SimpleNamespace(appearance=a)
                                    for a in (kit, team_mate, other)])
    _dress_in_suits(scene, rng)
    suits = [p.appearance.material('torso') for p in scene.people]
    assert suits[0] is suits[1]
    assert suits[2] is not suits[0]


def test_an_unknown_wardrobe_is_refused():
    with pytest.raises(ValueError, match='wardrobe must be one of'):
        SyntheticConfig(wardrobe='tuxedo')

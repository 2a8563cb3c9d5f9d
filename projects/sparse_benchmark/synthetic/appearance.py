"""How a person looks: skin, hair, clothes and their patterns."""
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np

from .textures import pattern_tile, random_colour

# Skin tones (BGR), from light to dark; jittered per person.
_SKIN_TONES = np.array([[189, 205, 240], [150, 180, 225], [110, 150, 205],
                        [80, 115, 170], [55, 80, 125], [40, 55, 90]],
                       np.float32)


@dataclass(frozen=True)
class Material:
    """A flat colour modulated by a pattern tile.

    ``tile`` (or None for a plain colour) is indexed in metres on the body,
    ``tile_px_per_m`` tile pixels per metre, so patterns keep their physical
    size as a person moves nearer or further.
    """

    colour: np.ndarray  # (3,) BGR float32
    tile: Optional[np.ndarray] = None
    tile_px_per_m: float = 128.0


@dataclass(frozen=True)
class Appearance:
    """Materials of one person, keyed by body-part group."""

    materials: Dict[str, Material]
    long_sleeves: bool
    long_legs: bool

    def material(self, part: str) -> Material:
        """Material of a drawn part name (see ``skeleton.PART_NAMES``)."""
        if part in ('torso', 'l_upper_arm', 'r_upper_arm'):
            return self.materials['top']
        if part in ('l_forearm', 'r_forearm'):
            return self.materials['top' if self.long_sleeves else 'skin']
        if part in ('l_thigh', 'r_thigh'):
            return self.materials['bottom']
        if part in ('l_shank', 'r_shank'):
            return self.materials['bottom' if self.long_legs else 'skin']
        if part in ('l_foot', 'r_foot'):
            return self.materials['shoes']
        if part == 'hair':
            return self.materials['hair']
        return self.materials['skin']  # head, neck, hands


def sample_garment(rng: np.random.Generator) -> Material:
    """A top's material, or a one-piece suit's (:func:`wear_suit`): any
    colour, a pattern of its own scale."""
    return Material(random_colour(rng), pattern_tile(rng),
                    rng.uniform(60, 200))


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Draws clothing and skin for one person.

    Clothing colours are uniform over hue so people differ from each other
    and from the background only by chance, as in real footage (the scene
    sometimes dresses everybody alike, see ``scene.sample_scene``).
    """
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] * rng.uniform(
        0.9, 1.1, 3).astype(np.float32)
    hair = random_colour(rng, (0.2, 0.8), (0.05, 0.55))
    materials = {
        'skin': Material(np.clip(skin, 0, 255)),
        'hair': Material(hair, pattern_tile(rng, 32), 160.0),
        'top': sample_garment(rng),
        'bottom': Material(random_colour(rng, (0.1, 0.7), (0.15, 0.7)),
                           pattern_tile(rng), rng.uniform(60, 200)),
        'shoes': Material(random_colour(rng, (0.0, 0.6), (0.05, 0.9))),
    }
    return Appearance(materials=materials,
                      long_sleeves=bool(rng.random() < 0.6),
                      long_legs=bool(rng.random() < 0.75))


def wear_suit(appearance: Appearance, suit: Material) -> Appearance:
    """``appearance`` in a one-piece suit: top, sleeves, trousers and shoes
    of one material, so no colour edge marks the elbows, hips, knees or
    ankles, as the pretraining stills' people always show some."""
    return Appearance(
        materials={**appearance.materials, 'top': suit, 'bottom': suit,
                   'shoes': suit},
        long_sleeves=True, long_legs=True)

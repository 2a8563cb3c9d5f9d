"""Procedural textures: clothing patterns and scene backgrounds.

Every texture is a float32 image in [0, 255] (BGR, like OpenCV) or a
single-channel modulation tile around 1.0. They are built from value noise
(random low-resolution grids upsampled with bicubic interpolation) and a few
structured patterns (stripes, checks, bricks, windows, crowds) so that
backgrounds contain edges, repeated structure and limb-like distractors, as
real footage does.
"""
from typing import Tuple

import cv2
import numpy as np


def value_noise(rng: np.random.Generator, shape: Tuple[int, int],
                cell: float, octaves: int = 3) -> np.ndarray:
    """Multi-octave value noise, zero mean, roughly unit std.

    Args:
        rng: random generator.
        shape: ``(height, width)`` of the output.
        cell: size in pixels of the coarsest noise features.
        octaves: number of octaves, each half the size and amplitude.
    """
    h, w = shape
    out = np.zeros((h, w), np.float32)
    amp = 1.0
    for _ in range(octaves):
        gh = max(2, int(np.ceil(h / cell)) + 1)
        gw = max(2, int(np.ceil(w / cell)) + 1)
        grid = rng.standard_normal((gh, gw)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        amp *= 0.5
        cell = max(1.0, cell / 2)
    return out / 1.3


def random_colour(rng: np.random.Generator, saturation=(0.2, 0.9),
                  value=(0.25, 0.95), hue=(0.0, 180.0)) -> np.ndarray:
    """A random BGR colour (float32, 0..255) from HSV ranges (OpenCV hue
    scale 0..180: ~15 orange, ~60 green, ~110 blue)."""
    hsv = np.array([[[rng.uniform(*hue), rng.uniform(*saturation) * 255,
                      rng.uniform(*value) * 255]]], np.float32)
    return cv2.cvtColor(hsv.astype(np.uint8),
                        cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def pattern_tile(rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """A square clothing-pattern tile, values around 1 (brightness factor).

    One of plain (with fabric noise), stripes, checks, dots or camouflage.
    The tile wraps seamlessly for stripes/checks; noise seams are hidden by
    the fabric noise itself.
    """
    kind = rng.choice(('plain', 'plain', 'stripes', 'checks', 'dots', 'camo'))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    fabric = 0.06 * value_noise(rng, (size, size), 6, octaves=2)
    if kind == 'plain':
        tile = np.ones((size, size), np.float32)
    elif kind == 'stripes':
        period = size / rng.choice((2, 4, 8))
        angle = rng.choice((0.0, np.pi / 2, np.pi / 4))
        coord = xx * np.cos(angle) + yy * np.sin(angle)
        tile = 1.0 + 0.35 * np.sign(np.sin(2 * np.pi * coord / period))
    elif kind == 'checks':
        period = size / rng.choice((2, 4))
        tile = 1.0 + 0.3 * np.sign(
            np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period))
    elif kind == 'dots':
        period = size / rng.choice((4, 8))
        d = np.hypot((xx % period) - period / 2, (yy % period) - period / 2)
        tile = 1.0 + 0.45 * (d < period * 0.22)
    else:
        tile = 1.0 + 0.35 * np.tanh(
            2 * value_noise(rng, (size, size), size / 4, octaves=2))
    return (tile + fabric).astype(np.float32)


def sky_colour(rng: np.random.Generator) -> np.ndarray:
    """Blue sky or grey overcast."""
    return random_colour(rng, (0.05, 0.55), (0.7, 1.0), hue=(95, 125))


def foliage_colour(rng: np.random.Generator) -> np.ndarray:
    """Mostly greens, sometimes autumn yellows and browns."""
    hue = (30, 85) if rng.random() < 0.8 else (8, 28)
    return random_colour(rng, (0.35, 0.9), (0.2, 0.65), hue=hue)


def _vertical_gradient(h: int, w: int, top: np.ndarray,
                       bottom: np.ndarray) -> np.ndarray:
    a = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    return np.broadcast_to(top * (1 - a) + bottom * a, (h, w, 3)).copy()


def _tint(noise: np.ndarray, colour: np.ndarray, amount: float) -> np.ndarray:
    return colour[None, None, :] * (1.0 + amount * noise[..., None])


def wall_texture(rng: np.random.Generator, kind: str, height: int,
                 width: int, px_per_m: float) -> np.ndarray:
    """The far backdrop of a scene (what is behind the people).

    Args:
        rng: random generator.
        kind: scene kind, one of ``street``, ``indoor``, ``stadium``,
            ``nature``.
        height, width: texture size in pixels; row 0 is the top.
        px_per_m: texture resolution, used to size structures in metres.
    """
    h, w, m = height, width, px_per_m
    if kind == 'street':
        img = _vertical_gradient(h, w, sky_colour(rng),
                                 random_colour(rng, (0.0, 0.3), (0.6, 0.9)))
        x = 0
        while x < w:  # buildings with window grids
            bw = int(rng.uniform(4, 12) * m)
            bh = int(rng.uniform(0.35, 0.95) * h)
            col = random_colour(rng, (0.05, 0.35), (0.3, 0.85))
            img[h - bh:, x:x + bw] = _tint(
                value_noise(rng, (bh, min(bw, w - x)), m), col, 0.08)
            win = random_colour(rng, (0.0, 0.4), (0.1, 0.9))
            step_x, step_y = int(rng.uniform(1.2, 2.5) * m), int(
                rng.uniform(1.5, 3) * m)
            for wy in range(h - bh + step_y // 2, h - step_y // 2, step_y):
                for wx in range(x + step_x // 3, x + bw - step_x // 2, step_x):
                    cv2.rectangle(img, (wx, wy),
                                  (wx + step_x // 2, wy + step_y // 2),
                                  win.tolist(), -1)
            x += bw + int(rng.uniform(0, 3) * m)
        _add_trees(rng, img, m, count=int(w / m / 6))
    elif kind == 'indoor':
        base = random_colour(rng, (0.05, 0.5), (0.45, 0.95))
        img = _tint(value_noise(rng, (h, w), 2 * m), base, 0.06)
        if rng.random() < 0.5:  # bricks or tiles
            bh, bw = int(rng.uniform(0.1, 0.4) * m), int(rng.uniform(0.3, 0.9) * m)
            mortar = (base * rng.uniform(0.5, 0.8)).tolist()
            for row, y in enumerate(range(0, h, bh)):
                cv2.line(img, (0, y), (w, y), mortar, max(1, bh // 8))
                off = (bw // 2) * (row % 2)
                for x in range(off, w, bw):
                    cv2.line(img, (x, y), (x, y + bh), mortar, max(1, bh // 8))
        for _ in range(int(w / m / 3)):  # posters, doors, shelves
            pw, ph = int(rng.uniform(0.5, 2.5) * m), int(rng.uniform(0.5, 2.5) * m)
            px, py = int(rng.uniform(0, w)), int(rng.uniform(0.2, 0.9) * h)
            poster = pattern_tile(rng, 32)
            col = random_colour(rng)
            patch = cv2.resize(poster, (pw, ph))[..., None] * col
            y0, y1, x0, x1 = max(0, py - ph), py, px, min(w, px + pw)
            if y1 > y0 and x1 > x0:
                img[y0:y1, x0:x1] = patch[ph - (y1 - y0):, :x1 - x0]
    elif kind == 'stadium':
        img = _vertical_gradient(h, w, random_colour(rng, (0.1, 0.4), (0.2, 0.5)),
                                 random_colour(rng, (0.1, 0.4), (0.3, 0.6)))
        _add_crowd(rng, img, m, top=int(0.2 * h), bottom=int(0.85 * h))
        band = random_colour(rng, (0.5, 1.0), (0.5, 1.0))
        img[int(0.85 * h):] = _tint(
            value_noise(rng, (h - int(0.85 * h), w), m), band, 0.1)
    else:  # nature
        img = _vertical_gradient(h, w, sky_colour(rng), foliage_colour(rng))
        _add_trees(rng, img, m, count=int(w / m / 2))
    img += 8.0 * value_noise(rng, (h, w), m / 4, octaves=2)[..., None]
    return np.clip(img, 0, 255).astype(np.float32)


def _add_trees(rng: np.random.Generator, img: np.ndarray, m: float,
               count: int) -> None:
    """Trunks and foliage: thin dark verticals and branches are good
    distractors for limb detectors."""
    h, w = img.shape[:2]
    for _ in range(count):
        x = int(rng.uniform(0, w))
        trunk_h = int(rng.uniform(2, 6) * m)
        bark = random_colour(rng, (0.3, 0.7), (0.15, 0.4), (5, 25)).tolist()
        cv2.line(img, (x, h), (x, h - trunk_h), bark, max(1, int(0.25 * m)))
        for _ in range(rng.integers(2, 5)):
            y = h - int(rng.uniform(0.4, 1.0) * trunk_h)
            dx = int(rng.uniform(-1.5, 1.5) * m)
            cv2.line(img, (x, y), (x + dx, y - int(rng.uniform(0.3, 1.2) * m)),
                     bark, max(1, int(0.08 * m)))
        leaf = foliage_colour(rng)
        for _ in range(rng.integers(3, 8)):
            c = (x + int(rng.uniform(-1.5, 1.5) * m),
                 h - trunk_h + int(rng.uniform(-1.0, 0.8) * m))
            ax = (int(rng.uniform(0.6, 1.6) * m), int(rng.uniform(0.5, 1.2) * m))
            cv2.ellipse(img, c, ax, 0, 0, 360,
                        (leaf * rng.uniform(0.7, 1.2)).tolist(), -1)


def _add_crowd(rng: np.random.Generator, img: np.ndarray, m: float, top: int,
               bottom: int) -> None:
    """Rows of small head-and-shoulder blobs: a spectator crowd, which
    looks person-like but is not annotated (like PoseTrack's far crowds)."""
    w = img.shape[1]
    step = max(3, int(0.45 * m))
    for y in range(top, bottom, step):
        for x in range(int(rng.uniform(0, step)), w, step):
            body = random_colour(rng).tolist()
            skin = random_colour(rng, (0.2, 0.6), (0.3, 0.9)).tolist()
            jx = x + int(rng.integers(-step // 3, step // 3 + 1))
            cv2.ellipse(img, (jx, y + step // 2), (step // 2, step // 2), 0,
                        180, 360, body, -1)
            cv2.circle(img, (jx, y + step // 6), max(1, step // 5), skin, -1)


def ground_texture(rng: np.random.Generator, kind: str, height: int,
                   width: int, px_per_m: float) -> np.ndarray:
    """The ground plane; row 0 is nearest to the camera."""
    h, w, m = height, width, px_per_m
    if kind == 'street':
        img = _tint(value_noise(rng, (h, w), m / 2),
                    random_colour(rng, (0.0, 0.15), (0.25, 0.55)), 0.12)
        paint = random_colour(rng, (0.0, 0.9), (0.8, 1.0)).tolist()
        for _ in range(rng.integers(1, 4)):  # road markings / kerbs
            x = int(rng.uniform(0, w))
            cv2.line(img, (x, 0), (x + int(rng.uniform(-0.5, 0.5) * w), h),
                     paint, max(1, int(0.12 * m)))
        for y in range(0, h, int(rng.uniform(2, 5) * m)):
            cv2.line(img, (0, y), (w, y), (img[y, 0] * 0.7).tolist(),
                     max(1, int(0.05 * m)))
    elif kind == 'indoor':
        wood = random_colour(rng, (0.3, 0.7), (0.35, 0.8), hue=(5, 25))
        img = _tint(value_noise(rng, (h, w), m / 4), wood, 0.1)
        plank = max(2, int(rng.uniform(0.1, 0.25) * m))
        for x in range(0, w, plank):  # planks run away from the camera
            img[:, x:x + plank] *= rng.uniform(0.85, 1.15)
            cv2.line(img, (x, 0), (x, h), (wood * 0.5).tolist(), 1)
    elif kind == 'stadium':
        grass = random_colour(rng, (0.5, 0.9), (0.35, 0.65), hue=(40, 75))
        img = _tint(value_noise(rng, (h, w), m / 3), grass, 0.1)
        stripe = int(rng.uniform(2, 5) * m)
        for y in range(0, h, 2 * stripe):  # mowing stripes
            img[y:y + stripe] *= 1.12
        for _ in range(rng.integers(1, 3)):
            x = int(rng.uniform(0, w))
            cv2.line(img, (x, 0), (x, h), (235, 235, 235),
                     max(1, int(0.1 * m)))
    else:
        dirt = random_colour(rng, (0.2, 0.6), (0.3, 0.6), hue=(5, 70))
        img = _tint(value_noise(rng, (h, w), m), dirt, 0.25)
    img += 6.0 * value_noise(rng, (h, w), m / 8, octaves=1)[..., None]
    return np.clip(img, 0, 255).astype(np.float32)

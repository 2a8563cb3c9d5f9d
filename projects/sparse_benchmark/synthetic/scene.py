"""A video's content: backdrop, ground, clutter, people, camera, lighting.

:func:`sample_scene` draws everything random about one video up front, from
one generator, so a video is a pure function of its seed.
"""
import dataclasses
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .appearance import Appearance, Material, sample_appearance
from .motion import (ACTION_PROBS, ACTIONS, CameraMotion, PersonMotion,
                     nominal_focal)
from .skeleton import BodyShape, sample_body_shape
from .textures import (foliage_colour, ground_texture, pattern_tile,
                       random_colour, wall_texture)

SCENE_KINDS = ('street', 'indoor', 'stadium', 'nature')
CLUTTER_KINDS = ('pole', 'box', 'bush', 'sign')


@dataclass
class Person:
    """One annotated person: body, looks and motion."""

    track_id: int
    shape: BodyShape
    appearance: Appearance
    motion: PersonMotion


@dataclass
class ClutterObject:
    """A static object standing on the ground; it occludes whatever is
    behind it. ``shapes`` are ``(kind, points, radii)`` in metres relative
    to its ground point (X right, Y up)."""

    x: float
    z: float
    material: Material
    shapes: List[Tuple[str, np.ndarray, Tuple[float, float]]]


@dataclass
class Lighting:
    """Per-video photometric settings."""

    gain: np.ndarray  # (3,) colour cast
    brightness: float
    noise_sigma: float  # sensor noise, grey levels
    defocus_sigma: float  # Gaussian blur, pixels
    exposure: float  # shutter open time in frame intervals (motion blur)


@dataclass
class Scene:
    """Everything needed to render any instant of one video.

    The backdrop ``wall`` is a vertical plane at depth ``wall_z``; its
    column 0 is at world X ``wall_x0`` and row 0 at height ``wall_top``.
    The ``ground`` texture covers the plane Y=0 from X ``ground_x0`` and
    depth ``ground_z0`` (row 0) to ``wall_z``.
    """

    kind: str
    image_size: Tuple[int, int]
    n_frames: int
    fps: float
    wall: np.ndarray
    wall_px_per_m: float
    wall_x0: float
    wall_top: float
    wall_z: float
    ground: np.ndarray
    ground_px_per_m: float
    ground_x0: float
    ground_z0: float
    clutter: List[ClutterObject]
    people: List[Person]
    camera: CameraMotion
    lighting: Lighting


def _sample_clutter(rng: np.random.Generator, x: float,
                    z: float) -> ClutterObject:
    kind = rng.choice(CLUTTER_KINDS)
    colour = (foliage_colour(rng) if kind == 'bush' else
              random_colour(rng, (0.0, 0.8), (0.15, 0.9)))
    mat = Material(colour, pattern_tile(rng, 32), rng.uniform(20, 80))
    shapes = []
    if kind == 'pole':
        h, r = rng.uniform(2.0, 4.0), rng.uniform(0.05, 0.15)
        shapes.append(('capsule', np.array([[0, 0], [0, h]]), (r, r * 0.8)))
    elif kind == 'box':
        w, h = rng.uniform(0.4, 1.6), rng.uniform(0.4, 1.3)
        shapes.append(('polygon', np.array([[-w / 2, 0], [w / 2, 0],
                                            [w / 2, h], [-w / 2, h]]),
                       (0, 0)))
    elif kind == 'bush':
        w, h = rng.uniform(0.6, 1.6), rng.uniform(0.5, 1.3)
        for _ in range(rng.integers(3, 7)):
            c = [rng.uniform(-w / 2, w / 2), rng.uniform(0.25, 0.75) * h]
            shapes.append(('ellipse', np.array([c]),
                           (rng.uniform(0.2, 0.4) * w, rng.uniform(0.3, 0.5) * h)))
    else:  # sign: a board on a pole
        h, r = rng.uniform(1.8, 2.8), rng.uniform(0.03, 0.06)
        bw, bh = rng.uniform(0.5, 1.2), rng.uniform(0.4, 0.8)
        shapes.append(('capsule', np.array([[0, 0], [0, h]]), (r, r)))
        shapes.append(('polygon', np.array([[-bw / 2, h - bh], [bw / 2, h - bh],
                                            [bw / 2, h], [-bw / 2, h]]),
                       (0, 0)))
    return ClutterObject(x=float(x), z=float(z), material=mat, shapes=shapes)


def sample_scene(rng: np.random.Generator, image_size: Tuple[int, int],
                 n_frames: int, n_people: int, fps: float = 25.0,
                 n_clutter: Tuple[int, int] = (2, 6)) -> Scene:
    """Draws one video's scene.

    Args:
        rng: the video's random generator.
        image_size: ``(width, height)`` in pixels.
        n_frames: video length.
        n_people: number of annotated people.
        fps: frame rate the motions are timed for.
        n_clutter: inclusive range of clutter objects.
    """
    width, height = image_size
    kind = str(rng.choice(SCENE_KINDS))
    wall_z = float(rng.uniform(14.0, 22.0))
    # Typical focal length, to size textures at about one texel per pixel.
    focal = nominal_focal(height)
    wall_ppm = 1.3 * focal / wall_z
    wall_w_m, wall_h_m = 50.0, 14.0
    wall = wall_texture(rng, kind, int(wall_h_m * wall_ppm),
                        int(wall_w_m * wall_ppm), wall_ppm)
    ground_ppm = float(np.clip(focal / 6.0, 12.0, 48.0))
    ground_z0 = 1.0
    ground_w_m = 36.0
    ground = ground_texture(rng, kind, int((wall_z - ground_z0) * ground_ppm),
                            int(ground_w_m * ground_ppm), ground_ppm)

    # Sometimes everybody wears the same kit (a team): people then differ
    # only by skin, hair and pose, which makes occlusions harder to untangle.
    team = n_people > 1 and rng.random() < 0.2
    people = []
    for track_id in range(n_people):
        shape = sample_body_shape(rng)
        z = float(rng.uniform(3.5, 9.0))
        half_view = 0.5 * width * z / focal
        x = float(rng.uniform(-0.75, 0.75) * half_view)
        action = str(rng.choice(ACTIONS, p=ACTION_PROBS))
        motion = PersonMotion(rng, shape, action, n_frames, fps, x, z)
        look = sample_appearance(rng)
        if team and people:
            kit = people[0].appearance
            look = dataclasses.replace(
                look, materials={**look.materials,
                                 'top': kit.materials['top'],
                                 'bottom': kit.materials['bottom']},
                long_sleeves=kit.long_sleeves, long_legs=kit.long_legs)
        people.append(Person(track_id, shape, look, motion))

    grid = np.linspace(-2.0, n_frames + 2.0, 4 * (n_frames + 4) + 1)
    follow_x = (np.mean([p.motion.root(grid).x for p in people], axis=0)
                if people else None)
    camera = CameraMotion(rng, n_frames, image_size, grid, follow_x)

    clutter = []
    for _ in range(int(rng.integers(n_clutter[0], n_clutter[1] + 1))):
        z = float(rng.uniform(2.5, 16.0))
        half_view = 0.5 * width * z / focal
        clutter.append(
            _sample_clutter(rng, rng.uniform(-1.2, 1.2) * half_view, z))

    lighting = Lighting(
        gain=rng.uniform(0.85, 1.15, 3).astype(np.float32),
        brightness=float(rng.uniform(0.7, 1.15)),
        noise_sigma=float(rng.uniform(0.0, 5.0)),
        defocus_sigma=float(rng.choice((0.0, 0.5, 0.9))),
        # Half the videos have a visible shutter time (1/100 .. 1/40 s at
        # 25 fps); three sub-frames sample it without visible ghosting.
        exposure=float(0.0 if rng.random() < 0.5 else rng.uniform(0.25, 0.65)))
    return Scene(kind=kind, image_size=(width, height), n_frames=n_frames,
                 fps=fps, wall=wall, wall_px_per_m=wall_ppm,
                 wall_x0=-wall_w_m / 2, wall_top=wall_h_m, wall_z=wall_z,
                 ground=ground, ground_px_per_m=ground_ppm,
                 ground_x0=-ground_w_m / 2, ground_z0=ground_z0,
                 clutter=clutter, people=people, camera=camera,
                 lighting=lighting)

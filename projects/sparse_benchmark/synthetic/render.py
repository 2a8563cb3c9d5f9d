"""Rendering one instant of a scene: backdrop, people, clutter, optics.

People are projected with weak perspective (one scale per person, from the
depth of their pelvis), which is accurate for people a few metres away and
keeps each person's 2D keypoints an exact function of their 3D pose.
"""
from dataclasses import dataclass
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .primitives import Primitive
from .scene import ClutterObject, Person, Scene
from .skeleton import KEYPOINT_NAMES, PART_INDEX, PARTS_PER_PERSON

CLUTTER_LABEL = 255


@dataclass
class CameraState:
    """The camera at one instant."""

    x: float  # world X of the camera
    height: float  # metres above the ground
    focal: float  # pixels
    cx: float  # principal point, pixels
    cy: float

    def project(self, x: np.ndarray, y: np.ndarray,
                z: np.ndarray) -> np.ndarray:
        """Pinhole projection of world points to ``(N, 2)`` pixels."""
        return np.stack([self.cx + self.focal * (x - self.x) / z,
                         self.cy - self.focal * (y - self.height) / z], axis=-1)


def camera_states(scene: Scene, times: np.ndarray) -> List[CameraState]:
    """Camera states at frame times ``times``."""
    cam = scene.camera
    xs, fs, pp = cam.x(times), cam.focal(times), cam.principal_point(times)
    return [
        CameraState(float(xs[i]), cam.height_m, float(fs[i]), float(pp[i, 0]),
                    float(pp[i, 1])) for i in range(len(times))
    ]


def render_background(scene: Scene, cam: CameraState) -> np.ndarray:
    """Backdrop plane and ground plane as seen by ``cam``, float32 BGR."""
    width, height = scene.image_size
    f, cx, cy, h = cam.focal, cam.cx, cam.cy, cam.height
    # The ground meets the backdrop at this row; only warp what shows.
    first = int(np.clip(np.ceil(cy + f * h / scene.wall_z), 0, height))
    parts = []
    if first > 0:
        # Backdrop: an affine map from texture pixels to the image.
        s = f / scene.wall_z
        k = s / scene.wall_px_per_m
        wall_m = np.array([[k, 0.0, cx + s * (scene.wall_x0 - cam.x)],
                           [0.0, k, cy - s * (scene.wall_top - h)]])
        parts.append(cv2.warpAffine(scene.wall, wall_m, (width, first),
                                    flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REFLECT))
    if first < height:
        # Ground: texture (u, v) -> world (X, 0, Z) -> image is a
        # homography; the last row shifts it to start at row ``first``.
        g = 1.0 / scene.ground_px_per_m
        x0, z0 = scene.ground_x0, scene.ground_z0
        hom = np.array([[f * g, cx * g, f * (x0 - cam.x) + cx * z0],
                        [0.0, (cy - first) * g, f * h + (cy - first) * z0],
                        [0.0, g, z0]])
        parts.append(cv2.warpPerspective(scene.ground, hom,
                                         (width, height - first),
                                         flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REFLECT))
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)


@dataclass
class PersonView:
    """A person projected at one instant (what ground truth is made of)."""

    keypoints: np.ndarray  # (17, 2) pixels
    rel_depth: np.ndarray  # (17,) metres, relative to the pelvis (+ = away)
    torso_depth: float  # relative depth of the torso's centre
    torso_half_depth: float
    head_depth: float  # relative depth of the head's centre
    facing: float  # cosine between the face direction and the camera's
    head_box: np.ndarray  # (4,) x0, y0, x1, y1 pixels
    extent: np.ndarray  # (4,) x0, y0, x1, y1 of everything drawn
    primitives: List[Primitive]


def person_view(index: int, person: Person, pts: Dict[str, np.ndarray],
                root: Tuple[float, float, float],
                cam: CameraState) -> PersonView:
    """Projects one person and builds their body-part primitives.

    Args:
        index: the person's slot in the part map (label ``16*index + part``).
        person: the person.
        pts: one instant of :func:`skeleton.forward_kinematics` output
            (name -> ``(3,)``, or ``(8, 3)`` for ``torso_corners``).
        root: ``(x, z, lift)`` world position of the pelvis on the ground.
        cam: the camera.
    """
    rx, rz, lift = root
    scale = cam.focal / rz
    base = cam.project(np.array([rx]), np.array([0.0]), np.array([rz]))[0]

    def px(p: np.ndarray) -> np.ndarray:
        p = np.asarray(p)
        return base + scale * np.stack([p[..., 0], -(p[..., 1] + lift)], -1)

    # Project every named point once; the shapes below index into this.
    names = [n for n, v in pts.items() if n != 'forward' and v.ndim == 1]
    flat = px(np.stack([pts[n] for n in names]))
    img = {n: flat[i] for i, n in enumerate(names)}

    shape, look = person.shape, person.appearance
    prims: List[Primitive] = []

    def add(kind: str, part: str, points: np.ndarray, rel_z: float,
            radii=(0.0, 0.0), angle: float = 0.0, shade: float = 0.0,
            material_part: str = None) -> Primitive:
        # Far-side parts are darker, which separates overlapping limbs.
        bright = min(1.1, max(0.75, 1.0 - 1.3 * float(rel_z)))
        prim = Primitive(kind=kind, points=np.asarray(points, np.float64),
                         depth=rz + rel_z,
                         label=index * PARTS_PER_PERSON + PART_INDEX[part],
                         material=look.material(material_part or part),
                         origin=(float(base[0]), float(base[1])),
                         px_per_m=scale, radii=radii, angle=angle,
                         shade_radius=shade, brightness=bright)
        prims.append(prim)
        return prim

    def capsule(part: str, a: str, b: str, ra: float, rb: float,
                material_part: str = None, bias: float = 0.0) -> None:
        pa, pb = img[a], img[b]
        z = 0.5 * (pts[a][2] + pts[b][2]) + bias
        add('capsule', part, np.stack([pa, pb]), z,
            (ra * scale, rb * scale), shade=max(ra, rb) * scale,
            material_part=material_part)

    # Torso: convex hull of its 3D box (so it has width from any side).
    corners = px(pts['torso_corners'])
    hull = cv2.convexHull(corners.astype(np.float32)).reshape(-1, 2)
    torso_z = float(pts['torso_corners'][:, 2].mean())
    # A small bias draws the torso before limbs level with it.
    add('polygon', 'torso', hull, torso_z + 0.03,
        shade=shape.shoulder_half_width * scale)
    capsule('neck', 'neck_base', 'head_bottom', shape.r_neck, shape.r_neck,
            bias=0.02)
    for side, p in (('left', 'l'), ('right', 'r')):
        capsule(f'{p}_upper_arm', f'{side}_shoulder', f'{side}_elbow',
                shape.r_upper_arm, shape.r_forearm * 1.1)
        capsule(f'{p}_forearm', f'{side}_elbow', f'{side}_wrist',
                shape.r_forearm, shape.r_forearm * 0.8)
        capsule(f'{p}_forearm', f'{side}_wrist', f'{side}_hand',
                shape.r_hand, shape.r_hand * 0.8, material_part='skin')
        capsule(f'{p}_thigh', f'{side}_hip', f'{side}_knee', shape.r_thigh,
                shape.r_shank * 1.1)
        capsule(f'{p}_shank', f'{side}_knee', f'{side}_ankle', shape.r_shank,
                shape.r_shank * 0.75)
        capsule(f'{p}_foot', f'{side}_ankle', f'{side}_toe', shape.r_foot,
                shape.r_foot * 0.8)

    # Head: a skin ellipse with a hair cap behind/above it, tilted with the
    # head; eyes only when the face is towards the camera.
    centre = img['head_centre']
    up = img['head_top'] - centre
    angle = float(np.degrees(np.arctan2(up[0], -up[1])))
    axes = (shape.head_half_width * scale, shape.head_half_height * scale)
    head_z = float(pts['head_centre'][2])
    head = add('ellipse', 'head', centre[None], head_z, axes, angle,
               shade=min(axes))
    add('ellipse', 'head', img['hair_centre'][None],
        float(pts['hair_centre'][2]), (axes[0] * 1.08, axes[1] * 1.02), angle,
        material_part='hair')
    facing = -pts['forward'][2]  # > 0: the face points at the camera
    if facing > 0.3:
        eye_r = max(0.6, 0.12 * axes[0])
        for eye in ('left_eye', 'right_eye'):  # dark, like the hair
            add('ellipse', 'head', img[eye][None],
                float(pts[eye][2]) - 0.01, (eye_r, eye_r), 0.0,
                material_part='hair')

    keypoints = np.stack([img[n] for n in KEYPOINT_NAMES])
    rel_depth = np.array([pts[n][2] for n in KEYPOINT_NAMES])
    # Head box: the head ellipse and the head keypoints, with a small margin.
    e = head.extent()
    head_pts = keypoints[[0, 1, 2]]
    hx0 = min(e[0], head_pts[:, 0].min())
    hy0 = min(e[1], head_pts[:, 1].min())
    hx1 = max(e[2], head_pts[:, 0].max())
    hy1 = max(e[3], head_pts[:, 1].max())
    margin = 0.05 * max(hx1 - hx0, hy1 - hy0)
    head_box = np.array([hx0 - margin, hy0 - margin, hx1 + margin,
                         hy1 + margin])
    ext = np.array([p.extent() for p in prims])
    extent = np.array([ext[:, 0].min(), ext[:, 1].min(), ext[:, 2].max(),
                       ext[:, 3].max()])
    return PersonView(keypoints=keypoints, rel_depth=rel_depth,
                      torso_depth=torso_z,
                      torso_half_depth=shape.torso_half_depth,
                      head_depth=head_z, facing=float(facing),
                      head_box=head_box, extent=extent,
                      primitives=prims)


def clutter_primitives(objects: List[ClutterObject],
                       cam: CameraState) -> List[Primitive]:
    """Primitives of the static clutter objects."""
    prims = []
    for obj in objects:
        if obj.z <= 0.5:
            continue
        scale = cam.focal / obj.z
        base = cam.project(np.array([obj.x]), np.array([0.0]),
                           np.array([obj.z]))[0]
        for kind, pts_m, radii in obj.shapes:
            pts = base + scale * pts_m * np.array([1.0, -1.0])
            r = (radii[0] * scale, radii[1] * scale)
            # Thin poles shade by their radius, boxes and bushes by ~0.3 m.
            shade = max(r) if kind == 'capsule' else min(r) or 0.3 * scale
            prims.append(
                Primitive(kind=kind, points=pts, depth=obj.z,
                          label=CLUTTER_LABEL, material=obj.material,
                          origin=(float(base[0]), float(base[1])),
                          px_per_m=scale, radii=r, shade_radius=shade))
    return prims


class SensorNoise:
    """Per-pixel Gaussian sensor noise for one video.

    Drawing fresh noise for every frame costs as much as rendering it, so a
    slightly larger noise field is drawn once and each frame takes a random
    window of it (a shifted field is as good as a new one to the eye and to
    a network).
    """

    _PAD = 32

    def __init__(self, rng: np.random.Generator, image_size: Tuple[int, int],
                 sigma: float) -> None:
        width, height = image_size
        self.size = (height, width)
        self.field = sigma * rng.standard_normal(
            (height + self._PAD, width + self._PAD, 3), dtype=np.float32)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        dy, dx = rng.integers(0, self._PAD + 1, size=2)
        h, w = self.size
        return self.field[dy:dy + h, dx:dx + w]


def finish_image(image: np.ndarray, scene: Scene, noise: SensorNoise,
                 rng: np.random.Generator) -> np.ndarray:
    """Optics and sensor: defocus, colour cast, noise; returns uint8 BGR.

    ``image`` (float32) is modified in place.
    """
    light = scene.lighting
    if light.defocus_sigma > 0:
        image = cv2.GaussianBlur(image, (0, 0), light.defocus_sigma)
    image *= light.gain * light.brightness
    image += noise.sample(rng)
    image += 0.5  # round to nearest below
    np.clip(image, 0, 255, out=image)
    return image.astype(np.uint8)

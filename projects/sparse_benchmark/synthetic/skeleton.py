"""Kinematic body model over PoseTrack18's keypoints.

A person is a small 3D kinematic tree (pelvis -> torso -> neck -> head,
shoulders -> elbows -> wrists -> hands, hips -> knees -> ankles -> feet)
driven by the joint angles in :data:`ANGLE_NAMES`. The tree is posed in 3D
and later projected with a weak-perspective camera, so turning around,
foreshortening and left/right swaps come out of the geometry rather than
being faked in 2D.

Body coordinates are ``(L, U, F)``: the person's left, up and forward, in
metres, with the pelvis centre at the origin. :func:`to_camera_axes` turns
them into camera-aligned axes ``(X right, Y up, Z away from the camera)``.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

# PoseTrack18 keypoint order, as in mmpose's configs/_base_/datasets/posetrack18.py
# and poseval's POSETRACK18_LM_NAMES_COCO_ORDER.
KEYPOINT_NAMES: Tuple[str, ...] = (
    'nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
NUM_KEYPOINTS = len(KEYPOINT_NAMES)
# PoseTrack18 never annotates the ears; they are always written as (0, 0, 0).
UNANNOTATED_KEYPOINTS: Tuple[int, ...] = (3, 4)
# The official per-video files' ``categories[0]['skeleton']`` (1-based).
POSETRACK18_SKELETON = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13),
    (6, 7), (6, 8), (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3),
    (2, 4), (3, 5), (4, 6), (5, 7))
# Links between annotated keypoints, for drawing (0-based; mmpose's skeleton_info).
DRAW_LINKS = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12),
    (5, 6), (5, 7), (6, 8), (7, 9), (8, 10), (0, 1), (0, 2), (1, 5), (1, 6))

# Joint angles (radians) that drive the tree, one column each in a pose array.
ANGLE_NAMES: Tuple[str, ...] = (
    'yaw',  # heading about the vertical; 0 faces the camera
    'lean_fwd', 'lean_side',  # whole-body lean at the pelvis
    'spine_fwd', 'spine_side', 'spine_twist',  # torso relative to pelvis
    'head_pitch', 'head_yaw', 'head_roll',
    'l_sh_flex', 'l_sh_abd', 'l_sh_twist', 'l_elbow',
    'r_sh_flex', 'r_sh_abd', 'r_sh_twist', 'r_elbow',
    'l_hip_flex', 'l_hip_abd', 'l_knee', 'l_ankle',
    'r_hip_flex', 'r_hip_abd', 'r_knee', 'r_ankle')
ANGLE_INDEX: Dict[str, int] = {n: i for i, n in enumerate(ANGLE_NAMES)}
NUM_ANGLES = len(ANGLE_NAMES)

# Body parts drawn by the renderer; a part map stores ``16 * person + part``.
PART_NAMES: Tuple[str, ...] = (
    'background', 'torso', 'neck', 'head', 'l_upper_arm', 'r_upper_arm',
    'l_forearm', 'r_forearm', 'l_thigh', 'r_thigh', 'l_shank', 'r_shank',
    'l_foot', 'r_foot')
PART_INDEX: Dict[str, int] = {n: i for i, n in enumerate(PART_NAMES)}
PARTS_PER_PERSON = 16

# Which drawn parts a keypoint may lie on and still count as seen: the parts
# that meet at the joint. Anything else covering it (another person, clutter,
# a different limb of the same person) occludes it.
KEYPOINT_PARTS: Tuple[Tuple[str, ...], ...] = (
    ('head', ), ('head', 'neck'), ('head', ), (), (),
    ('torso', 'neck', 'l_upper_arm'), ('torso', 'neck', 'r_upper_arm'),
    ('l_upper_arm', 'l_forearm'), ('r_upper_arm', 'r_forearm'),
    ('l_forearm', ), ('r_forearm', ), ('torso', 'l_thigh'),
    ('torso', 'r_thigh'), ('l_thigh', 'l_shank'), ('r_thigh', 'r_shank'),
    ('l_shank', 'l_foot'), ('r_shank', 'r_foot'))


@dataclass(frozen=True)
class BodyShape:
    """Segment lengths and radii of one person, in metres.

    Lengths follow standard anthropometric ratios of stature (pelvis at ~0.53,
    shoulders at ~0.82, head ~0.13 tall) with per-person variation.
    """

    stature: float
    torso: float
    shoulder_drop: float
    shoulder_half_width: float
    hip_half_width: float
    neck: float
    head_half_height: float
    head_half_width: float
    upper_arm: float
    forearm: float
    hand: float
    thigh: float
    shank: float
    foot: float
    ankle_height: float
    # radii of the drawn capsules and half-extents of the torso box
    r_upper_arm: float
    r_forearm: float
    r_hand: float
    r_thigh: float
    r_shank: float
    r_foot: float
    r_neck: float
    torso_half_depth: float
    torso_shoulder_pad: float
    torso_hip_pad: float


def sample_body_shape(rng: np.random.Generator) -> BodyShape:
    """Draws a plausible adult or child body.

    Children (15%) are shorter with relatively bigger heads and shorter legs,
    as in real crowds; ``build`` scales limb thickness (slim .. heavy).
    """
    child = rng.random() < 0.15
    stature = rng.uniform(1.05, 1.45) if child else rng.uniform(1.55, 1.92)
    head = (0.085 if child else 0.066) * rng.uniform(0.93, 1.07)
    leg = (0.225 if child else 0.245) * rng.uniform(0.95, 1.05)
    build = rng.uniform(0.8, 1.3)

    def var(value: float, spread: float = 0.06) -> float:
        return float(value * stature * rng.uniform(1 - spread, 1 + spread))

    torso_len = 1.0 - 2 * leg - 0.04 - 2 * head - 0.05  # rest of the stature
    return BodyShape(
        stature=float(stature),
        torso=float(torso_len * stature),
        shoulder_drop=var(0.03),
        shoulder_half_width=var(0.115 * (1.0 + 0.15 * (build - 1))),
        hip_half_width=var(0.075),
        neck=var(0.05),
        head_half_height=float(head * stature),
        head_half_width=float(head * stature * rng.uniform(0.74, 0.82)),
        upper_arm=var(0.175),
        forearm=var(0.15),
        hand=var(0.07),
        thigh=float(leg * stature * rng.uniform(0.97, 1.03)),
        shank=float(leg * stature * rng.uniform(0.97, 1.03)),
        foot=var(0.13),
        ankle_height=var(0.04),
        r_upper_arm=var(0.032 * build),
        r_forearm=var(0.025 * build),
        r_hand=var(0.022),
        r_thigh=var(0.05 * build),
        r_shank=var(0.036 * build),
        r_foot=var(0.021),
        r_neck=var(0.027 * build),
        torso_half_depth=var(0.07 * build),
        torso_shoulder_pad=var(0.02 * build),
        torso_hip_pad=var(0.035 * build),
    )


def _rot(axis: int, angle: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(T, 3, 3)`` about body axis 0=L, 1=U or 2=F.

    Signs are chosen so that a positive angle moves the downward vector
    ``(0, -1, 0)`` forward (about L), towards the left (about F), and
    moves forward towards the left (about U).
    """
    c, s = np.cos(angle), np.sin(angle)
    z, o = np.zeros_like(angle), np.ones_like(angle)
    if axis == 0:  # u' = u c + f s ; f' = -u s + f c
        rows = ((o, z, z), (z, c, s), (z, -s, c))
    elif axis == 1:  # l' = l c + f s ; f' = -l s + f c
        rows = ((c, z, s), (z, o, z), (-s, z, c))
    else:  # l' = l c - u s ; u' = l s + u c
        rows = ((c, -s, z), (s, c, z), (z, z, o))
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def _apply(rot: np.ndarray, vec) -> np.ndarray:
    """Applies ``(T, 3, 3)`` rotations to one vector or ``(T, 3)`` vectors."""
    vec = np.asarray(vec, dtype=np.float64)
    if vec.ndim == 1:
        return rot @ vec
    return np.einsum('tij,tj->ti', rot, vec)


DOWN = np.array([0.0, -1.0, 0.0])
UP = np.array([0.0, 1.0, 0.0])


def forward_kinematics(shape: BodyShape,
                       angles: np.ndarray) -> Dict[str, np.ndarray]:
    """Poses the body for every row of ``angles``.

    Args:
        shape: the person's body.
        angles: ``(T, NUM_ANGLES)`` joint angles in radians.

    Returns:
        dict name -> ``(T, 3)`` points in camera-aligned axes (X right,
        Y up, Z away from the camera), in metres relative to the pelvis
        centre, already yawed. Keys are the 17 keypoint names (ears are the
        head's sides, only used for drawing), plus ``head_centre``,
        ``hair_centre``, ``left_eye``, ``right_eye``, ``left_hand``,
        ``right_hand``, ``left_toe``, ``right_toe``, ``neck_base``,
        ``pelvis``, ``torso_corners`` ``(T, 8, 3)`` and ``forward``
        (unit facing direction of the head).
    """
    a = {n: angles[:, i] for n, i in ANGLE_INDEX.items()}
    n_t = angles.shape[0]
    s = shape

    root = _rot(0, -a['lean_fwd']) @ _rot(2, a['lean_side'])
    torso = (root @ _rot(0, -a['spine_fwd']) @ _rot(2, a['spine_side'])
             @ _rot(1, a['spine_twist']))
    head = (torso @ _rot(1, a['head_yaw']) @ _rot(0, -a['head_pitch'])
            @ _rot(2, a['head_roll']))

    pts: Dict[str, np.ndarray] = {}
    pelvis = np.zeros((n_t, 3))
    pts['pelvis'] = pelvis
    neck_base = _apply(torso, [0, s.torso, 0])
    pts['neck_base'] = neck_base
    pts['head_bottom'] = neck_base + _apply(head, [0, s.neck, 0])
    centre = neck_base + _apply(
        head, [0, s.neck + 0.9 * s.head_half_height, 0.1 * s.head_half_width])
    pts['head_centre'] = centre
    pts['head_top'] = centre + _apply(head, [0, 0.92 * s.head_half_height, 0])
    pts['nose'] = centre + _apply(
        head, [0, -0.2 * s.head_half_height, 0.95 * s.head_half_width])
    pts['hair_centre'] = centre + _apply(
        head, [0, 0.28 * s.head_half_height, -0.35 * s.head_half_width])
    for side, sign in (('left', 1.0), ('right', -1.0)):
        pts[f'{side}_eye'] = centre + _apply(
            head, [sign * 0.38 * s.head_half_width, 0.12 * s.head_half_height,
                   0.85 * s.head_half_width])
        pts[f'{side}_ear'] = centre + _apply(
            head, [sign * s.head_half_width, 0.0, 0.0])

    corners = []
    for side, sign in (('left', 1.0), ('right', -1.0)):
        p = side[0]
        shoulder = _apply(
            torso, [sign * s.shoulder_half_width, s.torso - s.shoulder_drop, 0])
        pts[f'{side}_shoulder'] = shoulder
        # Arm: flex in the sagittal plane, abduct sideways, twist about the
        # upper arm (moves the plane in which the elbow bends), bend elbow.
        upper = (torso @ _rot(2, sign * a[f'{p}_sh_abd'])
                 @ _rot(0, a[f'{p}_sh_flex']))
        elbow = shoulder + s.upper_arm * _apply(upper, DOWN)
        fore = (upper @ _rot(1, sign * a[f'{p}_sh_twist'])
                @ _rot(0, a[f'{p}_elbow']))
        fore_dir = _apply(fore, DOWN)
        pts[f'{side}_elbow'] = elbow
        pts[f'{side}_wrist'] = elbow + s.forearm * fore_dir
        pts[f'{side}_hand'] = pts[f'{side}_wrist'] + s.hand * fore_dir

        hip = _apply(root, [sign * s.hip_half_width, 0, 0])
        pts[f'{side}_hip'] = hip
        thigh = (root @ _rot(2, sign * a[f'{p}_hip_abd'])
                 @ _rot(0, a[f'{p}_hip_flex']))
        knee = hip + s.thigh * _apply(thigh, DOWN)
        shank = thigh @ _rot(0, -a[f'{p}_knee'])  # knees bend backwards
        ankle = knee + s.shank * _apply(shank, DOWN)
        foot = shank @ _rot(0, a[f'{p}_ankle'])
        pts[f'{side}_knee'] = knee
        pts[f'{side}_ankle'] = ankle
        # In the neutral pose the sole is flat: heel and toe both touch.
        drop = s.ankle_height - s.r_foot
        pts[f'{side}_toe'] = ankle + _apply(
            foot, [0.0, -drop, np.sqrt(s.foot**2 - drop**2)])

        # Torso box: outer shoulder and hip edges, front and back.
        for depth in (-s.torso_half_depth, s.torso_half_depth):
            corners.append(_apply(torso, [
                sign * (s.shoulder_half_width + s.torso_shoulder_pad),
                s.torso - s.shoulder_drop + 0.02 * s.stature, depth]))
            corners.append(_apply(root, [
                sign * (s.hip_half_width + s.torso_hip_pad),
                -0.03 * s.stature, depth]))
    pts['torso_corners'] = np.stack(corners, axis=1)
    pts['forward'] = _apply(head, [0.0, 0.0, 1.0])

    # Ground contact: lift the pelvis so the lowest foot point touches y=0.
    lowest = np.minimum.reduce([
        pts['left_ankle'][:, 1] - s.ankle_height,
        pts['right_ankle'][:, 1] - s.ankle_height,
        pts['left_toe'][:, 1] - s.r_foot, pts['right_toe'][:, 1] - s.r_foot])
    lift = -lowest
    no_lift = np.zeros_like(lift)  # directions are not positions
    return {
        name: to_camera_axes(value, a['yaw'],
                             no_lift if name == 'forward' else lift)
        for name, value in pts.items()
    }


def to_camera_axes(points: np.ndarray, yaw: np.ndarray,
                   lift: np.ndarray) -> np.ndarray:
    """Body ``(L, U, F)`` -> camera-aligned ``(X, Y, Z)`` after ``yaw``.

    At yaw 0 the person faces the camera, so their left (+L) is the image's
    right (+X) and their forward (+F) points at the camera (-Z).
    ``lift`` (T,) is added to Y (ground contact; zero for directions).
    """
    c, s = np.cos(yaw), np.sin(yaw)
    expand = (slice(None), ) + (None, ) * (points.ndim - 2)
    c, s, lift = c[expand], s[expand], lift[expand]
    l, u, f = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([l * c + f * s, u + lift, l * s - f * c], axis=-1)

"""Motion: smooth curves, joint limits, non-rigid actions, camera."""
import numpy as np
import pytest

from projects.sparse_benchmark.synthetic.motion import (_LIMITS, ACTIONS,
                                                        CameraMotion,
                                                        PersonMotion,
                                                        SmoothNoise)
from projects.sparse_benchmark.synthetic.skeleton import (
    ANGLE_INDEX, KEYPOINT_NAMES, UNANNOTATED_KEYPOINTS, forward_kinematics,
    sample_body_shape)

FRAMES = 60
ANNOTATED = [k for k in range(17) if k not in UNANNOTATED_KEYPOINTS]


def _motion(action, seed=0):
    rng = np.random.default_rng(seed)
    shape = sample_body_shape(rng)
    return shape, PersonMotion(rng, shape, action, FRAMES, 25.0, 0.0, 6.0)


def _joint_angle(a, b, c):
    """Angle at b of the image-plane triangle a-b-c, per frame."""
    u, v = a[:, :2] - b[:, :2], c[:, :2] - b[:, :2]
    cos = (u * v).sum(1) / (np.linalg.norm(u, axis=1) *
                            np.linalg.norm(v, axis=1))
    return np.arccos(np.clip(cos, -1, 1))


def test_smooth_noise_is_continuous_and_deterministic():
    def make():
        return SmoothNoise(np.random.default_rng(1), 50, 3, 5.0, 1.0)

    noise, again = make(), make()
    t = np.linspace(0, 50, 2001)
    values = noise(t)
    np.testing.assert_array_equal(values, again(t))
    step = np.abs(np.diff(values, axis=0)).max()
    assert step < 0.05  # no jumps at knots (C1 spline)
    slope = np.diff(values, axis=0) / np.diff(t)[:, None]
    assert np.abs(np.diff(slope, axis=0)).max() < 0.05
    assert values.std() > 0.3  # and it does vary


@pytest.mark.parametrize('action', ACTIONS)
def test_angles_respect_joint_limits(action):
    for seed in range(4):
        _, motion = _motion(action, seed)
        angles = motion.angles(np.arange(FRAMES, dtype=float))
        for name, (lo, hi) in _LIMITS.items():
            column = angles[:, ANGLE_INDEX[name]]
            assert lo <= column.min() and column.max() <= hi, name


@pytest.mark.parametrize('action', ACTIONS)
def test_actions_are_non_rigid(action):
    """Inter-joint angles and distances change: the body deforms."""
    for seed in range(3):
        shape, motion = _motion(action, seed)
        pts = forward_kinematics(
            shape, motion.angles(np.arange(FRAMES, dtype=float)))
        angle_std = max(
            _joint_angle(pts[f'{s}_{a}'], pts[f'{s}_{b}'], pts[f'{s}_{c}']).std()
            for s in ('left', 'right')
            for a, b, c in (('shoulder', 'elbow', 'wrist'),
                            ('hip', 'knee', 'ankle')))
        assert angle_std > 0.08, (action, seed, angle_std)
        kpts = np.stack([pts[n] for n in KEYPOINT_NAMES], 1)[:, ANNOTATED]
        dist = np.linalg.norm(kpts[:, :, None] - kpts[:, None], axis=-1)
        dist /= dist.max(axis=(1, 2), keepdims=True)
        assert np.abs(dist - dist[:1]).max() > 0.1, (action, seed)


def test_walkers_move_along_their_heading():
    _, motion = _motion('walk', 2)
    t = np.arange(FRAMES, dtype=float)
    root = motion.root(t)
    step = np.stack([np.diff(root.x), np.diff(root.z)], 1)
    yaw = motion.heading(t[:-1])
    heading = np.stack([np.sin(yaw), -np.cos(yaw)], 1)
    speed = np.linalg.norm(step, axis=1) * 25.0
    np.testing.assert_allclose(speed, motion.speed, rtol=0.1)
    assert ((step * heading).sum(1) > 0).all()
    # anchored where it was placed at mid-video
    mid = motion.root(np.array([FRAMES / 2]))
    assert (mid.x[0], mid.z[0]) == pytest.approx((0.0, 6.0))


def test_cameras_pan_zoom_and_shake_across_videos():
    t = np.arange(50, dtype=float)
    grid = np.linspace(-2, 52, 217)
    pans, zooms, shakes = [], [], []
    for seed in range(12):
        cam = CameraMotion(np.random.default_rng(seed), 50, (320, 240), grid,
                           np.zeros_like(grid))
        pans.append(np.ptp(cam.x(t)) * cam.focal0 / 6.0)  # px at 6 m
        zooms.append(np.ptp(np.log(cam.focal(t))))
        pp = cam.principal_point(t)
        shakes.append(np.abs(np.diff(pp, 2, axis=0)).max())
    assert max(pans) > 40 and min(pans) < max(pans)
    assert max(zooms) > 0.1 and min(zooms) == pytest.approx(0.0, abs=1e-9)
    assert max(shakes) > 1.0

"""The kinematic body model: PoseTrack18 order, rigid bones, anatomy."""
import numpy as np
import pytest

from mmpose_posewarper.datasets import posetrack_io
from projects.sparse_benchmark.synthetic.skeleton import (
    ANGLE_INDEX, KEYPOINT_NAMES, KEYPOINT_PARTS, NUM_ANGLES, PART_NAMES,
    POSETRACK18_SKELETON, UNANNOTATED_KEYPOINTS, forward_kinematics,
    sample_body_shape)

BONES = {
    'upper_arm': ('shoulder', 'elbow'),
    'forearm': ('elbow', 'wrist'),
    'thigh': ('hip', 'knee'),
    'shank': ('knee', 'ankle'),
}


def _pose(n=1, **angles):
    values = np.zeros((n, NUM_ANGLES))
    for name, value in angles.items():
        values[:, ANGLE_INDEX[name]] = value
    return values


def _shape(seed=0):
    return sample_body_shape(np.random.default_rng(seed))


def test_keypoint_order_is_posetrack18():
    assert KEYPOINT_NAMES == posetrack_io.POSETRACK18_KEYPOINTS
    assert [list(s) for s in POSETRACK18_SKELETON] == \
        posetrack_io.POSETRACK18_SKELETON
    assert [KEYPOINT_NAMES[k] for k in UNANNOTATED_KEYPOINTS] == \
        ['left_ear', 'right_ear']
    # every annotated keypoint can be seen on some drawn part
    for k, parts in enumerate(KEYPOINT_PARTS):
        assert (len(parts) == 0) == (k in UNANNOTATED_KEYPOINTS)
        assert set(parts) <= set(PART_NAMES)


@pytest.mark.parametrize('seed', range(5))
def test_bones_keep_their_length_in_any_pose(seed):
    rng = np.random.default_rng(seed)
    shape = _shape(seed)
    angles = rng.uniform(-1.5, 1.5, size=(40, NUM_ANGLES))
    pts = forward_kinematics(shape, angles)
    for bone, (a, b) in BONES.items():
        for side in ('left', 'right'):
            length = np.linalg.norm(pts[f'{side}_{b}'] - pts[f'{side}_{a}'],
                                    axis=1)
            np.testing.assert_allclose(length, getattr(shape, bone),
                                       rtol=1e-9)
    hips = np.linalg.norm(pts['left_hip'] - pts['right_hip'], axis=1)
    np.testing.assert_allclose(hips, 2 * shape.hip_half_width, rtol=1e-9)


def test_facing_the_camera_puts_the_left_side_on_the_image_right():
    pts = forward_kinematics(_shape(), _pose(2, yaw=np.array([0.0, np.pi])))
    # X is the image's right, Z points away from the camera
    assert pts['left_shoulder'][0, 0] > pts['right_shoulder'][0, 0]
    assert pts['nose'][0, 2] < pts['head_centre'][0, 2]
    assert pts['forward'][0, 2] == pytest.approx(-1.0)
    # turned around: the sides swap and the face points away
    assert pts['left_shoulder'][1, 0] < pts['right_shoulder'][1, 0]
    assert pts['nose'][1, 2] > pts['head_centre'][1, 2]


def test_head_keypoints_are_ordered_top_to_bottom():
    pts = forward_kinematics(_shape(), _pose())
    names = ('head_top', 'nose', 'head_bottom', 'left_shoulder', 'left_hip',
             'left_knee', 'left_ankle')
    y = {n: pts[n][0, 1] for n in names}
    assert (y['head_top'] > y['nose'] > y['head_bottom'] >
            y['left_shoulder'] > y['left_hip'] > y['left_knee'] >
            y['left_ankle'] > 0)


def test_elbows_bend_forwards_and_knees_backwards():
    # facing the camera, forward is -Z
    pts = forward_kinematics(_shape(), _pose(l_elbow=1.2, l_knee=1.2))
    assert pts['left_wrist'][0, 2] < pts['left_elbow'][0, 2] - 0.05
    assert pts['left_ankle'][0, 2] > pts['left_knee'][0, 2] + 0.05
    # arm flexion swings the arm forwards, abduction sideways (outwards)
    pts = forward_kinematics(_shape(), _pose(l_sh_flex=1.0, r_sh_abd=1.0))
    assert pts['left_elbow'][0, 2] < pts['left_shoulder'][0, 2] - 0.05
    assert pts['right_elbow'][0, 0] < pts['right_shoulder'][0, 0] - 0.05


def test_feet_stay_on_the_ground():
    rng = np.random.default_rng(3)
    shape = _shape(3)
    angles = rng.uniform(-0.8, 0.8, size=(30, NUM_ANGLES))
    pts = forward_kinematics(shape, angles)
    lowest = np.minimum.reduce([
        pts['left_ankle'][:, 1] - shape.ankle_height,
        pts['right_ankle'][:, 1] - shape.ankle_height,
        pts['left_toe'][:, 1] - shape.r_foot,
        pts['right_toe'][:, 1] - shape.r_foot
    ])
    np.testing.assert_allclose(lowest, 0.0, atol=1e-12)


@pytest.mark.parametrize('seed', range(20))
def test_body_proportions_are_plausible(seed):
    shape = _shape(seed)
    pts = forward_kinematics(shape, _pose())
    height = pts['head_top'][0, 1] + 0.08 * shape.head_half_height
    assert height == pytest.approx(shape.stature, rel=0.03)
    assert 1.0 < shape.stature < 2.0
    legs = shape.thigh + shape.shank
    assert 0.40 < legs / shape.stature < 0.52
    assert 0.10 < 2 * shape.head_half_height / shape.stature < 0.2

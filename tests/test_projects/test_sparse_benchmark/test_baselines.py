"""The propagation baselines on images whose motion is known."""
import cv2
import numpy as np
import pytest

from mmpose_posewarper.apis.source_fusion import TwoSidedFusion
from projects.sparse_benchmark.sparse_benchmark.baselines import (
    CopyNearest, Interpolation, OpticalFlowWarp, TwoSidedKeypoints,
    bilinear_sample)


def textured_pair(shift, size=(120, 160), seed=0):
    """A smooth random texture and the same texture moved by ``shift``."""
    rng = np.random.default_rng(seed)
    h, w = size
    big = rng.integers(0, 255, (h // 6 + 8, w // 6 + 8, 3), dtype=np.uint8)
    big = cv2.resize(big, (w + 48, h + 48), interpolation=cv2.INTER_CUBIC)
    dx, dy = shift
    a = big[24:24 + h, 24:24 + w]
    # content moves by +shift: the window moves by -shift
    b = big[24 - dy:24 - dy + h, 24 - dx:24 - dx + w]
    return np.ascontiguousarray(a), np.ascontiguousarray(b)


def people(num=2, seed=0):
    rng = np.random.default_rng(seed)
    kpts = rng.uniform([40, 30], [120, 90], (num, 17, 2)).astype(np.float32)
    vis = np.ones((num, 17), bool)
    vis[:, 3:5] = False  # ears: not labeled
    boxes = np.array([[30, 20, 130, 100]] * num, np.float32)
    return boxes, kpts, vis


def test_bilinear_sample_interpolates():
    field = np.arange(12, dtype=np.float64).reshape(3, 4, 1)
    pts = np.array([[0, 0], [1.5, 0], [1, 1.5], [3, 2], [10, -3]])
    np.testing.assert_allclose(
        bilinear_sample(field, pts)[:, 0], [0, 1.5, 7, 11, 3])


def test_copy_nearest_copies_and_ranks_by_distance():
    boxes, kpts, vis = people()
    img = np.zeros((120, 160, 3), np.uint8)
    out1, s1, v1 = CopyNearest().propagate(img, img, boxes, kpts, vis, 1)
    _, s3, _ = CopyNearest().propagate(img, img, boxes, kpts, vis, -3)
    np.testing.assert_array_equal(out1[vis], kpts[vis])
    assert (out1[~vis] == 0).all() and (s1[~vis] == 0).all()
    np.testing.assert_array_equal(v1, vis)
    assert (s1[vis] > s3[vis]).all()


@pytest.mark.parametrize('shift', [(3, -2), (-5, 4)])
def test_optical_flow_follows_a_known_translation(shift):
    img_a, img_b = textured_pair(shift)
    boxes, kpts, vis = people()
    out, scores, v = OpticalFlowWarp().propagate(img_a, img_b, boxes, kpts,
                                                 vis, 2)
    err = np.abs(out[vis] - (kpts[vis] + np.array(shift)))
    assert np.median(err) < 0.5 and err.max() < 1.5
    # consistent forward and backward flow: confident joints
    assert scores[vis].min() > 0.4
    assert (out[~vis] == 0).all() and (scores[~vis] == 0).all()


def test_optical_flow_is_less_confident_between_unrelated_frames():
    img_a, _ = textured_pair((0, 0), seed=1)
    img_b, _ = textured_pair((0, 0), seed=2)
    boxes, kpts, vis = people()
    flow = OpticalFlowWarp()
    _, same, _ = flow.propagate(img_a, img_a, boxes, kpts, vis, 1)
    _, other, _ = flow.propagate(img_a, img_b, boxes, kpts, vis, 1)
    assert np.median(other[vis]) < np.median(same[vis])


def test_interpolation_of_a_constant_speed_person_is_exact():
    boxes, kpts, vis = people()
    speed = np.array([2.0, -1.0], np.float32)
    far = kpts + 7 * speed
    img = np.zeros((120, 160, 3), np.uint8)
    # frames 1, 2, 3 after labeled frame 0; the far source is frame 7
    offsets = np.array([[1, -6], [2, -5], [3, -4]])
    out, scores, v = Interpolation().propagate_two_sided(
        img, img, [img] * 3, boxes, np.stack([kpts, far]),
        np.stack([vis, vis]), offsets)
    for i, d in enumerate((1, 2, 3)):
        np.testing.assert_allclose(out[i][vis], (kpts + d * speed)[vis],
                                   atol=1e-4)
    np.testing.assert_array_equal(v, vis)
    assert (out[:, ~vis] == 0).all() and (scores[:, ~vis] == 0).all()
    # ranked by the distance to the nearest labeled frame, as copying
    _, copy_scores, _ = CopyNearest().propagate(img, img, boxes, kpts, vis, 2)
    np.testing.assert_allclose(scores[1][vis], copy_scores[vis])
    assert (scores[0][vis] > scores[2][vis]).all()


def test_interpolation_copies_a_person_missing_from_one_side():
    boxes, kpts, vis = people()
    far_vis = vis.copy()
    far_vis[1] = False  # person 1 has left by the far frame
    img = np.zeros((120, 160, 3), np.uint8)
    out, _, v = Interpolation().propagate_two_sided(
        img, img, [img], boxes, np.stack([kpts, kpts + 50]),
        np.stack([vis, far_vis]), np.array([[2, -5]]))
    np.testing.assert_allclose(out[0, 1][vis[1]], kpts[1][vis[1]])
    np.testing.assert_allclose(out[0, 0][vis[0]],
                               (kpts[0] + 50 * 2 / 7)[vis[0]], atol=1e-4)


def test_two_sided_flow_fuses_both_translations():
    """Near frame a, target b = a moved by +4 in x; far frame c = a moved
    by +10: flow from both sides lands on the target's joints."""
    img_a, img_b = textured_pair((4, 0))
    _, img_c = textured_pair((10, 0))
    boxes, kpts, vis = people()
    method = TwoSidedKeypoints(OpticalFlowWarp(), TwoSidedFusion())
    assert method.name == 'two_sided_optical_flow'
    out, scores, v = method.propagate_two_sided(
        img_a, img_c, [img_b], boxes,
        np.stack([kpts, kpts + np.float32([10, 0])]), np.stack([vis, vis]),
        np.array([[2, -3]]))
    err = np.abs(out[0][vis] - (kpts[vis] + np.array([4, 0])))
    assert np.median(err) < 0.5
    assert scores[0][vis].min() > 0.3

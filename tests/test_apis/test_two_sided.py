"""Two-sided propagation: planning, source weights and fusion on hand-made
poses with known answers."""
import numpy as np
import pytest

from mmpose_posewarper.apis.propagation_plan import (match_by_track,
                                                     plan_propagation,
                                                     plan_two_sided)
from mmpose_posewarper.apis.source_fusion import (TwoSidedFusion,
                                                  fuse_keypoints,
                                                  joint_weights,
                                                  source_weights)


def test_plan_two_sided_adds_the_other_side():
    plan = plan_two_sided([0, 7, 14], range(18), k=3)
    # the nearest source is the one-sided plan's, ties to the earlier frame
    assert {t: near for t, (near, _) in plan.items()} == \
        plan_propagation([0, 7, 14], range(18), k=3)
    assert plan[1] == (0, 7) and plan[3] == (0, 7)
    assert plan[4] == (7, 0) and plan[6] == (7, 0)
    assert plan[8] == (7, 14)
    # past the last labeled frame there is no other side
    assert plan[15] == (14, None) and plan[17] == (14, None)


def test_plan_two_sided_reach_limits_the_second_source():
    plan = plan_two_sided([0, 7], range(8), k=3, second_reach=5)
    assert plan[1] == (0, None)  # 7 is 6 away
    assert plan[2] == (0, 7)  # 5 away
    assert plan[5] == (7, 0)  # 5 away
    assert plan[6] == (7, None)  # 6 away
    assert plan_two_sided([0, 7], range(8), k=3, second_reach=4)[5] == \
        (7, None)
    with pytest.raises(ValueError, match='second_reach'):
        plan_two_sided([0, 7], range(8), k=3, second_reach=0)


def test_match_by_track():
    near = [dict(track_id=3), dict(track_id=5), dict(track_id=None)]
    far = [dict(track_id=5), dict(track_id=9), dict(track_id=3)]
    assert list(match_by_track(near, far)) == [2, 0, None]


@pytest.mark.parametrize('power', [0.0, 1.0, 2.5])
def test_source_weights_sum_to_one_and_fall_with_distance(power):
    d_near = np.array([1, 2, 3, 3])
    d_far = np.array([6, 5, 4, 3])
    w = source_weights(d_near, d_far, power)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    if power > 0:
        assert (w[:3, 0] > w[:3, 1]).all()
    np.testing.assert_allclose(w[3], [0.5, 0.5])


def test_power_one_gives_linear_interpolation_weights():
    w = source_weights(2, 5, 1.0)
    np.testing.assert_allclose(w, [5 / 7, 2 / 7])
    with pytest.raises(ValueError, match='>= 1 frame'):
        source_weights(0, 3)


def test_joint_weights_renormalise_over_available_sources():
    w = np.array([0.75, 0.25])[:, None]
    avail = np.array([[True, True, False], [True, False, False]])
    jw = joint_weights(w, avail)
    np.testing.assert_allclose(jw[:, 0], [0.75, 0.25])
    np.testing.assert_allclose(jw[:, 1], [1.0, 0.0])
    np.testing.assert_allclose(jw[:, 2], [0.0, 0.0])


def test_fusion_interpolates_a_constant_speed_person_exactly():
    """A person moving at constant speed between labeled frames 0 and 7: at
    frame 2 the fused pose (weights 5/7, 2/7 on frames 0 and 7) is the
    true one."""
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 100, (1, 17, 2))
    speed = np.array([3.0, -1.5])
    at = [start, start + 7 * speed]
    kpts = np.stack(at)
    avail = np.ones((2, 1, 17), bool)
    scores = np.ones((2, 1, 17))
    w = source_weights(2, 5, 1.0)
    fused, fscores, vis = fuse_keypoints(kpts, scores, avail, w,
                                         by_score=False)
    np.testing.assert_allclose(fused, start + 2 * speed, atol=1e-4)
    assert vis.all()
    np.testing.assert_allclose(fscores, 1.0)


def test_fusion_falls_back_to_the_source_that_has_the_joint():
    kpts = np.zeros((2, 2, 17, 2))
    kpts[0] = 10.0
    kpts[1] = 30.0
    avail = np.ones((2, 2, 17), bool)
    avail[1, 1] = False  # person 1 is not in the far frame
    avail[0, 0, 4] = False  # joint 4 of person 0 only in the far frame
    scores = np.where(avail, 0.8, 0.0)
    fused, fscores, vis = fuse_keypoints(kpts, scores, avail,
                                         np.array([0.6, 0.4]))
    np.testing.assert_allclose(fused[1], 10.0)
    np.testing.assert_allclose(fscores[1], 0.8)
    np.testing.assert_allclose(fused[0, 4], 30.0)
    np.testing.assert_allclose(fused[0, 0], 0.6 * 10 + 0.4 * 30)
    assert vis.all()
    # a joint no source has is not placed
    avail[:, 0, 7] = False
    fused, fscores, vis = fuse_keypoints(kpts, np.where(avail, 0.8, 0),
                                         avail, np.array([0.6, 0.4]))
    assert not vis[0, 7] and (fused[0, 7] == 0).all() and fscores[0, 7] == 0


def test_fusion_by_score_trusts_the_confident_source():
    kpts = np.stack([np.full((1, 17, 2), 10.0), np.full((1, 17, 2), 20.0)])
    avail = np.ones((2, 1, 17), bool)
    scores = np.stack([np.full((1, 17), 0.9), np.full((1, 17), 0.1)])
    fused, _, _ = fuse_keypoints(kpts, scores, avail, np.array([0.5, 0.5]))
    np.testing.assert_allclose(fused, 10 + 10 * 0.1 / 1.0)


def test_fusion_settings_are_checked():
    with pytest.raises(ValueError, match='level'):
        TwoSidedFusion(level='pixels')
    with pytest.raises(ValueError, match='power'):
        TwoSidedFusion(power=-1)
    with pytest.raises(ValueError, match='second_reach'):
        TwoSidedFusion(second_reach=0)

"""PoseTrack AP on the real sample data and on hand-built cases whose
poseval result follows from poseval's code (evaluateAP.py/eval_helpers.py).

Joints in the results are in poseval's order (right_ankle ... head_top).
"""
import json

import numpy as np
import pytest

from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_dir,
                                                     parse_posetrack_video)
from mmpose_posewarper.evaluation.functional.posetrack_ap import (
    POSEVAL_JOINTS, evaluate_posetrack_dirs, format_table, posetrack_ap)

from _helpers.posetrack_builders import (GT_DIR, NAMES, THRESH_PX, person,
                                         pose, require_sample_data, video,
                                         write_dirs, write_gt_as_predictions)

GROUPS = ('Head', 'Shou', 'Elb', 'Wri', 'Hip', 'Knee', 'Ankl', 'Total')


def ap_of(gt: dict, pred: dict) -> dict:
    """Evaluate one video pair given as JSON dicts (through the reader)."""
    return posetrack_ap([
        (parse_posetrack_video(gt, 'gt.json', keypoint_dtype=np.float64),
         parse_posetrack_video(pred, 'pred.json', keypoint_dtype=np.float64),
         'gt.json', 'pred.json')
    ])


def joint(name: str) -> int:
    return POSEVAL_JOINTS.index(name)


# ----------------------------------------------------------------- real data
def test_real_gt_against_itself_scored_by_visibility_is_100(tmp_path):
    """docs/evaluation.md: GT vs GT, scores = visibility flag -> 100 per
    joint."""
    pred_dir = write_gt_as_predictions(tmp_path / 'pred')
    result = evaluate_posetrack_dirs(str(GT_DIR), str(pred_dir))
    np.testing.assert_array_equal(result['ap'], np.full(16, 100.0))
    assert [result[g] for g in GROUPS] == [100.0] * 8
    assert result['num_frames'] == 3  # one labeled frame per video
    # 14 people; ears dropped, so at most 14 GT points per joint
    assert result['num_gt'].max() == 14 and result['num_gt'].min() > 0
    assert format_table(result['ap']).splitlines()[1] == (
        '&100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 \\\\')


def test_real_gt_with_shifted_person_drops_only_that_person():
    """One of the 11 people of 012834 moved by 3 head sizes: its joints are
    false positives and its GT joints are missed; AP falls below 100."""
    require_sample_data()
    gt = load_posetrack_dir(str(GT_DIR), keypoint_dtype=np.float64)
    pairs = []
    for name, video_gt in gt.items():
        pred = json.loads((GT_DIR / f'{name}.json').read_text())
        for ann in pred['annotations']:
            ann['scores'] = [1.0] * 17
        if name == '012834_mpii_test':
            ann = pred['annotations'][0]
            kp = np.array(ann['keypoints'], float).reshape(17, 3)
            head = np.hypot(*ann['bbox_head'][2:]) * 0.6
            kp[kp[:, 2] > 0, 0] += 3 * head
            ann['keypoints'] = kp.reshape(-1).tolist()
            ann['scores'] = [0.5] * 17
        pairs.append((video_gt,
                      parse_posetrack_video(pred, name,
                                            keypoint_dtype=np.float64), name))
    result = posetrack_ap(pairs)
    assert result['Total'] < 100
    # a joint the moved person has labelled: n GT points, the moved one is
    # missed and ranked last -> precision n-1/n at recall n-1/n
    j = joint('left_shoulder')
    n = result['num_gt'][j]
    assert result['ap'][j] == pytest.approx(100 * (n - 1) / n)


# ---------------------------------------------------------- hand-built cases
def test_perfect_prediction_is_100_and_shift_beyond_threshold_is_0():
    gt = video([[person(pose())]])
    assert ap_of(gt, video([[person(pose(), scores=[0.9] * 17)]]))['Total'] \
        == 100.0
    near = pose()
    near[:, 0] += THRESH_PX - 1  # 14 px: correct
    assert ap_of(gt, video([[person(near, scores=[0.9] * 17)]]))['Total'] \
        == 100.0
    far = pose()
    far[:, 0] += THRESH_PX + 1  # 16 px: wrong
    result = ap_of(gt, video([[person(far, scores=[0.9] * 17)]]))
    np.testing.assert_array_equal(result['ap'], np.zeros(16))
    assert result['precision'][-1] == 0 and result['recall'][-1] == 0


def test_distance_exactly_at_threshold_counts_as_correct():
    # shift (9, 12): 15 px = 0.5 * head size (0.6 * 50 = 30) exactly
    assert 0.6 * 50 == 30.0
    at = pose()
    at[:, 0] += 9
    at[:, 1] += 12
    assert ap_of(video([[person(pose())]]),
                 video([[person(at, scores=[0.9] * 17)]]))['Total'] == 100.0


def test_one_wrong_joint_only_lowers_its_group():
    pred = pose()
    pred[9, 0] += 100  # left wrist (PoseTrack18 index 9)
    result = ap_of(video([[person(pose())]]),
                   video([[person(pred, scores=[0.9] * 17)]]))
    assert result['ap'][joint('left_wrist')] == 0
    assert result['Wri'] == 50.0
    assert result['Total'] == pytest.approx(14 * 100 / 15)
    for g in ('Head', 'Shou', 'Elb', 'Hip', 'Knee', 'Ankl'):
        assert result[g] == 100.0


def test_duplicates_first_nominee_wins_not_the_higher_score():
    """Two identical predictions of one GT person: the GT person takes the
    first nominee (argmax), whatever the scores; the other is a false
    positive. Scores (0.9, 0.8): ranking TP, FP -> AP 100. Scores (0.8,
    0.9): ranking FP, TP -> precision (0, 1/2) at recall (0, 1) -> AP 50."""
    gt = video([[person(pose())]])
    first_high = video([[
        person(pose(), 0, scores=[0.9] * 17),
        person(pose(), 1, scores=[0.8] * 17)
    ]])
    first_low = video([[
        person(pose(), 0, scores=[0.8] * 17),
        person(pose(), 1, scores=[0.9] * 17)
    ]])
    assert ap_of(gt, first_high)['Total'] == 100.0
    result = ap_of(gt, first_low)
    np.testing.assert_array_equal(result['ap'], np.full(16, 50.0))
    assert result['precision'][-1] == 50.0 and result['recall'][-1] == 100.0


def test_prediction_nominates_the_gt_person_with_the_highest_pck():
    """GT people A and B; the prediction is within the threshold of A on 8
    joints and of B on 7: it is matched to A (B is missed)."""
    a, b = pose(100, 100), pose(100, 100)
    b[:, 0] += 300
    pred = b.copy()
    labelled = [k for k in range(17) if k not in (3, 4)]
    for k in labelled[:8]:
        pred[k] = a[k]
    result = ap_of(video([[person(a, 0), person(b, 1)]]),
                   video([[person(pred, scores=[0.9] * 17)]]))
    # the 8 joints taken from A are true positives (recall 1/2, AP 50);
    # the 7 near B are false positives (B is not the match) -> AP 0
    for k, name in enumerate(POSEVAL_JOINTS):
        expected = 50.0 if NAMES.index(name) in labelled[:8] else 0.0
        assert result['ap'][k] == expected, name


def test_missing_scores_rank_last_at_minus_9999():
    """A scored false positive (0.1) outranks an unscored true positive
    (-9999): precision (0, 1/2) at recall (0, 1) -> AP 50; `scores: []` and
    no `scores` key are the same."""
    gt = video([[person(pose())]])
    far = pose(900, 900)
    for unscored in ([], None):
        tp = person(pose(), 0)
        if unscored is None:
            del tp['scores']
        pred = video([[tp, person(far, 1, scores=[0.1] * 17)]])
        result = ap_of(gt, pred)
        np.testing.assert_array_equal(result['ap'], np.full(16, 50.0))


def test_frames_without_gt_people_are_not_evaluated():
    """False positives on a frame without GT people change nothing, even
    if the frame is marked labeled; a frame with GT people all of whose
    keypoints are zero still counts (its predictions are false positives).
    """
    gt = video([[person(pose())], []])
    gt['images'][1]['is_labeled'] = True
    fp = person(pose(900, 900), 0, scores=[1.0] * 17)
    pred = video([[person(pose(), 0, scores=[0.5] * 17)], [fp]])
    result = ap_of(gt, pred)
    assert result['Total'] == 100.0 and result['num_frames'] == 1

    empty_person = person(np.zeros((17, 3)), 0)
    gt2 = video([[person(pose())], [empty_person]])
    result = ap_of(gt2, pred)
    assert result['num_frames'] == 2
    # FP with score 1.0 ranked first -> AP 50
    np.testing.assert_array_equal(result['ap'], np.full(16, 50.0))


def test_a_keypoint_exists_unless_x_y_and_v_are_all_zero():
    gt_kp = pose()
    gt_kp[0] = [0, 0, 1]  # nose at the origin, visible: exists
    gt_kp[1, 2] = 0  # head_bottom with coordinates but v=0: exists
    pred_kp = gt_kp.copy()
    pred_kp[2] = 0  # head_top not predicted
    result = ap_of(video([[person(gt_kp)]]),
                   video([[person(pred_kp, scores=[0.9] * 17)]]))
    assert result['num_gt'][joint('nose')] == 1
    assert result['num_gt'][joint('head_bottom')] == 1
    assert result['ap'][joint('nose')] == 100.0
    assert result['ap'][joint('head_bottom')] == 100.0
    assert result['ap'][joint('head_top')] == 0.0  # missed, no prediction
    assert result['recall'][joint('head_top')] == 0.0


def test_ears_are_not_evaluated():
    gt_kp, pred_kp = pose(), pose()
    gt_kp[3] = [10, 10, 1]
    pred_kp[3] = [500, 500, 1]  # a wrong left ear changes nothing
    assert ap_of(video([[person(gt_kp)]]),
                 video([[person(pred_kp, scores=[0.9] * 17)]]))['Total'] \
        == 100.0


def test_ignore_region_removes_points_then_empty_people():
    """A region around the whole GT person: GT person removed; the
    prediction of it is removed too; a prediction outside stays a false
    positive. Joints with no GT left but with predictions have AP NaN and
    are left out of Total (poseval's computeMetrics)."""
    box = [(150, 150), (400, 150), (400, 400), (150, 400)]
    gt = video([[person(pose())]], ignore={0: [box]})
    inside = person(pose(), 0, scores=[0.9] * 17)
    assert ap_of(gt, video([[inside]]))['Total'] == 0.0  # nothing at all
    outside = person(pose(700, 700), 1, scores=[0.9] * 17)
    result = ap_of(gt, video([[inside, outside]]))
    assert np.isnan(result['ap'][:15]).all() and np.isnan(result['Total'])
    # with a second, normal frame the NaN joints drop out of Total
    gt2 = video([[person(pose())], [person(pose())]], ignore={0: [box]})
    pred2 = video([[inside, outside], [person(pose(), 0, scores=[.5] * 17)]])
    result = ap_of(gt2, pred2)
    # frame 1 matches; frame 0's outside FP (0.9) ranks first -> AP 50
    np.testing.assert_array_equal(result['ap'], np.full(16, 50.0))


def test_people_removed_by_ignore_region_need_no_head_box():
    """poseval drops people left without keypoints before it reads head
    boxes, so a GT person inside a region may lack one."""
    box = [(150, 150), (400, 150), (400, 400), (150, 400)]
    gt = video([[person(pose(), 0, head_box=None),
                 person(pose(600, 600), 1)]], ignore={0: [box]})
    pred = video([[person(pose(600, 600), 0, scores=[0.9] * 17)]])
    assert ap_of(gt, pred)['Total'] == 100.0


def test_ignore_region_partial_and_boundary():
    """Only points strictly inside a region are removed (a point on the
    polygon edge stays); the rest of the person is evaluated as usual."""
    kp = pose(200, 200)
    # region covering the first row of joints (y = 200: nose, head_bottom,
    # head_top) strictly; the second row (y = 240, from the left shoulder
    # on) lies exactly on its lower edge
    region = [(150, 190), (400, 190), (400, 240), (150, 240)]
    gt = video([[person(kp)]], ignore={0: [region]})
    pred_kp = kp.copy()
    pred_kp[:3, 0] += 100  # wrong nose/head points: inside, removed
    result = ap_of(gt, video([[person(pred_kp, scores=[.9] * 17)]]))
    for name in ('nose', 'head_bottom', 'head_top'):
        assert result['num_gt'][joint(name)] == 0
        assert result['ap'][joint(name)] == 0.0  # no GT, no prediction
    assert result['num_gt'][joint('left_shoulder')] == 1  # on the edge
    assert result['ap'][joint('left_shoulder')] == 100.0
    assert result['Total'] == pytest.approx(12 * 100 / 15)


def test_bigger_head_box_widens_the_threshold():
    shifted = pose()
    shifted[:, 0] += 20
    pred = video([[person(shifted, scores=[0.9] * 17)]])
    assert ap_of(video([[person(pose())]]), pred)['Total'] == 0.0
    big_head = video([[person(pose(), head_box=[0, 0, 60, 80])]])
    assert ap_of(big_head, pred)['Total'] == 100.0


def test_zero_size_head_box_matches_nothing_as_in_poseval():
    """poseval divides by the head size: for a 0 x 0 head box 0 / 0 is NaN,
    and NaN <= 0.5 is false, so even an exact prediction is wrong."""
    pred = video([[person(pose(), scores=[0.9] * 17)]])
    assert ap_of(video([[person(pose(), head_box=[0, 0, 0, 0])]]),
                 pred)['Total'] == 0.0
    # a degenerate but non-zero box (a line) still has a head size
    assert ap_of(video([[person(pose(), head_box=[0, 0, 30, 0])]]),
                 pred)['Total'] == 100.0


def test_missing_head_box_fails_only_where_needed():
    no_head = video([[person(pose(), head_box=None)], []])
    # no prediction in the frame: poseval never reads the head box
    assert ap_of(no_head, video([[], []]))['Total'] == 0.0
    with pytest.raises(ValueError, match=r'gt\.json.*bbox_head'):
        ap_of(no_head, video([[person(pose(), scores=[1] * 17)], []]))


def test_frame_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match='pred.json.*images.*2 frames'):
        ap_of(video([[person(pose())]]), video([[], []]))


def test_ranking_across_videos_and_frames(tmp_path):
    """Two videos: video 1 perfect (score 0.6), video 2's prediction far
    off (score 0.7): ranking FP, TP with 2 GT -> AP = 1/2 * 1/2 = 25."""
    a = (video([[person(pose())]], '000001_mpii_test'),
         video([[person(pose(), scores=[0.6] * 17)]], '000001_mpii_test'))
    b = (video([[person(pose())]], '000002_mpii_test'),
         video([[person(pose(900, 900), scores=[0.7] * 17)]],
               '000002_mpii_test'))
    gt_dir, pred_dir = write_dirs(tmp_path, {
        '000001_mpii_test': a,
        '000002_mpii_test': b
    })
    result = evaluate_posetrack_dirs(gt_dir, pred_dir)
    np.testing.assert_array_equal(result['ap'], np.full(16, 25.0))
    assert result['precision'][-1] == 50.0 and result['recall'][-1] == 50.0


def test_one_frame_video_and_15_keypoint_categories():
    """Prediction file listing 15 keypoints in another order: mapped by
    name like poseval's converter."""
    gt = video([[person(pose())]])
    names15 = [n for n in gt['categories'][0]['keypoints']
               if not n.endswith('_ear')][::-1]
    kp = pose()
    order = [gt['categories'][0]['keypoints'].index(n) for n in names15]
    pred = video([[dict(track_id=0, keypoints=kp[order].reshape(-1).tolist(),
                        scores=[0.9] * 15)]])
    pred['categories'][0]['keypoints'] = names15
    assert ap_of(gt, pred)['Total'] == 100.0


def test_missing_prediction_file_names_it(tmp_path):
    gt_dir, pred_dir = write_dirs(
        tmp_path, {'000001_mpii_test': (video([[person(pose())]]), {})})
    (tmp_path / 'pred' / '000001_mpii_test.json').unlink()
    with pytest.raises(FileNotFoundError, match='000001_mpii_test.json'):
        evaluate_posetrack_dirs(gt_dir, pred_dir)

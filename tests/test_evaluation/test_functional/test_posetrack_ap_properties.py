"""Property-based tests of the PoseTrack AP (invariants poseval's algorithm
has; exact equality with poseval itself is checked by the comparison
procedure described in docs/evaluation.md).

Note what poseval does NOT guarantee, so it is not tested: permuting the
predictions of a frame can change the AP, because a GT person takes the
*first* of its equally good nominees and equal scores keep a sort order.
"""
import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmpose_posewarper.datasets.posetrack_io import parse_posetrack_video
from mmpose_posewarper.evaluation.functional.posetrack_ap import posetrack_ap

from _helpers.posetrack_builders import person, video

SETTINGS = settings(max_examples=25, deadline=None)
# people are drawn in 100 x 100 px boxes whose corners are 400 px apart,
# head boxes are at most 40 x 40 (threshold < 17 px): no prediction near
# one person can be within the threshold of another
CELL = 400


@st.composite
def scenes(draw, distinct_scores=False, scored=False):
    """Random GT / prediction videos with well separated people.

    Returns:
        list of (gt_json, pred_json) video pairs.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    score_kind = 'distinct' if distinct_scores else draw(
        st.sampled_from(['float', 'grid', 'missing']))
    if scored and score_kind == 'missing':
        score_kind = 'grid'
    counter = iter(rng.permutation(100000) / 100000.0 + 1e-6)
    pairs = []
    for v in range(draw(st.integers(1, 3))):
        gt_frames, pred_frames, ignore = [], [], {}
        for f in range(draw(st.integers(1, 3))):
            slots = rng.permutation(9)[:draw(st.integers(0, 3))]
            gt_people, preds = [], []
            for t, slot in enumerate(slots):
                origin = np.array([slot % 3, slot // 3]) * CELL + 50
                kp = np.zeros((17, 3))
                kp[:, :2] = origin + rng.integers(1, 100, (17, 2))
                kp[:, 2] = 1
                kp[rng.random(17) < 0.2] = 0
                kp[3:5] = 0
                # >= 1 px: a 0 x 0 head box matches nothing (poseval's
                # 0 / 0; test_posetrack_ap_cases.py tests that case)
                head = [0, 0] + rng.integers(1, 40, 2).tolist()
                gt_people.append(person(kp, t, head_box=head))
                for _ in range(draw(st.integers(0, 2))):
                    noisy = kp.copy()
                    noisy[:, :2] += rng.integers(-25, 26, (17, 2))
                    noisy[kp[:, 2] == 0] = 0
                    preds.append(noisy)
            for _ in range(draw(st.integers(0, 2))):  # stray predictions
                stray = np.zeros((17, 3))
                stray[:, :2] = rng.integers(1, 3 * CELL, (17, 2))
                stray[:, 2] = 1
                preds.append(stray)
            pred_people = []
            for t, kp in enumerate(preds):
                if score_kind == 'distinct':
                    scores = [next(counter) for _ in range(17)]
                elif score_kind == 'float':
                    scores = rng.random(17)
                elif score_kind == 'grid':
                    scores = rng.integers(0, 8, 17) / 8
                else:
                    scores = None if rng.random() < 0.5 else rng.integers(
                        0, 4, 17) / 4
                pred_people.append(person(kp, t, scores=scores))
            if draw(st.booleans()):
                x0, y0 = rng.integers(0, 3 * CELL, 2)
                w, h = rng.integers(20, 300, 2)
                ignore[f] = [[(x0, y0), (x0 + w, y0), (x0 + w, y0 + h),
                              (x0, y0 + h)]]
            gt_frames.append(gt_people)
            pred_frames.append(pred_people)
        name = f'{v + 1:06d}_mpii_test'
        pairs.append((video(gt_frames, name, ignore),
                      video(pred_frames, name)))
    return pairs


def evaluate(pairs):
    return posetrack_ap([(parse_posetrack_video(g, keypoint_dtype=np.float64),
                          parse_posetrack_video(p, keypoint_dtype=np.float64),
                          f'video {i}') for i, (g, p) in enumerate(pairs)])


def same(a, b):
    for key in ('ap', 'precision', 'recall', 'num_gt'):
        np.testing.assert_array_equal(a[key], b[key])


@SETTINGS
@given(pairs=scenes())
def test_values_are_percentages(pairs):
    result = evaluate(pairs)
    for key in ('ap', 'precision', 'recall'):
        vals = result[key][~np.isnan(result[key])]
        assert ((vals >= 0) & (vals <= 100)).all()
    # NaN only for joints with predictions but no GT point
    nan = np.isnan(result['ap'][:15])
    assert (result['num_gt'][nan] == 0).all()


@SETTINGS
@given(pairs=scenes())
def test_gt_against_itself_is_100_where_defined(pairs):
    """Predictions = the GT people (any constant score): AP 100 for every
    joint with GT points; joints without any GT point have no prediction
    either and get poseval's 0."""
    gt_pairs = []
    for gt, _ in pairs:
        pred = copy.deepcopy(gt)
        for ann in pred['annotations']:
            ann['scores'] = ann['keypoints'][2::3]
        gt_pairs.append((gt, pred))
    result = evaluate(gt_pairs)
    has_gt = result['num_gt'] > 0
    assert (result['ap'][:15][has_gt] == 100).all()
    assert (result['ap'][:15][~has_gt] == 0).all()
    if has_gt.any():
        assert result['recall'][:15][has_gt].min() == 100


@SETTINGS
@given(pairs=scenes(distinct_scores=True), seed=st.integers(0, 1000))
def test_video_order_does_not_matter_with_distinct_scores(pairs, seed):
    order = np.random.default_rng(seed).permutation(len(pairs))
    same(evaluate(pairs), evaluate([pairs[i] for i in order]))


@SETTINGS
@given(pairs=scenes(distinct_scores=True), seed=st.integers(0, 1000))
def test_gt_order_within_frames_does_not_matter(pairs, seed):
    """With separated people a prediction nominates at most one GT person
    with PCK > 0, so the order of the GT people is irrelevant."""
    rng = np.random.default_rng(seed)
    shuffled = []
    for gt, pred in pairs:
        gt = copy.deepcopy(gt)
        by_image = {}
        for ann in gt['annotations']:
            by_image.setdefault(ann['image_id'], []).append(ann)
        gt['annotations'] = [
            a for img in by_image.values()
            for a in (img[i] for i in rng.permutation(len(img)))
        ]
        shuffled.append((gt, pred))
    same(evaluate(pairs), evaluate(shuffled))


@SETTINGS
@given(pairs=scenes(scored=True))
def test_increasing_score_transform_changes_nothing(pairs):
    """AP is rank based; s -> 2 s - 1 (exact on these scores) keeps every
    comparison, so even ties are ranked the same way."""
    moved = copy.deepcopy(pairs)
    for _, pred in moved:
        for ann in pred['annotations']:
            ann['scores'] = [2 * s - 1 for s in ann['scores']]
    same(evaluate(pairs), evaluate(moved))


@SETTINGS
@given(pairs=scenes(), dx=st.integers(0, 500), dy=st.integers(0, 500))
def test_translation_changes_nothing(pairs, dx, dy):
    moved = copy.deepcopy(pairs)
    for gt, pred in moved:
        for v in (gt, pred):
            for ann in v['annotations']:
                kp = np.array(ann['keypoints']).reshape(17, 3)
                exists = ~(kp == 0).all(axis=1)
                kp[exists, 0] += dx
                kp[exists, 1] += dy
                ann['keypoints'] = kp.reshape(-1).tolist()
                if 'bbox_head' in ann:
                    ann['bbox_head'][0] += dx
                    ann['bbox_head'][1] += dy
        for img in gt['images']:
            if 'ignore_regions_x' in img:
                img['ignore_regions_x'] = [[x + dx for x in r]
                                           for r in img['ignore_regions_x']]
                img['ignore_regions_y'] = [[y + dy for y in r]
                                           for r in img['ignore_regions_y']]
    same(evaluate(pairs), evaluate(moved))


@SETTINGS
@given(pairs=scenes(distinct_scores=True), frame=st.integers(0, 100),
       low=st.booleans())
def test_far_false_positive_never_raises_ap(pairs, frame, low):
    """A prediction far from everybody, added to a frame: with the lowest
    score it changes no AP of a joint with GT points; with any score it
    never raises one."""
    before = evaluate(pairs)
    worse = copy.deepcopy(pairs)
    gt, pred = worse[frame % len(worse)]
    img = gt['images'][frame % len(gt['images'])]
    kp = np.zeros((17, 3))
    kp[:, :2] = 5 * CELL + np.arange(17)[:, None]
    kp[:, 2] = 1
    score = 0.0 if low else 0.5 + 1e-7  # other scores are distinct too
    taken = [a['track_id'] for a in pred['annotations']
             if a['image_id'] == img['id']]
    pred['annotations'].append(
        dict(person(kp, max(taken, default=-1) + 1, scores=[score] * 17),
             image_id=img['id']))
    after = evaluate(worse)
    has_gt = before['num_gt'] > 0
    if low:
        np.testing.assert_array_equal(after['ap'][:15][has_gt],
                                      before['ap'][:15][has_gt])
        np.testing.assert_array_equal(after['recall'][:15][has_gt],
                                      before['recall'][:15][has_gt])
    assert (after['ap'][:15][has_gt] <= before['ap'][:15][has_gt]).all()

"""Pairs, controls and scoring of the propagation comparison."""
import os.path as osp

import numpy as np

from mmpose_posewarper.datasets.posetrack_videos import frame_number
from projects.sparse_benchmark.sparse_benchmark.baselines import CopyNearest
from projects.sparse_benchmark.sparse_benchmark.propagation_eval import (
    by_distance, propagation_pairs, run_propagation, score_predictions,
    shuffled_frame_source, source_people)


def test_pairs_cover_unlabeled_frames_within_k(small_data):
    _, _, sparse = small_data
    pairs = propagation_pairs(sparse, 3)
    for name, video_pairs in pairs.items():
        nframes = len(sparse[name]['images'])
        targets = [t for t, _ in video_pairs]
        # labeled 0, 7, 14 of 16 frames: all others are within 3 of one
        assert targets == [t for t in range(nframes) if t % 7 != 0]
        for t, s in video_pairs:
            assert s % 7 == 0 and 1 <= abs(t - s) <= 3
            # nearest labeled frame, the earlier one on a tie
            assert abs(t - s) <= abs(t - 7 * round(t / 7))
    self_pairs = propagation_pairs(sparse, 3, to_self=True)
    assert all(t == s and t % 7 == 0 for v in self_pairs.values()
               for t, s in v)


def test_source_people_place_hidden_joints_too(small_data):
    _, gt, sparse = small_data
    name = sorted(sparse)[0]
    anns, boxes, kpts, placed = source_people(sparse[name], 0, (96, 128))
    assert len(anns) == len(boxes) == len(kpts) == len(placed) > 0
    for ann, p in zip(anns, placed):
        kp = np.asarray(ann['keypoints'])
        np.testing.assert_array_equal(p, np.any(kp != 0, axis=1))
    assert (boxes[:, 2] >= boxes[:, 0]).all()


def test_copying_to_the_labeled_frame_itself_scores_100(small_data):
    root, gt, sparse = small_data
    preds = run_propagation(CopyNearest(), sparse,
                            propagation_pairs(sparse, 3, to_self=True), root)
    result = score_predictions(preds, gt)
    assert result['Total'] == 100.0
    # ... and copying to other frames of a moving scene does not
    preds = run_propagation(CopyNearest(), sparse,
                            propagation_pairs(sparse, 3), root)
    assert score_predictions(preds, gt)['Total'] < 95


def test_ground_truth_as_prediction_scores_100_on_the_targets(small_data):
    _, gt, sparse = small_data
    preds = {}
    for name, video_pairs in propagation_pairs(sparse, 3).items():
        t_of = {img['id']: frame_number(img) for img in gt[name]['images']}
        preds[name] = {t: [] for t, _ in video_pairs}
        for ann in gt[name]['annotations']:
            t = t_of[ann['image_id']]
            if t in preds[name]:
                preds[name][t].append(
                    dict(keypoints=np.asarray(ann['keypoints']),
                         scores=np.ones(17), is_labeled=False,
                         track_id=ann['track_id']))
    assert score_predictions(preds, gt)['Total'] == 100.0


def test_shuffled_source_takes_another_videos_frame(small_data):
    root, _, sparse = small_data
    names = sorted(sparse)
    source = shuffled_frame_source(sparse, root)
    path = source(names[0], 5)
    assert names[1] in path and osp.basename(path) == '000005.jpg'
    assert names[0] in source(names[1], 5)
    assert osp.isfile(path)


def test_by_distance_splits_every_prediction_once(small_data):
    root, _, sparse = small_data
    pairs = propagation_pairs(sparse, 3)
    preds = run_propagation(CopyNearest(), sparse, pairs, root)
    parts = by_distance(preds, pairs)
    assert sorted(parts) == [1, 2, 3]
    for name, video_pairs in pairs.items():
        for t, s in video_pairs:
            owners = [d for d, part in parts.items() if t in part.get(name, {})]
            assert owners == [abs(t - s)]
            assert parts[abs(t - s)][name][t] is preds[name][t]

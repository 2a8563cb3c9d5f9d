"""The augmentation bound's parts: which ground truth stands for the
propagated people, and its table. The measurement itself runs on the quick
run (test_quick_run.py)."""
import pytest

from mmpose_posewarper.sparse_benchmark.augmentation_bound import (
    bound_table, ground_truth_of_propagated)


def _person(image_id, track_id, **extra):
    return dict(image_id=image_id, track_id=track_id,
                keypoints=[[float(image_id), float(track_id), 1.0]], **extra)


def test_ground_truth_of_exactly_the_propagated_people():
    gt = {'v': dict(images=[dict(id=i) for i in (1, 2, 3)], annotations=[
        _person(1, 0), _person(2, 0), _person(2, 1), _person(3, 0)])}
    propagated = {'v': dict(images=gt['v']['images'], annotations=[
        _person(1, 0),  # the manual label: not propagated
        _person(2, 0, is_labeled=False),
        # carried to a frame the person is not in
        _person(3, 1, is_labeled=False),
    ])}
    truth, absent = ground_truth_of_propagated(propagated, gt)
    # the ground truth's own joints, of (image 2, track 0) only: track 1 on
    # image 2 was not propagated, track 1 is not on image 3
    assert truth['v']['annotations'] == [_person(2, 0)]
    assert truth['v']['images'] == gt['v']['images']
    assert absent == 1
    # the input is left as it was
    assert len(gt['v']['annotations']) == 4
    with pytest.raises(ValueError, match="video 'w' has no ground truth"):
        ground_truth_of_propagated({'w': propagated['v']}, gt)


def test_bound_table_rows_and_margins():
    one = dict(sparse_only=60.8, sparse_plus_propagated=60.4,
               sparse_plus_ground_truth=61.0)
    two = dict(sparse_only=70.0, sparse_plus_propagated=69.0,
               sparse_plus_ground_truth=71.0)
    table = bound_table([('seed 0', one)])
    assert '| seed 0 | 60.8 | 60.4 | 61.0 | -0.4 | 0.2 |' in table
    assert 'mean' not in table
    table = bound_table([('seed 0', one), ('seed 1', two)])
    lines = table.splitlines()
    assert lines[-1].startswith('| mean ± std | 65.4 ± 6.5 |')
    # margins: (-0.4, -1.0) and (0.2, 1.0)
    assert lines[-1].endswith('| -0.7 ± 0.4 | 0.6 ± 0.6 |')

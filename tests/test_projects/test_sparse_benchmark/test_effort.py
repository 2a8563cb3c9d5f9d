"""The simulated annotator of the effort measurement, on a tiny video
whose answer is counted by hand."""
import cv2
import numpy as np
import pytest

from projects.sparse_benchmark.sparse_benchmark.baselines import (
    CopyNearest, Interpolation)
from projects.sparse_benchmark.sparse_benchmark.effort import (Propagations,
                                                               Truth,
                                                               effort_table,
                                                               ground_truth,
                                                               measure_effort,
                                                               simulate)

SPEED = 10.0  # px per frame, to the right
# head box 30 x 40: head size 0.6 * 50 = 30 px, PCKh@0.5 threshold 15 px:
# a pose copied 1 frame away (10 px off) is right, 2 or 3 frames away wrong


def moving_person_video(root, nframes=8):
    """One person (17 joints) walking at constant speed; blank frames."""
    rng = np.random.default_rng(0)
    start = rng.uniform(20, 60, (17, 2))
    (root / 'v').mkdir(parents=True)
    images, anns = [], []
    for t in range(nframes):
        cv2.imwrite(str(root / 'v' / f'{t:06d}.jpg'),
                    np.zeros((160, 200, 3), np.uint8))
        images.append(dict(id=100 + t, file_name=f'v/{t:06d}.jpg'))
        kp = np.concatenate([start + [SPEED * t, 0], np.ones((17, 1))], 1)
        anns.append(dict(id=t, image_id=100 + t, track_id=4, keypoints=kp,
                         bbox=[10 + SPEED * t, 10, 60, 80],
                         bbox_head=[10 + SPEED * t, 10, 30, 40]))
    return {'v': dict(images=images, annotations=anns)}


def test_truth_counts_wrong_missing_and_extra_people():
    kp = np.zeros((17, 3))
    kp[:, :2] = 50
    kp[:, 2] = 1
    truth = Truth([dict(track_id=1, keypoints=kp, bbox_head=[0, 0, 30, 40])],
                  'frame')
    assert truth.joints == 15  # poseval's joints
    pred = kp.copy()
    pred[:3, 0] += 16  # 3 joints past the 15 px threshold (PoseTrack order)
    pred[5, 2] = 0  # one joint not placed
    correct, edits = truth.check([dict(track_id=1, keypoints=pred),
                                  dict(track_id=9, keypoints=pred)])
    # joints 3, 4 (ears) are not poseval joints: 3 wrong + 1 missing of 15
    assert (correct, edits) == (11, 4 + 1)
    assert truth.check([]) == (0, 15)


def test_copy_nearest_effort_by_hand(tmp_path):
    """Frames 0 and 7 labeled (30 edits); copying is right 1 frame away
    (frames 1, 6): 60 of 120 joints. Least confident first (farthest
    frame, the earlier on a tie) the annotator fixes frame 3 (15 edits);
    propagating again from 0, 3, 7 makes 1, 2, 4, 6 right (105 of 120);
    then frame 5 (2 away from 3) costs 15 more: 60 edits to 100%."""
    videos = moving_person_video(tmp_path)
    truth = ground_truth(videos)
    props = Propagations(CopyNearest(), videos, str(tmp_path), k=3)
    result = simulate(props, truth, label_every=7, order='confidence',
                      batch=1)
    assert result['curve'][0] == [30, 0.5]
    assert result["curve"][1] == [45, 75 / 120]
    assert result['curve'][2] == [45, 105 / 120]
    assert result['curve'][-1] == [60, 1.0]
    assert result['edits_to'] == {'0.95': 60, '0.99': 60}
    assert result['reviewed'] == 2


def test_interpolation_needs_only_the_keyframes(tmp_path):
    videos = moving_person_video(tmp_path)
    props = Propagations(Interpolation(), videos, str(tmp_path), k=3)
    effort = measure_effort(dict(interpolation=props), videos, 7, batch=2)
    assert effort['total_joints'] == 120
    assert effort['hand'] == {'0.95': 114, '0.99': 119}
    for order in ('confidence', 'random'):
        got = effort['methods']['interpolation'][order]
        assert got['edits_to'] == {'0.95': 30, '0.99': 30}
        assert got['reviewed'] == 0
    table = effort_table(effort)
    assert '| `interpolation` | 30 | 30 | 30 | 30 | 74% |' in table
    assert '| label every frame by hand | 114 | 119 | 114 | 119 | 0% |' \
        in table


def test_random_order_reviews_every_frame_once(tmp_path):
    videos = moving_person_video(tmp_path)
    truth = ground_truth(videos)
    props = Propagations(CopyNearest(), videos, str(tmp_path), k=3)
    result = simulate(props, truth, 7, 'random', batch=3, seed=1,
                      stop_at=1.01)
    # everything reviewed: 100% correct, each of the 6 frames once
    assert result['reviewed'] == 6
    assert result['curve'][-1][1] == 1.0
    edits = [e for e, _ in result['curve']]
    assert edits == sorted(edits) and edits[-1] <= 120
    with pytest.raises(ValueError, match='order'):
        simulate(props, truth, 7, 'alphabetical')

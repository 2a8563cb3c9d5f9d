"""Generated videos: determinism and ground truth that agrees with pixels."""
import dataclasses

import numpy as np
import pytest

from projects.sparse_benchmark.synthetic import generate_video, keypoint_pixel
from projects.sparse_benchmark.synthetic.ground_truth import \
    MIN_KEYPOINTS_IN_FRAME
from projects.sparse_benchmark.synthetic.render import CLUTTER_LABEL
from projects.sparse_benchmark.synthetic.skeleton import (
    KEYPOINT_PARTS, PART_INDEX, PARTS_PER_PERSON, UNANNOTATED_KEYPOINTS)

from .conftest import TEST_CONFIG

HEAD = [0, 1, 2]  # nose, head_bottom, head_top


def _people(videos):
    """Yields (video, frame, track id, ground truth) of every person."""
    for video in videos:
        for frame, people in enumerate(video.people):
            for track, person in enumerate(people):
                yield video, frame, track, person


def _assert_same_video(a, b):
    assert a.name == b.name and a.num_frames == b.num_frames
    for x, y in zip(a.images, b.images):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(a.part_maps, b.part_maps):
        np.testing.assert_array_equal(x, y)
    for pa, pb in zip(a.people, b.people):
        for x, y in zip(pa, pb):
            np.testing.assert_array_equal(x.keypoints, y.keypoints)
            np.testing.assert_array_equal(x.bbox, y.bbox)


def test_same_seed_same_video(videos):
    _assert_same_video(videos[0], generate_video(TEST_CONFIG, 'train', 0))


def test_other_seed_or_video_differs(videos):
    other = generate_video(dataclasses.replace(TEST_CONFIG, seed=8), 'train',
                           0)
    assert not np.array_equal(other.images[0], videos[0].images[0])
    assert not np.array_equal(videos[0].images[0], videos[1].images[0])


def test_video_does_not_depend_on_split_sizes(videos):
    bigger = dataclasses.replace(TEST_CONFIG, num_train_videos=9,
                                 num_val_videos=5)
    _assert_same_video(videos[-1], generate_video(bigger, 'val', 0))


def test_shapes_and_dense_labels(videos):
    width, height = TEST_CONFIG.image_size
    for video in videos:
        assert video.num_frames == TEST_CONFIG.frames[0]
        assert len(video.people) == video.num_frames
        assert len({len(p) for p in video.people}) == 1  # same tracks
        assert 2 <= len(video.actions) <= 3
        for image, part_map in zip(video.images, video.part_maps):
            assert image.shape == (height, width, 3)
            assert image.dtype == np.uint8
            assert part_map.shape == (height, width)
        # dense ground truth: every frame has somebody annotated
        assert all(any(p.annotated for p in frame) for frame in video.people)


def test_visible_keypoints_lie_on_their_own_body_part(videos):
    checked = 0
    for video, frame, track, person in _people(videos):
        part_map = video.part_maps[frame]
        pix = keypoint_pixel(person.keypoints[:, :2])
        for k in np.flatnonzero(person.visible):
            label = int(part_map[pix[k, 1], pix[k, 0]])
            owner, part = divmod(label, PARTS_PER_PERSON)
            assert label not in (0, CLUTTER_LABEL)
            assert owner == track
            assert part in {PART_INDEX[p] for p in KEYPOINT_PARTS[k]}
            checked += 1
    assert checked > 500


def test_occluded_keypoints_are_kept_and_covered(videos):
    """In-frame hidden joints keep their position with v=0; most are under
    another person, clutter or a different part of the same body."""
    occluded = 0
    by_other = 0
    for video, frame, track, person in _people(videos):
        part_map = video.part_maps[frame]
        pix = keypoint_pixel(person.keypoints[:, :2])
        hidden = person.in_frame & ~person.visible
        for k in np.flatnonzero(hidden):
            assert person.keypoints[k, 2] == 0
            assert person.keypoints[k, :2].any()
            label = int(part_map[pix[k, 1], pix[k, 0]])
            by_other += label == CLUTTER_LABEL or \
                label // PARTS_PER_PERSON != track
            occluded += 1
    in_frame = sum(p.in_frame.sum() for _, _, _, p in _people(videos))
    # PoseTrack-like difficulty: a good share of joints is hidden...
    assert 0.1 < occluded / in_frame < 0.6
    # ...and some of it by other people or clutter, not only self-occlusion
    assert by_other > 0.1 * occluded


def test_out_of_frame_and_ears_are_zero(videos):
    width, height = TEST_CONFIG.image_size
    saw_out_of_frame = False
    for _, _, _, person in _people(videos):
        kpts = person.keypoints
        assert not kpts[list(UNANNOTATED_KEYPOINTS)].any()
        assert not kpts[~person.in_frame].any()
        pix = keypoint_pixel(kpts[person.in_frame, :2])
        assert ((pix >= 0) & (pix < [width, height])).all()
        saw_out_of_frame |= bool(person.annotated and
                                 (~person.in_frame).sum() > 2)
    assert saw_out_of_frame  # people are cut by the image border too


def test_annotated_people_are_substantially_in_view(videos):
    for _, _, _, person in _people(videos):
        if person.annotated:
            assert person.in_frame.sum() >= MIN_KEYPOINTS_IN_FRAME
            assert person.visible.any()


def test_head_boxes_contain_the_head_keypoints(videos):
    for _, _, _, person in _people(videos):
        if not person.annotated:
            continue
        x, y, w, h = person.bbox_head
        assert 0 < w < 0.6 * TEST_CONFIG.image_size[0] and 0 < h
        for k in HEAD:
            if person.in_frame[k]:
                px, py = person.keypoints[k, :2]
                assert x <= px <= x + w and y <= py <= y + h


def test_person_boxes_contain_every_keypoint(videos):
    for _, _, _, person in _people(videos):
        if not person.annotated:
            continue
        x, y, w, h = person.bbox
        kpts = person.keypoints[person.in_frame, :2]
        assert (kpts >= [x - 1, y - 1]).all()
        assert (kpts <= [x + w + 1, y + h + 1]).all()
        # the head is a small part of the person
        assert person.bbox_head[3] < 0.5 * h or not person.in_frame[15:].any()


def test_track_ids_follow_the_same_person(videos):
    """A track's keypoints move a little from frame to frame: no id swaps."""
    for video in videos:
        for track in range(len(video.actions)):
            prev = None
            for frame in range(video.num_frames):
                person = video.people[frame][track]
                if not person.annotated:
                    prev = None
                    continue
                if prev is not None:
                    both = person.in_frame & prev.in_frame
                    move = np.linalg.norm(person.keypoints[both, :2] -
                                          prev.keypoints[both, :2], axis=1)
                    size = max(person.bbox[3], prev.bbox[3])
                    assert np.median(move) < 0.25 * size
                prev = person


def test_people_occlude_each_other(videos):
    overlaps = 0
    for video in videos:
        for people in video.people:
            boxes = [p.bbox for p in people if p.annotated]
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[i], boxes[j]
                    overlaps += (min(ax + aw, bx + bw) > max(ax, bx) and
                                 min(ay + ah, by + bh) > max(ay, by))
    assert overlaps > 0


@pytest.mark.parametrize('limb', [(5, 7, 9), (6, 8, 10), (11, 13, 15),
                                  (12, 14, 16)])
def test_ground_truth_motion_is_non_rigid(videos, limb):
    """Elbow/knee angles of the annotated 2D poses change over time."""
    a, b, c = limb
    spreads = []
    for video in videos:
        for track in range(len(video.actions)):
            angles = []
            for people in video.people:
                k = people[track].keypoints
                if people[track].in_frame[[a, b, c]].all():
                    u, v = k[a, :2] - k[b, :2], k[c, :2] - k[b, :2]
                    angles.append(np.arctan2(u[0] * v[1] - u[1] * v[0],
                                             u @ v))
            if len(angles) >= 5:
                spreads.append(np.ptp(np.unwrap(angles)))
    assert max(spreads) > 0.3

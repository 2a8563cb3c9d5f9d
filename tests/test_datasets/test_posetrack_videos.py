"""datasets/posetrack_videos.py: frame numbers, every frame of a video, its
labeled frames, and the merged COCO-style file (with the box rule)."""
import cv2
import numpy as np
import pytest

from mmpose_posewarper.datasets.posetrack_videos import (frame_number,
                                                         labeled_frames,
                                                         video_frames,
                                                         videos_to_coco)


def person(ann_id, image_id, bbox, labeled=True):
    return dict(
        id=ann_id,
        image_id=image_id,
        track_id=0,
        bbox=bbox,
        keypoints=np.ones((17, 3)),
        is_labeled=labeled)


def sparse_video():
    """Frames 0..4 of which the file lists 1 and 3 (as MMPose's fixtures
    do); frame 3 carries a propagated person."""
    images = [
        dict(id=10001, file_name='images/v/000001.jpg', nframes=5,
             is_labeled=True, width=64, height=48),
        dict(id=10003, file_name='images/v/000003.jpg', nframes=5,
             is_labeled=True, width=64, height=48),
    ]
    annotations = [
        person(1, 10001, [4, 4, 20, 30]),
        person(2, 10001, [80, 4, 20, 30]),  # outside the 64x48 image
        person(3, 10003, [6, 6, 20, 30], labeled=False),
    ]
    return dict(images=images, annotations=annotations, categories=[])


def test_frame_number_from_the_file_name():
    assert frame_number(dict(file_name='images/x/000012.jpg')) == 12
    with pytest.raises(ValueError, match='does not end in a frame number'):
        frame_number(dict(id=1, file_name='images/x/last.jpg'))


def test_video_frames_fills_the_unlisted_frames():
    frames = video_frames(sparse_video(), 'v')
    assert list(frames) == [0, 1, 2, 3, 4]
    assert frames[2]['file_name'] == 'images/v/000002.jpg'
    assert frames[2]['id'] == 10002 and frames[2]['is_labeled'] is False
    assert labeled_frames(sparse_video(), name='v') == [1, 3]


def test_videos_to_coco_kinds_and_the_box_rule():
    skipped = []
    manual = videos_to_coco({'v': sparse_video()}, 'manual', skipped=skipped)
    assert [a['id'] for a in manual['annotations']] == [1]
    assert manual['annotations'][0]['area'] == 20 * 30
    assert [i['id'] for i in manual['images']] == [10001]
    assert [(s['annotation_id'], s['frame']) for s in skipped] == [(2, 1)]
    propagated = videos_to_coco({'v': sparse_video()}, 'propagated')
    assert [a['id'] for a in propagated['annotations']] == [3]
    with pytest.raises(ValueError, match="people must be"):
        videos_to_coco({}, 'some')


def test_videos_to_coco_reads_a_missing_size_from_the_frame(tmp_path):
    video = sparse_video()
    for img in video['images']:
        del img['width'], img['height']
    with pytest.raises(ValueError, match='pass img_root'):
        videos_to_coco({'v': video}, 'manual')
    with pytest.raises(FileNotFoundError, match=r'000001\.jpg \(frame 1'):
        videos_to_coco({'v': video}, 'manual', img_root=str(tmp_path))
    (tmp_path / 'images' / 'v').mkdir(parents=True)
    for t in (1, 3):
        cv2.imwrite(str(tmp_path / f'images/v/{t:06d}.jpg'),
                    np.zeros((48, 64, 3), np.uint8))
    coco = videos_to_coco({'v': video}, 'all', img_root=str(tmp_path))
    assert {(i['width'], i['height']) for i in coco['images']} == {(64, 48)}
    assert [a['id'] for a in coco['annotations']] == [1, 3]

"""Sparse labels and the files the training stages read."""
import json

import numpy as np
import pytest

from mmpose_posewarper.datasets.posetrack_videos import frame_number
from projects.sparse_benchmark.sparse_benchmark import data as bdata
from projects.sparse_benchmark.synthetic import SyntheticConfig

from .conftest import CONFIG


def test_sparse_video_keeps_every_7th_frame(small_data):
    _, gt, sparse = small_data
    for name, video in sparse.items():
        t_of = {img['id']: frame_number(img) for img in video['images']}
        labeled = sorted({t_of[a['image_id']] for a in video['annotations']})
        assert labeled and all(t % 7 == 0 for t in labeled)
        # every frame stays listed; only the kept ones are labeled
        assert len(video['images']) == len(gt[name]['images'])
        assert [img['is_labeled'] for img in video['images']] == [
            frame_number(img) in labeled for img in video['images']
        ]
        # the kept labels are the dense ground truth's, unchanged
        dense = [a for a in gt[name]['annotations']
                 if t_of[a['image_id']] in labeled]
        assert len(dense) == len(video['annotations'])
        for a, b in zip(dense, video['annotations']):
            np.testing.assert_array_equal(a['keypoints'], b['keypoints'])


def test_coco_file_holds_the_sparse_people(small_data, tmp_path):
    _, gt, sparse = small_data
    path = tmp_path / 'sparse.json'
    n = bdata.write_coco(sparse, str(path), people='manual')
    coco = json.loads(path.read_text())
    assert n == len(coco['annotations']) == sum(
        len(v['annotations']) for v in sparse.values())
    assert all(int(img['file_name'][-10:-4]) % 7 == 0
               for img in coco['images'])
    n_dense = bdata.write_coco(gt, str(tmp_path / 'dense.json'))
    assert n_dense > n


def test_generate_data_reuses_a_complete_generation(small_data):
    root = small_data[0]
    assert bdata.generate_data(root, CONFIG) is False
    # another seed is another dataset: not reused (not generated here)
    other = SyntheticConfig(**{**CONFIG.__dict__, 'seed': CONFIG.seed + 1})
    assert other != CONFIG


def _video(labeled_frames, n_frames=50):
    """A sparse video with one person on each of ``labeled_frames``."""
    images = [dict(id=t + 1, file_name=f'v/{t:06d}.jpg', frame_id=t,
                   is_labeled=t in labeled_frames) for t in range(n_frames)]
    annotations = [dict(id=t + 1, image_id=t + 1, track_id=0,
                        keypoints=np.zeros((17, 3)))
                   for t in labeled_frames]
    return dict(images=images, annotations=annotations)


def test_labels_per_video_picks_n_evenly_spread_labeled_frames():
    """Of the 7 labeled frames 0, 7, ..., 42: N = 1 keeps the middle one,
    N = 2 the 2nd and 6th, N = 4 every other one, N >= 7 all."""
    video = _video([0, 7, 14, 21, 28, 35, 42])

    def kept(n):
        out = bdata.labels_per_video(video, n)
        frames = sorted(frame_number(img) for img in out['images']
                        if img['is_labeled'])
        assert frames == sorted(
            frame_number(next(i for i in out['images']
                              if i['id'] == a['image_id']))
            for a in out['annotations'])
        assert len(out['images']) == 50  # every frame stays listed
        return frames

    assert kept(1) == [21]
    assert kept(2) == [7, 35]
    assert kept(4) == [0, 14, 28, 42]
    assert kept(7) == kept(10) == [0, 7, 14, 21, 28, 35, 42]
    # a labeled frame without people is no candidate
    assert bdata.labels_per_video(_video([7, 14]), 1)['annotations'][0][
        'image_id'] == 15
    with pytest.raises(ValueError, match='>= 1'):
        bdata.labels_per_video(video, 0)

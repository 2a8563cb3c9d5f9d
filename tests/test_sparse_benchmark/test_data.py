"""Sparse labels and the files the training stages read."""
import json

import numpy as np

from mmpose_posewarper.datasets.posetrack_videos import frame_number
from mmpose_posewarper.sparse_benchmark import data as bdata
from mmpose_posewarper.synthetic import SyntheticConfig

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

"""MMPose's own PoseTrack18 dataset class reads the generated files."""
import os.path as osp

import numpy as np
from mmpose.datasets import PoseTrack18Dataset


def test_mmpose_posetrack18_dataset_loads_a_generated_video(dataset, videos):
    root, _ = dataset
    video = videos[-1]
    ds = PoseTrack18Dataset(
        ann_file=osp.join('annotations', video.split, f'{video.name}.json'),
        data_root=root, data_prefix=dict(img=''), pipeline=[],
        test_mode=True)
    expected = [(frame, track, person)
                for frame, people in enumerate(video.people)
                for track, person in enumerate(people) if person.annotated]
    assert len(ds) == len(expected)
    assert ds.metainfo['dataset_name'] == 'posetrack18'
    for i in (0, len(ds) - 1):
        info = ds.get_data_info(i)
        frame, track, person = expected[i]
        assert osp.isfile(info['img_path'])
        assert info['img_path'].endswith(f'{frame:06d}.jpg')
        np.testing.assert_allclose(info['keypoints'][0], person.keypoints[:, :2],
                                   atol=0.006)
        np.testing.assert_array_equal(info['keypoints_visible'][0],
                                      person.visible.astype(np.float32))
        x, y, w, h = person.bbox
        np.testing.assert_allclose(info['bbox'][0], [x, y, x + w, y + h],
                                   atol=1.01)  # MMPose clips to size - 1


def test_keypoints_and_links_match_mmpose_metainfo(dataset, videos):
    from projects.sparse_benchmark.synthetic.skeleton import (DRAW_LINKS,
                                                              KEYPOINT_NAMES)
    root, _ = dataset
    video = videos[0]
    ds = PoseTrack18Dataset(
        ann_file=osp.join('annotations', video.split, f'{video.name}.json'),
        data_root=root, data_prefix=dict(img=''), pipeline=[],
        test_mode=True, lazy_init=True)
    meta = ds.metainfo
    assert tuple(meta['keypoint_id2name'][i]
                 for i in range(17)) == KEYPOINT_NAMES
    assert sorted(tuple(map(int, link)) for link in meta['skeleton_links']) \
        == sorted(DRAW_LINKS)

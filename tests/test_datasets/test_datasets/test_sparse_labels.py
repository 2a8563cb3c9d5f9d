"""Sparse-label selection: the pure functions and the dataset option."""
import pytest

from mmpose_posewarper.datasets.datasets.sparse_labels import (check_sparse_cfg,
                                                               select_labeled_frames)

from .._helpers import build_dataset, dataset_cfg


def test_every_k_keeps_frames_with_index_phase_mod_k():
    frames = list(range(3, 31))
    assert select_labeled_frames(frames, dict(mode='every_k', k=7)) == [7, 14, 21, 28]
    assert select_labeled_frames(frames, dict(mode='every_k', k=7, phase=3)) == [3, 10, 17, 24]
    assert select_labeled_frames(frames, dict(mode='every_k', k=1)) == frames


def test_per_video_evenly_spaced_and_capped():
    frames = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    assert select_labeled_frames(frames, dict(mode='per_video', num_frames=1)) == [10]
    assert select_labeled_frames(frames, dict(mode='per_video', num_frames=2)) == [10, 20]
    assert select_labeled_frames(frames, dict(mode='per_video', num_frames=3)) == [10, 15, 20]
    # fewer labeled frames than asked for: keep them all, no duplicates
    assert select_labeled_frames([5, 1, 5], dict(mode='per_video', num_frames=4)) == [1, 5]


def test_none_keeps_everything_sorted():
    assert select_labeled_frames([4, 2, 9], None) == [2, 4, 9]


@pytest.mark.parametrize('cfg, msg', [
    (dict(mode='every_k'), 'k must be'),
    (dict(mode='every_k', k=0), 'k must be'),
    (dict(mode='every_k', k=3, phase=3), 'phase'),
    (dict(mode='per_video', num_frames=0), 'num_frames'),
    (dict(mode='per_video', num_frame=2), 'num_frames'),
    (dict(mode='every_k', k=2, num_frames=3), 'unknown keys'),
    (dict(mode='sometimes'), 'mode must be'),
])
def test_bad_configs_raise(cfg, msg):
    with pytest.raises(ValueError, match=msg):
        check_sparse_cfg(cfg)


def _item_frames(ds):
    return sorted({ds.get_data_info(i)['frame_idx'] for i in range(len(ds))})


def test_dataset_every_k_keeps_exactly_expected_frames(make_video, tmp_path):
    v = make_video(nframes=9, labeled=range(9), people=2)
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   sparse_cfg=dict(mode='every_k', k=3, phase=1)))
    assert _item_frames(ds) == [1, 4, 7]
    assert len(ds) == 3 * 2
    assert ds.labeled_frames == {'images/train/000001_mpiinew_test': [1, 4, 7]}


def test_dataset_per_video_keeps_n_frames_and_unlabeled_stay_supporting(make_video, tmp_path):
    v = make_video(nframes=9, labeled=range(9))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   sparse_cfg=dict(mode='per_video', num_frames=3)))
    assert _item_frames(ds) == [0, 4, 8]
    # the item on frame 4 still uses the now-unlabeled frames 2, 3, 5, 6
    info = next(ds.get_data_info(i) for i in range(len(ds))
                if ds.get_data_info(i)['frame_idx'] == 4)
    names = [p[-10:] for p in info['img_path']]
    assert names == ['000004.jpg', '000002.jpg', '000003.jpg', '000005.jpg', '000006.jpg']


def test_dataset_dense_without_sparse_cfg(make_video, tmp_path):
    v = make_video(nframes=6, labeled=(1, 2, 5))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True))
    assert _item_frames(ds) == [1, 2, 5]


def test_sparse_with_detections_is_rejected(posetrack18_data):
    ann = posetrack18_data / 'annotations' / 'test_posetrack18_val.json'
    det = posetrack18_data / 'annotations' / 'test_posetrack18_human_detections.json'
    with pytest.raises(ValueError, match='sparse_cfg'):
        build_dataset(dataset_cfg(ann, posetrack18_data, test_mode=True, bbox_file=str(det),
                                  sparse_cfg=dict(mode='every_k', k=2)))

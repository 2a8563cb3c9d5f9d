"""Training on sparse real labels plus propagated (pseudo) labels."""
import json

import numpy as np
import pytest

from .._helpers import build_dataset, dataset_cfg


def _write_pseudo(path, video_name, frames, seed=0):
    """Per-video PoseTrack18 file with one propagated person per frame:
    keypoints [x, y, score], scores alternate 0.9 / 0.1, no box."""
    rng = np.random.default_rng(seed)
    images, anns = [], []
    for t in frames:
        img_id = 9000 + t
        images.append(dict(id=img_id, file_name=f'images/train/{video_name}/{t:06d}.jpg'))
        kpts = np.zeros((17, 3))
        kpts[:, 0] = rng.uniform(10, 40, 17)
        kpts[:, 1] = rng.uniform(10, 40, 17)
        kpts[:, 2] = np.where(np.arange(17) % 2 == 0, 0.9, 0.1)
        anns.append(dict(id=img_id * 100, image_id=img_id, track_id=0,
                         keypoints=kpts.reshape(-1).tolist(), scores=kpts[:, 2].tolist()))
    path.mkdir(parents=True, exist_ok=True)
    (path / f'{video_name}.json').write_text(json.dumps(dict(images=images, annotations=anns)))


def test_pseudo_labels_fill_unlabeled_frames_real_labels_win(make_video, tmp_path):
    name = '000001_mpiinew_test'
    v = make_video(name=name, nframes=5, labeled=range(5))
    _write_pseudo(tmp_path / 'pseudo', name, frames=(1, 2, 3))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   sparse_cfg=dict(mode='every_k', k=2),
                                   pseudo_label_dir='pseudo'))
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    real = sorted(i['frame_idx'] for i in infos if not i['is_pseudo'])
    pseudo = sorted(i['frame_idx'] for i in infos if i['is_pseudo'])
    assert real == [0, 2, 4]
    assert pseudo == [1, 3]  # frame 2 keeps its real label
    p = next(i for i in infos if i['is_pseudo'])
    np.testing.assert_array_equal(p['keypoints_visible'][0], (np.arange(17) % 2 == 0))
    assert p['nframes'] == 5  # from the real annotation
    vis = p['keypoints'][0][p['keypoints_visible'][0] > 0]
    np.testing.assert_allclose(p['bbox'][0], [*vis.min(0), *vis.max(0)], atol=1e-4)
    assert len(p['img_path']) == 5


def test_pseudo_labels_of_unknown_video_name_the_file(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ))
    _write_pseudo(tmp_path / 'pseudo', 'other_video', frames=(1, ))
    with pytest.raises(ValueError, match=r'other_video\.json: image .* belongs to no video'):
        build_dataset(dataset_cfg(v['ann'].parent, tmp_path, pseudo_label_dir='pseudo'))

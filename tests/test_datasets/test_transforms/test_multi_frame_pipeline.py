"""Multi-frame loading and the MMPose top-down pipeline on frame lists."""
from unittest import mock

import numpy as np
import pytest
import torch

from mmpose_posewarper.datasets import MULTI_FRAME_META_KEYS
from mmpose_posewarper.datasets.transforms import loading as loading_module

from .._helpers import build_dataset, build_transform, dataset_cfg

INPUT_SIZE = (48, 64)  # w, h: tiny, keeps the test fast on the shared CPUs
CODEC = dict(type='MSRAHeatmap', input_size=INPUT_SIZE, heatmap_size=(12, 16), sigma=2)


def train_pipeline():
    return [
        dict(type='LoadMultiFrameImages'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomFlip', direction='horizontal', prob=0.5),
        dict(type='RandomHalfBody'),
        dict(type='RandomBBoxTransform', rotate_factor=45, scale_factor=(0.65, 1.35)),
        dict(type='MultiFramePhotometricDistortion'),
        dict(type='TopdownAffine', input_size=INPUT_SIZE),
        dict(type='GenerateTarget', encoder=CODEC),
        dict(type='PackPoseInputs', meta_keys=MULTI_FRAME_META_KEYS),
    ]


def eval_pipeline():
    return [
        dict(type='LoadMultiFrameImages'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=INPUT_SIZE),
        dict(type='PackPoseInputs', meta_keys=MULTI_FRAME_META_KEYS),
    ]


def test_train_pipeline_identical_transform_on_all_frames(make_video, tmp_path):
    """Identical frames in -> identical frames out, for many random draws of
    flip / rotation / scale / half-body / colour."""
    v = make_video(nframes=5, labeled=(2, ), identical_frames=True)
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, pipeline=train_pipeline(),
                                   num_sampled_frames=2, frame_weights=(0.0, 0.5, 0.5)))
    flipped = set()
    for seed in range(8):
        np.random.seed(seed)
        out = ds[0]
        inputs, sample = out['inputs'], out['data_samples']
        assert inputs.shape == (3, 3, INPUT_SIZE[1], INPUT_SIZE[0])
        assert inputs.dtype == torch.uint8
        for f in range(1, 3):
            assert torch.equal(inputs[f], inputs[0]), f'frame {f} differs (seed {seed})'
        flipped.add(sample.metainfo['flip'])
        np.testing.assert_allclose(sample.metainfo['frame_weights'], [0.0, 0.5, 0.5])
        assert len(sample.metainfo['frame_offsets']) == 3
        assert sample.gt_fields.heatmaps.shape == (17, 16, 12)
    assert flipped == {True, False}


def test_train_pipeline_real_frames_differ(make_video, tmp_path):
    """Control for the test above: distinct frames stay distinct."""
    v = make_video(nframes=5, labeled=(2, ))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, pipeline=eval_pipeline(),
                                   test_mode=True))
    inputs = ds[0]['inputs']
    assert inputs.shape == (5, 3, INPUT_SIZE[1], INPUT_SIZE[0])
    assert not torch.equal(inputs[0], inputs[1])


def test_photometric_distortion_shared_across_frames():
    t = build_transform(dict(type='MultiFramePhotometricDistortion'))
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    changed = False
    for seed in range(10):
        np.random.seed(seed)
        out = t(dict(img=[frame.copy() for _ in range(4)]))['img']
        assert all(np.array_equal(o, out[0]) for o in out[1:])
        changed |= not np.array_equal(out[0], frame)
    assert changed
    # a single array still works as in MMPose
    assert t(dict(img=frame.copy()))['img'].shape == frame.shape


def test_real_data_test_pipeline_frame_weights_reach_data_sample(posetrack18_data):
    """Real sample data: supporting frames 1, 2 are not on disk, so they fall
    back to the reference frame, are counted, and reported once."""
    ds = build_dataset(dataset_cfg('annotations/test_posetrack18_val.json', posetrack18_data,
                                   test_mode=True, pipeline=eval_pipeline(), indices=2))
    loader = ds.pipeline.transforms[0]
    with mock.patch.object(loading_module, 'print_log') as log:
        outs = [ds[i] for i in range(len(ds))]
    assert log.call_count == 1
    assert 'does not exist' in log.call_args[0][0]
    # 2 items x frames t+1, t+2 missing (t-2, t-1 clip onto the reference)
    assert loader.num_missing_frames == 4
    for out in outs:
        meta = out['data_samples'].metainfo
        assert out['inputs'].shape == (5, 3, INPUT_SIZE[1], INPUT_SIZE[0])
        np.testing.assert_allclose(meta['frame_weights'], [0.3, 0.1, 0.25, 0.25, 0.1])
        # replaced frames are recorded as the reference frame itself
        assert meta['frame_offsets'] == [0, 0, 0, 0, 0]
        assert len(set(meta['img_path'])) == 1
        for key in ('frame_idx', 'nframes', 'vid_id', 'img_id', 'input_center'):
            assert key in meta
        assert torch.equal(out['inputs'][3], out['inputs'][0])


def test_missing_reference_frame_raises_naming_it(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ), frames_on_disk=(0, 1, 3, 4))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   pipeline=eval_pipeline()))
    with pytest.raises(FileNotFoundError,
                       match=r'reference frame .*000001_mpiinew_test/000002\.jpg'):
        ds[0]


def test_missing_supporting_frame_on_synthetic_video(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ), frames_on_disk=(1, 2, 3))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   pipeline=eval_pipeline()))
    with mock.patch.object(loading_module, 'print_log') as log:
        out = ds[0]
        ds[0]
    assert log.call_count == 1
    assert ds.pipeline.transforms[0].num_missing_frames == 4
    meta = out['data_samples'].metainfo
    assert meta['frame_offsets'] == [0, 0, -1, 1, 0]
    assert torch.equal(out['inputs'][1], out['inputs'][0])
    assert not torch.equal(out['inputs'][2], out['inputs'][0])


def test_loader_rejects_supporting_frame_of_other_size(tmp_path):
    import cv2
    cv2.imwrite(str(tmp_path / 'a.jpg'), np.zeros((10, 12, 3), np.uint8))
    cv2.imwrite(str(tmp_path / 'b.jpg'), np.zeros((10, 14, 3), np.uint8))
    t = build_transform(dict(type='LoadMultiFrameImages'))
    with pytest.raises(ValueError, match=r'b\.jpg has shape'):
        t(dict(img_path=[str(tmp_path / 'a.jpg'), str(tmp_path / 'b.jpg')]))


def test_loader_ignore_empty_returns_none(tmp_path):
    t = build_transform(dict(type='LoadMultiFrameImages', ignore_empty=True))
    assert t(dict(img_path=[str(tmp_path / 'none.jpg')])) is None

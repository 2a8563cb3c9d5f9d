"""PoseTrackFramePairDataset on the real sample data and tiny synthetic videos."""
import json
import os.path as osp

import numpy as np
import pytest

from mmpose_posewarper.utils.json_file import JSONFileError

from .._helpers import build_dataset, dataset_cfg

MERGED = 'annotations/test_posetrack18_val.json'
PER_VIDEO = 'annotations/val'
DETS = 'annotations/test_posetrack18_human_detections.json'


def _gt_people(posetrack18_data):
    with open(posetrack18_data / MERGED) as f:
        anns = json.load(f)['annotations']
    return {a['id']: a for a in anns if max(a['keypoints']) > 0}


def test_merged_file_items_follow_the_data_contract(posetrack18_data):
    ds = build_dataset(dataset_cfg(MERGED, posetrack18_data, test_mode=True))
    people = _gt_people(posetrack18_data)
    assert len(ds) == len(people) == 14
    assert ds.metainfo['dataset_name'] == 'posetrack18'
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        ref = people[info['id']]
        assert info['img_id'] == ref['image_id']
        assert len(info['img_path']) == 5
        assert info['img_path'][0] == osp.join(str(posetrack18_data),
                                               ref_file(posetrack18_data, ref))
        # frame 0 of each video: t-2 and t-1 clip to the reference
        assert info['frame_offsets'] == [0, 0, 0, 1, 2]
        assert [p[-10:] for p in info['img_path']] == [
            '000000.jpg', '000000.jpg', '000000.jpg', '000001.jpg', '000002.jpg']
        assert info['frame_weights'].dtype == np.float32
        np.testing.assert_allclose(info['frame_weights'], [0.3, 0.1, 0.25, 0.25, 0.1])
        kpts = np.asarray(ref['keypoints'], np.float32).reshape(17, 3)
        np.testing.assert_allclose(info['keypoints'][0], kpts[:, :2])
        np.testing.assert_array_equal(info['keypoints_visible'][0], np.minimum(1, kpts[:, 2]))
        assert info['bbox'].shape == (1, 4)


def ref_file(posetrack18_data, ann):
    with open(posetrack18_data / MERGED) as f:
        images = {im['id']: im for im in json.load(f)['images']}
    return images[ann['image_id']]['file_name']


def test_per_video_dir_gives_same_items_as_merged_file(posetrack18_data):
    merged = build_dataset(dataset_cfg(MERGED, posetrack18_data, test_mode=True))
    per_video = build_dataset(dataset_cfg(PER_VIDEO, posetrack18_data, test_mode=True))
    a = {merged.get_data_info(i)['id']: merged.get_data_info(i) for i in range(len(merged))}
    b = {per_video.get_data_info(i)['id']: per_video.get_data_info(i)
         for i in range(len(per_video))}
    assert a.keys() == b.keys()
    for k in a:
        assert a[k]['img_path'] == b[k]['img_path']
        assert a[k]['nframes'] == b[k]['nframes']
        np.testing.assert_allclose(a[k]['keypoints'], b[k]['keypoints'], atol=1e-4)
        np.testing.assert_allclose(a[k]['bbox'], b[k]['bbox'], atol=1e-3)
    assert {v['nframes'] for v in b.values()} == {140, 101, 149}


@pytest.mark.parametrize('thr', [0.0, 0.5, 0.9])
def test_detection_file_with_score_threshold(posetrack18_data, thr):
    with open(posetrack18_data / DETS) as f:
        dets = json.load(f)
    expected = sum(d['score'] >= thr and d['category_id'] == 1 for d in dets)
    ds = build_dataset(dataset_cfg(MERGED, posetrack18_data, test_mode=True,
                                   bbox_file=str(posetrack18_data / DETS),
                                   filter_cfg=dict(bbox_score_thr=thr)))
    assert len(ds) == expected
    scores = [float(ds.get_data_info(i)['bbox_score'][0]) for i in range(len(ds))]
    assert min(scores) >= thr
    info = ds.get_data_info(0)
    assert len(info['img_path']) == 5 and info['keypoints'].shape == (1, 17, 2)


def test_detection_file_with_per_video_annotations(posetrack18_data):
    ds = build_dataset(dataset_cfg(PER_VIDEO, posetrack18_data, test_mode=True,
                                   bbox_file=str(posetrack18_data / DETS),
                                   filter_cfg=dict(bbox_score_thr=0.5)))
    assert len(ds) > 0
    assert {ds.get_data_info(i)['nframes'] for i in range(len(ds))} <= {140, 101, 149}


def test_detection_for_unknown_image_names_the_file(posetrack18_data, tmp_path):
    bad = tmp_path / 'dets.json'
    bad.write_text(json.dumps([dict(image_id=123, bbox=[0, 0, 10, 10], score=0.9,
                                    category_id=1)]))
    with pytest.raises(ValueError, match=r'dets\.json: entry 0: image_id 123'):
        build_dataset(dataset_cfg(MERGED, posetrack18_data, test_mode=True, bbox_file=str(bad)))


def test_offsets_clipped_on_one_frame_video(make_video, tmp_path):
    v = make_video(nframes=1, labeled=(0, ))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True))
    info = ds.get_data_info(0)
    assert info['frame_offsets'] == [0, 0, 0, 0, 0]
    assert len(set(info['img_path'])) == 1
    train = build_dataset(dataset_cfg(v['ann'].parent, tmp_path))
    np.random.seed(0)
    assert all(train.get_data_info(0)['frame_offsets'] == [0, 0] for _ in range(20))


@pytest.mark.parametrize('ref, expected', [
    (0, [0, 0, 0, 1, 2]),
    (1, [0, -1, -1, 1, 2]),
    (2, [0, -2, -1, 1, 2]),
    (3, [0, -2, -1, 1, 1]),
    (4, [0, -2, -1, 0, 0]),
])
def test_offsets_clipped_on_short_video(make_video, tmp_path, ref, expected):
    v = make_video(nframes=5, labeled=(ref, ))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True))
    info = ds.get_data_info(0)
    assert info['frame_idx'] == ref
    assert info['frame_offsets'] == expected
    assert [int(p[-10:-4]) for p in info['img_path']] == [ref + o for o in expected]
    assert all(osp.isfile(p) for p in info['img_path'])


def test_posetrack17_frame_numbering(make_video, tmp_path):
    """PoseTrack17 numbers frames from 1 with 8 digits: frame_index_base=1
    clips to [1, nframes] and keeps the padding."""
    v = make_video(nframes=5, labeled=(2, ), frame_base=1, digits=8)
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   frame_index_base=1))
    info = ds.get_data_info(0)
    assert info['frame_offsets'] == [0, -1, -1, 1, 2]
    assert [osp.basename(p) for p in info['img_path']] == [
        '00000002.jpg', '00000001.jpg', '00000001.jpg', '00000003.jpg', '00000004.jpg']
    assert all(osp.isfile(p) for p in info['img_path'])


def test_frame_outside_video_names_frame_index_base(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ))
    with pytest.raises(ValueError, match=r'000000\.jpg.*outside the video.*frame_index_base'):
        build_dataset(dataset_cfg(v['ann'].parent, tmp_path, frame_index_base=1))


def test_training_offset_redrawn_every_load(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ), people=3)
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path))
    assert ds.frame_sampler_mode == 'random'

    def epoch():
        return [ds.get_data_info(i)['frame_offsets'][1] for i in range(len(ds))]

    np.random.seed(1)
    epochs = [epoch() for _ in range(30)]
    # different epochs see different offsets ...
    assert len({tuple(e) for e in epochs}) > 1
    # ... covering the whole original range [-2, 2], zero included
    assert {o for e in epochs for o in e} == {-2, -1, 0, 1, 2}
    # ... and the draw follows the global seed (reproducible runs)
    np.random.seed(1)
    assert [epoch() for _ in range(30)] == epochs
    info = ds.get_data_info(0)
    assert len(info['img_path']) == 2 and list(info['frame_weights']) == [0.0, 1.0]


def test_training_items_through_dataset_pipeline_differ_per_epoch(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path,
                                   pipeline=[dict(type='LoadMultiFrameImages')]))
    np.random.seed(3)
    seen = {ds[0]['frame_offsets'][1] for _ in range(30)}
    assert len(seen) > 1


def test_custom_range_and_weights(make_video, tmp_path):
    v = make_video(nframes=5, labeled=(2, ))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, frame_range=1, num_sampled_frames=2,
                                   frame_weights=(0.2, 0.4, 0.4)))
    np.random.seed(0)
    offs = [ds.get_data_info(0)['frame_offsets'] for _ in range(30)]
    assert all(len(o) == 3 and o[0] == 0 and set(o[1:]) <= {-1, 0, 1} for o in offs)


@pytest.mark.parametrize('kwargs, msg', [
    (dict(frame_weights=(0.5, 0.6)), 'sum to 1'),
    (dict(frame_weights=(1.0, )), 'entries'),
    (dict(frame_range=(2, -2)), 'low <= high'),
    (dict(num_sampled_frames=2), 'frame_weights must be given'),
    (dict(frame_sampler_mode='fixed', frame_offsets=(-1, 0, 1),
          frame_weights=(0.3, 0.4, 0.3)), 'start with 0'),
    (dict(frame_sampler_mode='fixed', frame_offsets=(0, 1)), 'frame_weights must be given'),
    (dict(frame_sampler_mode='sometimes'), 'frame_sampler_mode'),
])
def test_bad_sampler_arguments(posetrack18_data, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        build_dataset(dataset_cfg(MERGED, posetrack18_data, **kwargs))


def test_merged_file_with_bad_keypoints_names_file_and_annotation(posetrack18_data, tmp_path):
    with open(posetrack18_data / MERGED) as f:
        data = json.load(f)
    data['annotations'][0]['keypoints'] = data['annotations'][0]['keypoints'][:-3]
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(data))
    ann_id = data['annotations'][0]['id']
    with pytest.raises(ValueError, match=rf'bad\.json: annotation id {ann_id}: "keypoints" has 48'):
        build_dataset(dataset_cfg(bad, posetrack18_data, test_mode=True))


def test_merged_file_without_nframes_names_field(posetrack18_data, tmp_path):
    with open(posetrack18_data / MERGED) as f:
        data = json.load(f)
    del data['images'][1]['nframes']
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(data))
    image_id = data['images'][1]['id']
    with pytest.raises(JSONFileError, match=rf'bad\.json: image id {image_id}: nframes: missing'):
        build_dataset(dataset_cfg(bad, posetrack18_data, test_mode=True))


@pytest.mark.parametrize('content,message', [
    ('{"images": [', r'ann_file .*bad\.json: invalid JSON at line 1 column 13 .*truncated'),
    ('', r'ann_file .*bad\.json: invalid JSON at line 1 column 1 .*empty'),
    ('[]', r'ann_file .*bad\.json: holds a list, not an object'),
    ('{"images": "x"}', r'ann_file .*bad\.json: images: expected a list, got str'),
    ('{"images": [{"file_name": "a/000001.jpg"}]}', r'bad\.json: images\[0\]\.id: missing'),
])
def test_merged_file_read_by_the_json_reader(posetrack18_data, tmp_path, content, message):
    """utils.json_file.read_json names the file (and the config key that
    gave it) instead of xtcocotools' bare JSONDecodeError / KeyError."""
    bad = tmp_path / 'bad.json'
    bad.write_text(content)
    with pytest.raises(JSONFileError, match=message):
        build_dataset(dataset_cfg(bad, posetrack18_data, test_mode=True))


@pytest.mark.parametrize('content,message', [
    ('[{"image_id": 1', r'bbox_file .*dets\.json: invalid JSON at line 1'),
    ('{}', r'bbox_file .*dets\.json: holds an object, not a list'),
    ('[3]', r'bbox_file .*dets\.json: \[0\]: expected an object, got int'),
])
def test_detection_file_read_by_the_json_reader(posetrack18_data, tmp_path, content, message):
    dets = tmp_path / 'dets.json'
    dets.write_text(content)
    with pytest.raises(JSONFileError, match=message):
        build_dataset(dataset_cfg(MERGED, posetrack18_data, test_mode=True, bbox_file=str(dets)))


def test_per_video_dir_errors_come_from_posetrack_io(make_video, tmp_path):
    from mmpose_posewarper.datasets.posetrack_io import PoseTrackFormatError
    v = make_video(nframes=3, labeled=(1, ))
    data = json.loads(v['ann'].read_text())
    data['annotations'][0]['keypoints'] = data['annotations'][0]['keypoints'][:6]
    v['ann'].write_text(json.dumps(data))
    with pytest.raises(PoseTrackFormatError, match='keypoints'):
        build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True))


def test_missing_annotation_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        build_dataset(dataset_cfg('nothing.json', tmp_path))


def test_people_with_unusable_boxes_are_left_out_and_listed(make_video,
                                                            tmp_path):
    """The package's box rule (box_rule.BOX_RULE), as in label
    propagation: a box outside the image or of no size is no training item."""
    v = make_video(nframes=3, labeled=(1, ), people=3)
    data = json.loads(v['ann'].read_text())
    data['annotations'][1]['bbox'] = [5000, 5000, 40, 60]
    data['annotations'][2]['bbox'] = [10, 10, -5, 20]
    v['ann'].write_text(json.dumps(data))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True))
    assert len(ds) == 1
    assert ds.get_data_info(0)['id'] == data['annotations'][0]['id']
    assert len(ds.unusable_boxes) == 2
    ids = [a['id'] for a in data['annotations']]
    assert f'annotation id {ids[1]}: bbox [5000, 5000, 40, 60] lies outside ' \
        'the 96x54 image' in ds.unusable_boxes[0]
    assert f'annotation id {ids[2]}: bbox [10, 10, -5, 20] has zero or ' \
        'negative size' in ds.unusable_boxes[1]


def test_detections_with_unusable_boxes_are_left_out(make_video, tmp_path):
    v = make_video(nframes=3, labeled=(1, ))
    img_id = json.loads(v['ann'].read_text())['images'][1]['id']
    dets = tmp_path / 'dets.json'
    dets.write_text(json.dumps([
        dict(image_id=img_id, bbox=[10, 10, 30, 40], score=0.9),
        dict(image_id=img_id, bbox=[500, 10, 30, 40], score=0.9),
        dict(image_id=img_id, bbox=[10, 10, 0, 40], score=0.9),
    ]))
    ds = build_dataset(dataset_cfg(v['ann'].parent, tmp_path, test_mode=True,
                                   bbox_file=str(dets)))
    assert len(ds) == 1
    assert [m.split(': bbox ')[1] for m in ds.unusable_boxes] == [
        '[500, 10, 30, 40] lies outside the 96x54 image (nothing of it is '
        'left after clipping)', '[10, 10, 0, 40] has zero or negative size'
    ]

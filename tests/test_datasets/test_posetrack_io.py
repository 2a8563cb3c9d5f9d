"""posetrack_io: the real sample files, clear errors, write -> read round
trips (hand-built and property-based)."""
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmpose_posewarper.datasets.box_files import (load_frame_boxes,
                                                  load_posetrack_detections)
from mmpose_posewarper.datasets.box_rule import (clip_person_box,
                                                 person_box_problem)
from mmpose_posewarper.datasets.posetrack_io import (
    MAX_TRACK_ID, POSETRACK18_KEYPOINTS, PoseTrackFormatError,
    load_posetrack_dir, load_posetrack_video, parse_posetrack_video,
    write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_predictions import \
    write_posetrack_predictions
from mmpose_posewarper.utils.json_file import JSONFileError

from _helpers.posetrack_builders import (DET_FILE, GT_DIR, person, pose,
                                         require_sample_data, video)


# ----------------------------------------------------------------- real data
def test_real_videos_load_with_head_boxes():
    require_sample_data()
    videos = load_posetrack_dir(str(GT_DIR), require_head_box=True)
    assert sorted(videos) == [
        '003418_mpii_test', '009473_mpii_test', '012834_mpii_test'
    ]
    people = {k: len(v['annotations']) for k, v in videos.items()}
    assert people == {
        '003418_mpii_test': 1,
        '009473_mpii_test': 2,
        '012834_mpii_test': 11
    }
    regions = {
        k: len(v['images'][0]['ignore_regions_x'])
        for k, v in videos.items()
    }
    assert regions == {
        '003418_mpii_test': 9,
        '009473_mpii_test': 2,
        '012834_mpii_test': 4
    }
    for name, v in videos.items():
        img = v['images'][0]
        assert img['is_labeled'] and img['frame_index'] == 0
        assert img['file_name'] == f'images/val/{name}/000000.jpg'
        assert img['vid_id'] == name[:6]
        for ann in v['annotations']:
            assert ann['image_id'] == img['id']
            assert ann['keypoints'].shape == (17, 3)
            assert ann['keypoints'].dtype == np.float32
            assert ann['bbox_head'].shape == (4, )
            assert ann['scores'] is None  # GT: "scores": []
            # ears are never annotated in PoseTrack18
            assert not ann['keypoints'][3:5].any()
    # raw value kept exactly with float64
    exact = load_posetrack_video(
        str(GT_DIR / '009473_mpii_test.json'), keypoint_dtype=np.float64)
    assert exact['annotations'][0]['keypoints'][1, 0] == 734.1937256


def test_real_detection_file_loads():
    require_sample_data()
    dets = load_posetrack_detections(str(DET_FILE))
    assert len(dets) == 278
    scores = np.array([d['score'] for d in dets])
    assert 0.05 <= scores.min() and scores.max() <= 0.99
    assert all(d['bbox'].shape == (4, ) and d['bbox'].dtype == np.float32
               for d in dets)
    gt_ids = {
        v['images'][0]['id']
        for v in load_posetrack_dir(str(GT_DIR)).values()
    }
    assert {d['image_id'] for d in dets} == gt_ids


def test_real_videos_round_trip(tmp_path):
    require_sample_data()
    for path in sorted(GT_DIR.glob('*.json')):
        original = json.loads(path.read_text())
        v = load_posetrack_video(str(path), keypoint_dtype=np.float64)
        out = tmp_path / path.name
        write_posetrack_video(str(out), v)
        written = json.loads(out.read_text())
        # official layout and values, field for field
        assert written['categories'][0]['keypoints'] == list(
            POSETRACK18_KEYPOINTS)
        for a, b in zip(original['images'], written['images']):
            assert {k: b[k] for k in a} == a
        for a, b in zip(original['annotations'], written['annotations']):
            assert set(b) == set(a)
            assert b['keypoints'] == a['keypoints']
            assert b['bbox_head'] == a['bbox_head'] and b['scores'] == []
        assert not list(tmp_path.glob('.*.tmp'))  # atomic write cleaned up


# ------------------------------------------------------------- clear errors
def _write(tmp_path, data, name='000001_mpii_test.json'):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def _base():
    return video([[person(pose(), 0), person(pose(500), 1)], []])


def _expect_error(tmp_path, data, field, error=PoseTrackFormatError,
                  **kwargs):
    path = _write(tmp_path, data)
    with pytest.raises(ValueError) as err:
        load_posetrack_video(path, **kwargs)
    assert isinstance(err.value, error)
    assert path in str(err.value) and field in str(err.value), str(err.value)
    return str(err.value)


def test_malformed_json_names_file_and_position(tmp_path):
    """The package's one JSON reader (utils.json_file.read_json) names the
    file, the position and that the file ends early."""
    text = json.dumps(_base())
    msg = _expect_error(tmp_path, text[:-10], 'invalid JSON at line 1 column',
                        error=JSONFileError)
    assert msg.endswith('the file ends early (truncated?)'), msg


def test_wrong_keypoint_length(tmp_path):
    data = _base()
    data['annotations'][1]['keypoints'] = data['annotations'][1][
        'keypoints'][:-1]
    msg = _expect_error(tmp_path, data, 'annotations[1].keypoints')
    assert 'expected 51 numbers, got 50' in msg


def test_non_numeric_keypoint(tmp_path):
    data = _base()
    data['annotations'][0]['keypoints'][4] = 'x'
    _expect_error(tmp_path, data, 'annotations[0].keypoints[4]')


def test_annotation_pointing_at_missing_image(tmp_path):
    data = _base()
    data['annotations'][0]['image_id'] = 42
    msg = _expect_error(tmp_path, data, 'annotations[0].image_id')
    assert '42' in msg


def test_duplicate_track_id_in_a_frame(tmp_path):
    data = _base()
    data['annotations'][1]['track_id'] = 0
    msg = _expect_error(tmp_path, data, 'annotations[1].track_id')
    assert 'duplicate track id 0' in msg
    # the same track id in another frame is fine
    data = video([[person(pose(), 0)], [person(pose(), 0)]])
    load_posetrack_video(_write(tmp_path, data))


def test_track_id_beyond_poseval_limit(tmp_path):
    data = _base()
    data['annotations'][0]['track_id'] = MAX_TRACK_ID
    _expect_error(tmp_path, data, 'annotations[0].track_id')


def test_missing_head_box_only_when_required(tmp_path):
    data = _base()
    del data['annotations'][1]['bbox_head']
    v = load_posetrack_video(_write(tmp_path, data))
    assert v['annotations'][1]['bbox_head'] is None
    _expect_error(tmp_path, data, 'annotations[1].bbox_head',
                  require_head_box=True)


def test_structural_errors(tmp_path):
    _expect_error(tmp_path, [], '<root>')
    _expect_error(tmp_path, dict(annotations=[]), 'images')
    _expect_error(tmp_path, dict(images=[], annotations=[]), 'images')
    data = _base()
    data['images'].append(dict(data['images'][0]))
    _expect_error(tmp_path, data, 'images[2].id')
    data = _base()
    del data['images'][0]['file_name']
    _expect_error(tmp_path, data, 'images[0].file_name')
    data = _base()
    data['categories'][0]['keypoints'][0] = 'snout'
    _expect_error(tmp_path, data, 'categories[0].keypoints')
    data = _base()
    data['images'][0]['ignore_regions_x'] = [[1, 2, 3]]
    _expect_error(tmp_path, data, 'images[0].ignore_regions_y')
    data['images'][0]['ignore_regions_y'] = [[1, 2]]
    _expect_error(tmp_path, data, 'images[0].ignore_regions_y[0]')
    data['images'][0]['ignore_regions_x'] = [[1, 2]]
    _expect_error(tmp_path, data, 'images[0].ignore_regions_x[0]')
    data = _base()
    data['annotations'][0]['scores'] = [0.5] * 16
    _expect_error(tmp_path, data, 'annotations[0].scores')


def test_missing_file_and_dir_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.json'):
        load_posetrack_video(str(tmp_path / 'nope.json'))
    with pytest.raises(NotADirectoryError, match='nodir'):
        load_posetrack_dir(str(tmp_path / 'nodir'))
    with pytest.raises(FileNotFoundError, match='no \\*.json'):
        load_posetrack_dir(str(tmp_path))


def test_one_frame_video_and_defaults(tmp_path):
    data = video([[person(pose(), 3)]])
    for key in ('vid_id', 'nframes', 'is_labeled'):
        del data['images'][0][key]
    del data['annotations'][0]['id']
    del data['categories']
    v = load_posetrack_video(_write(tmp_path, data))
    img = v['images'][0]
    assert (img['nframes'], img['vid_id'], img['is_labeled']) == (1, '000001',
                                                                  True)
    assert v['annotations'][0]['id'] == img['id'] * 100


def test_write_predictions_lists_every_gt_frame(tmp_path):
    gt = {
        '000001_mpii_test':
        parse_posetrack_video(video([[person(pose())], [], []]))
    }
    first = gt['000001_mpii_test']['images'][0]['id']
    kp = pose()[:, :2]
    paths = write_posetrack_predictions(
        str(tmp_path / 'out'), gt, {
            first: [dict(keypoints=kp, keypoint_scores=np.full(17, .5),
                         score=0.7)]
        })
    v = load_posetrack_video(paths['000001_mpii_test'],
                             keypoint_dtype=np.float64)
    assert [i['id'] for i in v['images']] == [
        i['id'] for i in gt['000001_mpii_test']['images']
    ]
    (ann, ) = v['annotations']
    np.testing.assert_array_equal(ann['keypoints'][:, :2], kp)
    np.testing.assert_array_equal(ann['keypoints'][:, 2], 0.5)
    np.testing.assert_array_equal(ann['scores'], 0.5)
    assert ann['score'] == 0.7 and ann['track_id'] == 0
    with pytest.raises(ValueError, match='image ids \\[5\\]'):
        write_posetrack_predictions(str(tmp_path / 'o2'), gt, {5: []})


# ----------------------------------------------------------- property-based
def _numbers(rng, n, kind):
    """n JSON numbers: ints, floats of any magnitude, or both."""
    ints = rng.integers(-5000, 5000, n)
    floats = rng.normal(0, 10.0**rng.integers(-3, 5), n)
    pick = {'int': np.ones(n, bool), 'float': np.zeros(n, bool),
            'mixed': rng.random(n) < 0.5}[kind]
    return [int(i) if p else float(f) for i, f, p in zip(ints, floats, pick)]


@st.composite
def videos(draw, head_boxes=None):
    """Random valid PoseTrack18 video JSON dicts (structure drawn by
    hypothesis, numbers by a seeded generator, which is much faster)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(['int', 'float', 'mixed']))
    n_frames = draw(st.integers(1, 4))
    frames = []
    for _ in range(n_frames):
        tracks = draw(st.lists(st.integers(0, MAX_TRACK_ID - 1), max_size=3,
                               unique=True))
        people = []
        for t in tracks:
            kp = _numbers(rng, 51, kind)
            scores = draw(st.sampled_from([None, 'scores']))
            if scores:
                scores = _numbers(rng, 17, 'float')
            has_head = draw(st.booleans()) if head_boxes is None \
                else head_boxes
            head = _numbers(rng, 4, kind) if has_head else None
            ann = person(np.zeros((17, 3)), t, scores, head)
            ann['keypoints'] = kp  # keep ints as ints
            people.append(ann)
        frames.append(people)
    ignore = {}
    for f in range(n_frames):
        if draw(st.booleans()):
            ignore[f] = [
                list(zip(_numbers(rng, n, kind), _numbers(rng, n, kind)))
                for n in draw(st.lists(st.integers(3, 6), max_size=2))
            ]
    return video(frames, ignore=ignore)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=videos())
def test_write_read_round_trip(tmp_path, data):
    path = _write(tmp_path, data)
    first = load_posetrack_video(path, keypoint_dtype=np.float64)
    out = str(tmp_path / 'copy.json')
    write_posetrack_video(out, first)
    second = load_posetrack_video(out, keypoint_dtype=np.float64)
    assert second['images'] == first['images']
    assert len(second['annotations']) == len(first['annotations'])
    for a, b, raw in zip(first['annotations'], second['annotations'],
                         data['annotations']):
        np.testing.assert_array_equal(
            a['keypoints'].reshape(-1), np.asarray(raw['keypoints'], float))
        for key in a:
            if isinstance(a[key], np.ndarray):
                np.testing.assert_array_equal(a[key], b[key])
            else:
                assert a[key] == b[key], key


_MUTATIONS = [
    # (description, mutate(data) -> field that the error must name)
    ('truncated text', None),
    ('short keypoints',
     lambda d, a: (d['annotations'][a]['keypoints'].pop(),
                   f'annotations[{a}].keypoints')[1]),
    ('missing image',
     lambda d, a: (d['annotations'][a].__setitem__('image_id', -1),
                   f'annotations[{a}].image_id')[1]),
    ('duplicate track',
     lambda d, a: (d['annotations'].append(dict(d['annotations'][a])),
                   f'annotations[{len(d["annotations"]) - 1}].track_id')[1]),
    ('no head box',
     lambda d, a: (d['annotations'][a].pop('bbox_head', None),
                   f'annotations[{a}].bbox_head')[1]),
    ('string coordinate',
     lambda d, a: (d['annotations'][a]['keypoints'].__setitem__(7, '1'),
                   f'annotations[{a}].keypoints[7]')[1]),
    ('missing track id',
     lambda d, a: (d['annotations'][a].pop('track_id'),
                   f'annotations[{a}].track_id')[1]),
]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=videos(head_boxes=True),
       which=st.sampled_from(range(len(_MUTATIONS))),
       pick=st.integers(0, 100), cut=st.integers(1, 30))
def test_malformed_input_names_file_and_field(tmp_path, data, which, pick,
                                              cut):
    name, mutate = _MUTATIONS[which]
    if mutate is None:
        text = json.dumps(data)
        path = _write(tmp_path, text[:-min(cut, len(text) - 1)])
        field = 'invalid JSON at line'
    else:
        if not data['annotations']:
            data['annotations'].append(
                dict(person(pose(), 0), image_id=data['images'][0]['id']))
        field = mutate(data, pick % len(data['annotations']))
        path = _write(tmp_path, data)
    with pytest.raises(ValueError) as err:
        load_posetrack_video(path, require_head_box=True)
    assert path in str(err.value), name
    assert field in str(err.value), (name, str(err.value))


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = str(tmp_path / 'v.json')
    v = parse_posetrack_video(video([[person(pose())]]))
    write_posetrack_video(path, v)
    before = open(path).read()
    v['annotations'][0]['score'] = object()  # not serialisable
    with pytest.raises(TypeError):
        write_posetrack_video(path, v)
    assert open(path).read() == before
    assert os.listdir(tmp_path) == ['v.json']


# ------------------------------------------------------------ the box rule
@pytest.mark.parametrize('bbox, size, problem', [
    ([10, 20, 30, 40], (128, 96), None),
    ([-20, -20, 30, 40], (128, 96), None),  # partly inside: clipped
    ([120, 90, 50, 50], (128, 96), None),
    ([10, 20, 30, 40], (None, None), None),
    ([5000, 5000, 40, 60], (None, None), None),  # size unknown: not checked
    ([5000, 5000, 40, 60], (128, 96),
     '[5000, 5000, 40, 60] lies outside the 128x96 image'),
    ([127, 0, 40, 60], (128, 96), 'lies outside'),  # only the last column
    ([-50, 10, 40, 60], (128, 96), 'lies outside'),
    ([10, 20, 0, 40], (128, 96), '[10, 20, 0, 40] has zero or negative size'),
    ([10, 20, 30, -1], (None, None), 'has zero or negative size'),
    ([10, 20, float('nan'), 4], (128, 96), 'is not 4 finite numbers'),
])
def test_person_box_rule(bbox, size, problem):
    got = person_box_problem(bbox, *size)
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got, got


def test_clip_person_box_as_mmpose_datasets():
    np.testing.assert_array_equal(
        clip_person_box([-20, 10, 200, 50], 128, 96), [0, 10, 127, 60])


def test_frame_boxes_file(tmp_path):
    path = tmp_path / 'boxes.json'
    path.write_text(json.dumps([
        dict(frame_index=0, bbox=[10, 20, 30, 40], score=0.5),
        dict(frame_index=2, bbox=[1, 2, 3, 4]),
        dict(frame_index=2, bbox=[1, 2, 3, 4], category_id=2),  # no person
    ]))
    boxes = load_frame_boxes(str(path), 3, 128, 96)
    np.testing.assert_allclose(boxes[0], [[10, 20, 40, 60, 0.5]])
    assert boxes[1].shape == (0, 5)
    np.testing.assert_allclose(boxes[2], [[1, 2, 4, 6, 1.0]])
    for bad, field, problem in [
        ({'frame_index': 0}, '[0].bbox', 'missing'),
        ({'frame_index': True, 'bbox': [1, 2, 3, 4]}, '[0].frame_index',
         'True is not a frame of the input (0..2)'),
        ({'frame_index': 0, 'bbox': [1, 'high', 3, 4]}, '[0].bbox[1]',
         "expected a number, got 'high'"),
        ({'frame_index': 0, 'bbox': [1, 2, 3]}, '[0].bbox',
         'expected 4 numbers, got 3'),
        ({'frame_index': 1, 'bbox': [500, 2, 3, 4]}, '[0].bbox',
         '[500, 2, 3, 4] lies outside the 128x96 image (nothing of it is '
         'left after clipping) (frame 1)'),
        ({'frame_index': 0, 'bbox': [1, 2, 3, 4], 'score': None},
         '[0].score', 'expected a number, got None'),
        ({'frame_index': 0, 'bbox': [1, 2, 3, 4], 'category_id': 'person'},
         '[0].category_id', "expected an integer, got 'person'"),
    ]:
        path.write_text(json.dumps([bad]))
        with pytest.raises(PoseTrackFormatError) as info:
            load_frame_boxes(str(path), 3, 128, 96)
        assert str(info.value) == f'{path}: {field}: {problem}'


def test_an_inferencers_video_is_validated_as_the_metrics():
    """posetrack18_video builds its file with the metric's builder: the
    same layout, and a duplicate track id fails here, not in poseval."""
    from mmpose_posewarper.datasets.posetrack_predictions import \
        posetrack18_video
    person = dict(keypoints=np.zeros((17, 2)), keypoint_scores=np.ones(17),
                  bbox=[10., 20., 40., 80.], bbox_score=0.9, track_id=3)
    video = posetrack18_video('vid', [[person], []], ['a.jpg', 'b.jpg'])
    assert [img['file_name'] for img in video['images']] == [
        'vid/a.jpg', 'vid/b.jpg']
    assert [img['is_labeled'] for img in video['images']] == [True, False]
    ann, = video['annotations']
    assert ann['id'] == 0 and ann['track_id'] == 3 and ann['score'] == 1.0
    np.testing.assert_array_equal(ann['bbox'], [10., 20., 30., 60.])
    with pytest.raises(PoseTrackFormatError, match='duplicate track id 3'):
        posetrack18_video('vid', [[person, person]])

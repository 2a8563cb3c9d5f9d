"""CVAT for video 1.1 XML and CVAT-flavoured COCO Keypoints
(datasets/cvat_io.py, coco_keypoints_io.py, annotation_people.py), checked
without a CVAT server: against a miniature of CVAT's importer
(``tests/_helpers/cvat_sim.py``), golden files in CVAT's export layout (``data/cvat``,
see ``make_fixtures.py``), property-based round trips and xtcocotools."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmpose_posewarper.datasets.annotation_people import (
    AnnotationFormatError, PersonFrame, SkeletonSpec, cvat_label_spec,
    person_box)
from mmpose_posewarper.datasets.coco_keypoints_io import (read_coco_video,
                                                          write_coco_video)
from mmpose_posewarper.datasets.cvat_io import (read_cvat_video,
                                                write_cvat_video)
from mmpose_posewarper.datasets.posetrack_io import POSETRACK18_KEYPOINTS
from mmpose_posewarper.utils.json_file import JSONFileError, JSONFileNotFoundError

from _helpers.cvat_sim import CvatImportError, cvat_import

DATA = Path(__file__).parent / 'data' / 'cvat'


def person(pid, frame, x0=20.0, review=False, seed=0):
    rng = np.random.default_rng(seed + 31 * pid + frame)
    placed = np.ones(17, bool)
    placed[[3, 4]] = False
    occluded = np.zeros(17, bool)
    occluded[9] = True
    return PersonFrame(pid, frame, rng.uniform(x0, x0 + 40, (17, 2)).round(2),
                       placed, occluded, needs_review=review)


def by_key(people):
    return {(p.person_id, p.frame): p for p in people}


# ------------------------------------------------------------------ writer
def test_written_xml_is_what_cvat_imports(tmp_path):
    """Every frame a keyframe, all joints written, both attributes on every
    skeleton, and an outside keyframe where a person leaves the view (else
    CVAT would carry the last pose to the end of the video)."""
    people = [person(7, f, review=f != 2) for f in (1, 2, 3, 6)]
    people.append(person(3, 4, x0=60))
    path = tmp_path / 'v.xml'
    assert write_cvat_video(str(path), people, 9, (128, 96)) == 2
    tracks = cvat_import(str(path), 9)
    (p3, p7) = sorted(tracks, key=lambda t: t['attributes']['person_id'])
    assert p3['attributes'] == {'person_id': '3'}
    assert p7['attributes'] == {'person_id': '7'}
    # 1, 2, 3 present, 4 outside, 6 present, 7 outside
    assert [(s['frame'], s['outside']) for s in p7['shapes']] == [
        (1, False), (2, False), (3, False), (4, True), (6, False),
        (7, True)]
    assert [s['attributes']['needs_review'] for s in p7['shapes']] == [
        'true', 'false', 'true', 'false', 'true', 'false']
    assert set(p7['elements']) == set(POSETRACK18_KEYPOINTS)
    nose = p7['elements']['nose']
    assert [k['frame'] for k in nose] == [1, 2, 3, 4, 6, 7]
    assert [k['outside'] for k in nose] == [0, 0, 0, 1, 0, 1]
    np.testing.assert_allclose(nose[0]['points'], people[0].keypoints[0],
                               atol=0.005)
    # ears are not placed: outside; the left wrist occluded
    assert all(k['outside'] for k in p7['elements']['left_ear'])
    assert [k['occluded'] for k in p7['elements']['left_wrist']] == [
        1, 1, 1, 0, 1, 0]
    assert [s['frame'] for s in p3['shapes']] == [4, 5]


def test_frame_range_keeps_people_inside_the_task(tmp_path):
    people = [person(1, f) for f in range(6)]
    path = tmp_path / 'v.xml'
    write_cvat_video(str(path), people, 6, (64, 48), frame_range=(2, 4))
    video = read_cvat_video(str(path))
    assert sorted(p.frame for p in video.people) == [2, 3, 4]
    assert (video.start_frame, video.stop_frame) == (2, 4)


def test_label_spec_passes_cvat_raw_editor_checks():
    """The checks of CVAT's label constructor (``validateParsedLabel``)."""
    (label, ) = cvat_label_spec(SkeletonSpec())
    assert label['name'] == 'person' and label['type'] == 'skeleton'
    for lab in [label] + label['sublabels']:
        assert re.fullmatch(r'#[0-9a-fA-F]{6}', lab['color'])
        assert isinstance(lab['attributes'], list)
    names = [a['name'] for a in label['attributes']]
    assert names == ['person_id', 'needs_review']
    for attr in label['attributes']:
        assert attr['input_type'] in ('checkbox', 'number', 'text', 'radio',
                                      'select')
        assert isinstance(attr['mutable'], bool)
        assert attr['values'] and all(isinstance(v, str)
                                      for v in attr['values'])
    assert [a['mutable'] for a in label['attributes']] == [False, True]
    subs = [s['name'] for s in label['sublabels']]
    assert subs == list(POSETRACK18_KEYPOINTS)
    assert all(s['type'] == 'points' for s in label['sublabels'])
    # the drawing names every sublabel once; edges join integer node ids
    assert re.findall(r'data-label-name="([^"]+)"', label['svg']) == subs
    nodes = {int(n) for n in re.findall(r'data-node-id="(\d+)"',
                                        label['svg'])}
    assert nodes == set(range(1, 18))
    for a, b in re.findall(r'data-node-from="(\d+)"[^>]*data-node-to="(\d+)"',
                           label['svg']):
        assert int(a) in nodes and int(b) in nodes
    json.dumps(label)


def test_joint_map_renames_points(tmp_path):
    mapping = {f'kp{k}': n for k, n in enumerate(POSETRACK18_KEYPOINTS)
               if not n.endswith('_ear')}
    spec = SkeletonSpec('human', mapping)
    path = tmp_path / 'v.xml'
    write_cvat_video(str(path), [person(0, 0)], 3, (64, 48), spec)
    text = path.read_text()
    assert 'label="human"' in text and 'label="kp0"' in text
    assert 'label="nose"' not in text and 'left_ear' not in text
    (back, ) = read_cvat_video(str(path), spec).people
    np.testing.assert_allclose(back.keypoints[0], person(0, 0).keypoints[0],
                               atol=0.005)
    with pytest.raises(AnnotationFormatError, match='label "human"'):
        read_cvat_video(str(path))
    with pytest.raises(AnnotationFormatError, match='unknown joint "kp0"'):
        read_cvat_video(str(path), SkeletonSpec('human'))


# ---------------------------------------------------------- golden files
def test_golden_files_import_into_cvat():
    assert len(cvat_import(str(DATA / 'keyframes_task.xml'), 9)) == 2
    assert len(cvat_import(str(DATA / 'corrected_task.xml'), 9)) == 2


def test_golden_keyframes_task():
    """A task labeled by hand on keyframes 2 and 6: the keyframes are the
    labels, CVAT's interpolation is not; people without ``person_id`` get
    ids in track order."""
    video = read_cvat_video(str(DATA / 'keyframes_task.xml'))
    assert video.interpolated == 10
    people = by_key(video.people)
    assert sorted(people) == [(0, 2), (0, 6), (1, 2), (1, 6)]
    p = people[(0, 2)]
    np.testing.assert_allclose(p.keypoints[0], [33.0, 12.0])
    np.testing.assert_allclose(people[(1, 6)].keypoints[0], [84.0, 12.0])
    assert not p.placed[[3, 4]].any() and p.placed.sum() == 15
    assert p.occluded.tolist() == [k == 9 for k in range(17)]
    assert not any(q.needs_review for q in video.people)


def test_golden_corrected_task():
    """CVAT's export after review: tracks renumbered (person 2 is track 0),
    person 5's frame 3 corrected and frame 4 accepted (needs_review
    cleared), person 2's keyframe 5 removed (interpolated: no label) and
    person 2 outside the view on frame 8."""
    video = read_cvat_video(str(DATA / 'corrected_task.xml'))
    assert video.tracks == ['0', '1']
    assert video.interpolated == 1
    people = by_key(video.people)
    assert sorted(f for pid, f in people if pid == 5) == list(range(9))
    assert sorted(f for pid, f in people if pid == 2) == [0, 1, 2, 3, 4, 6,
                                                          7]
    reviewed = sorted(k for k, p in people.items() if not p.needs_review)
    assert reviewed == [(2, 2), (2, 6), (5, 2), (5, 3), (5, 4), (5, 6)]
    # person 5 (nose at 30 + 1.5 t): frame 3's nose moved by (2, -1)
    np.testing.assert_allclose(people[(5, 3)].keypoints[0], [36.5, 11.0])
    np.testing.assert_allclose(people[(5, 4)].keypoints[0], [36.0, 12.0])
    np.testing.assert_allclose(people[(5, 3)].keypoints[9],
                               [34.5 + 16 - 3.0, 52.5])


def test_golden_corrected_coco_matches_the_xml():
    """CVAT's COCO export of the same task gives the same people."""
    from xtcocotools.coco import COCO
    coco_people, interpolated, _ = read_coco_video(
        str(DATA / 'corrected_task_coco.json'))
    xml_people = read_cvat_video(str(DATA / 'corrected_task.xml')).people
    assert interpolated == 1
    a, b = by_key(coco_people), by_key(xml_people)
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(a[key].placed, b[key].placed)
        np.testing.assert_allclose(a[key].keypoints[a[key].placed],
                                   b[key].keypoints[b[key].placed])
        assert a[key].needs_review == b[key].needs_review
    assert len(COCO(str(DATA / 'corrected_task_coco.json')).getAnnIds()) == 17


# ------------------------------------------------------ property-based
_coord = st.floats(0, 2000, allow_nan=False).map(lambda v: round(v, 2))


@st.composite
def people_sets(draw):
    ids = draw(st.lists(st.integers(0, 9999), min_size=1, max_size=4,
                        unique=True))
    num_frames = draw(st.integers(1, 12))
    people = []
    for pid in ids:
        frames = draw(st.lists(st.integers(0, num_frames - 1), min_size=1,
                               max_size=num_frames, unique=True))
        for f in frames:
            placed = np.array(draw(st.lists(st.booleans(), min_size=17,
                                            max_size=17)))
            placed[draw(st.integers(0, 16))] = True
            occluded = np.array(draw(st.lists(st.booleans(), min_size=17,
                                              max_size=17))) & placed
            kpts = np.array(draw(st.lists(_coord, min_size=34,
                                          max_size=34))).reshape(17, 2)
            people.append(PersonFrame(pid, f, kpts, placed, occluded,
                                      needs_review=draw(st.booleans())))
    return people, num_frames


def assert_same_people(expected, got):
    a, b = by_key(expected), by_key(got)
    assert sorted(a) == sorted(b)
    for key, p in a.items():
        q = b[key]
        assert p.needs_review == q.needs_review
        np.testing.assert_array_equal(p.placed, q.placed)
        np.testing.assert_array_equal(p.occluded, q.occluded)
        np.testing.assert_allclose(p.keypoints[p.placed],
                                   q.keypoints[q.placed], atol=0.0051)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=people_sets())
def test_xml_round_trip(tmp_path, data):
    people, num_frames = data
    path = tmp_path / 'rt.xml'
    write_cvat_video(str(path), people, num_frames, (2001, 2001))
    assert_same_people(people, read_cvat_video(str(path)).people)
    # and CVAT takes it
    tracks = cvat_import(str(path), num_frames)
    assert sorted(int(t['attributes']['person_id']) for t in tracks) == \
        sorted({p.person_id for p in people})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=people_sets())
def test_coco_round_trip(tmp_path, data):
    from xtcocotools.coco import COCO
    people, num_frames = data
    path = tmp_path / 'rt.json'
    write_coco_video(str(path), people, num_frames, (2001, 2001))
    got, interpolated, tracks = read_coco_video(str(path))
    assert interpolated == 0
    assert_same_people(people, got)
    coco = COCO(str(path))
    assert len(coco.getAnnIds()) == len(people)
    for ann in coco.loadAnns(coco.getAnnIds()):
        p = by_key(people)[(ann['attributes']['track_id'],
                            ann['image_id'] - 1)]
        assert ann['keypoints'][2::3] == p.visibility().tolist()
        assert coco.imgs[ann['image_id']]['file_name'] == \
            f'frame_{p.frame:06d}.jpg'


def test_person_box_surrounds_the_joints():
    kpts = np.array([[10, 20], [30, 60]] + [[0, 0]] * 15, float)
    placed = np.array([True, True] + [False] * 15)
    x, y, w, h = person_box(kpts, placed)
    assert x < 10 and y < 20 and x + w > 30 and y + h > 60
    assert person_box(kpts, np.zeros(17, bool)) is None


# ------------------------------------------------------------ bad input
GOOD_JOINT = '<points label="{name}" keyframe="1" outside="0" ' \
    'occluded="0" points="10.00,20.00"></points>'


def xml_of(body, label='person'):
    joints = ''.join(GOOD_JOINT.format(name=n) for n in POSETRACK18_KEYPOINTS)
    # NOOUTSIDE: the nose joint without its "outside" attribute
    body = body.replace('NOOUTSIDE', joints.replace(
        'label="nose" keyframe="1" outside="0" ', 'label="nose" keyframe="1" '
    )).replace('JOINTS', joints)
    return ('<?xml version="1.0" encoding="utf-8"?><annotations>'
            f'<version>1.1</version><track id="4" label="{label}" '
            f'source="manual">{body}</track></annotations>')


def skeleton(frame, extra='', attrs='', keyframe='1'):
    return (f'<skeleton frame="{frame}" keyframe="{keyframe}" z_order="0">'
            f'JOINTS{extra}{attrs}</skeleton>')


BAD = {
    'unknown joint': (skeleton(3, '<points label="tail" keyframe="1" '
                               'outside="0" occluded="0" points="1,2">'
                               '</points>'), 'person',
                      r'track 4, frame 3: unknown joint "tail"'),
    'missing outside': (skeleton(3).replace('JOINTS', 'NOOUTSIDE'), 'person',
                        r'track 4, frame 3: joint "nose" has no "outside"'),
    'missing keyframe': (skeleton(2, '', keyframe='1').replace(
        '<skeleton frame="2" keyframe="1"', '<skeleton frame="2"'), 'person',
        r'track 4, frame 2: the skeleton has no "keyframe"'),
    'two skeletons': (skeleton(5) + skeleton(5), 'person',
                      r'track 4, frame 5: two skeletons of one track on one '
                      'frame'),
    'not a skeleton': ('<box frame="1" keyframe="1" outside="0" occluded="0" '
                       'xtl="1" ytl="1" xbr="5" ybr="5"></box>', 'person',
                       r'track 4, frame 1: a <box> shape, not a skeleton'),
    'label': (skeleton(0), 'car',
              r'track 4, frame 0: label "car", expected "person"'),
    'needs_review value': (skeleton(1, attrs='<attribute name="needs_review">'
                                    'maybe</attribute>'), 'person',
                           r'track 4, frame 1: needs_review must be true or '
                           'false'),
    'person_id value': (skeleton(1, attrs='<attribute name="person_id">'
                                 'bob</attribute>'), 'person',
                        r'track 4, frame 1: person_id must be a track id'),
}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_xml_names_file_track_and_frame(tmp_path, case):
    body, label, message = BAD[case]
    path = tmp_path / 'bad.xml'
    path.write_text(xml_of(body, label))
    with pytest.raises(AnnotationFormatError) as err:
        read_cvat_video(str(path))
    assert re.match(re.escape(str(path)) + ': ' + message, str(err.value)), \
        str(err.value)


def test_cvat_refuses_what_the_reader_refuses(tmp_path):
    """The miniature importer agrees on what CVAT itself cannot take."""
    for case in ('missing outside', 'missing keyframe', 'two skeletons',
                 'not a skeleton', 'label', 'unknown joint'):
        body, label, _ = BAD[case]
        path = tmp_path / f'{case}.xml'
        path.write_text(xml_of(body, label))
        with pytest.raises((CvatImportError, KeyError)):
            cvat_import(str(path), 9)


def test_bad_coco(tmp_path):
    people = [person(1, 0), person(1, 2)]
    path = tmp_path / 'c.json'
    write_coco_video(str(path), people, 4, (64, 48))
    data = json.loads(path.read_text())
    del data['annotations'][1]['attributes']['keyframe']
    path.write_text(json.dumps(data))
    with pytest.raises(AnnotationFormatError,
                       match=r'c.json: track 1, frame 2: attributes.keyframe '
                       'is missing'):
        read_coco_video(str(path))
    data['annotations'][1]['attributes']['keyframe'] = True
    data['annotations'][1]['image_id'] = 1
    path.write_text(json.dumps(data))
    with pytest.raises(AnnotationFormatError,
                       match=r'track 1, frame 0: two skeletons of one track'):
        read_coco_video(str(path))


def test_json_inputs_go_through_the_json_reader(tmp_path):
    """--joint-map and the COCO file: utils.json_file.read_json names the
    option, the file and the problem."""
    path = tmp_path / 'map.json'
    with pytest.raises(JSONFileNotFoundError,
                       match=f'--joint-map {re.escape(str(path))}: no such file'):
        SkeletonSpec.from_options('human', str(path))
    path.write_text('{"kp0": "nose",')
    with pytest.raises(JSONFileError, match=r'--joint-map .*map\.json: invalid JSON at line 1 '
                       r'column 16 .*truncated'):
        SkeletonSpec.from_options('human', str(path))
    path.write_text('["nose"]')
    with pytest.raises(JSONFileError, match=r'map\.json: holds a list, not an object'):
        SkeletonSpec.from_options('human', str(path))
    path.write_text('{"kp0": 3}')
    with pytest.raises(JSONFileError,
                       match=r'--joint-map .*map\.json: kp0: expected a string, got int'):
        SkeletonSpec.from_options('human', str(path))
    coco = tmp_path / 'c.json'
    coco.write_text('{"images": {}, "annotations": [], "categories": []}')
    with pytest.raises(JSONFileError, match=r'c\.json: images: expected a list, got dict'):
        read_coco_video(str(coco))
    coco.write_text('{"images": [], "categories": []}')
    with pytest.raises(JSONFileError, match=r'c\.json: annotations: missing'):
        read_coco_video(str(coco))
    coco.write_bytes(b'\x89PNG')
    with pytest.raises(JSONFileError, match=r'c\.json: invalid JSON at line 1 column 1 '
                       r'\(byte 0x89 is not UTF-8 text\)'):
        read_coco_video(str(coco))


def test_docs_label_spec_is_the_written_one():
    """docs/cvat_label_spec.json (step 1 of docs/annotation.md, before any
    propagation) is what every propagation writes as label_spec.json."""
    path = Path(__file__).parents[2] / 'docs' / 'cvat_label_spec.json'
    assert json.loads(path.read_text()) == cvat_label_spec(SkeletonSpec())

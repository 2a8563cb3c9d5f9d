"""Label propagation where annotators work (docs/annotation.md): CVAT XML in
-> propagate -> XML out -> corrections in "CVAT" -> import -> propagate
again -> job 3 trains; bad annotation files end the tool with exit 2.

"CVAT" is the miniature of its importer and exporter in
``tests/_helpers/cvat_sim.py``."""
import csv
import json
import re
import subprocess

import cv2
import numpy as np
import pytest

from mmpose_posewarper.datasets.posetrack_io import (POSETRACK18_KEYPOINTS,
                                                     load_posetrack_video)
from mmpose_posewarper.utils.cli import run_tool
from _helpers.cvat_sim import cvat_export, cvat_import, review

from _helpers.jobs import (REPO, TINY_POSEWARPER, env_with_repo, import_tool,
                           python, write_tiny_video)

propagate_tool = import_tool('propagate_labels')
import_tool_ = import_tool('import_annotations')
TINY_AUG = REPO / 'configs/augmentation/tiny/td-hm_tiny_manual+propagated_cpu.py'
NAME = '000001_mpii_test'


def keyframe_task_export(sparse_file, nframes):
    """The "CVAT for video 1.1" export of a task in which an annotator
    labeled the people of a PoseTrack video's labeled frames by hand, on
    keyframes (``person_id`` left empty): CVAT interpolates between them."""
    video = load_posetrack_video(str(sparse_file))
    frame_of = {img['id']: int(img['file_name'][-10:-4])
                for img in video['images']}
    tracks = {}
    for ann in video['annotations']:
        t = frame_of[ann['image_id']]
        track = tracks.setdefault(ann['track_id'], dict(
            attributes=dict(person_id=''), shapes=[], elements={}))
        track['shapes'].append(dict(frame=t, outside=False, attributes=dict(
            needs_review='false')))
        for k, name in enumerate(POSETRACK18_KEYPOINTS):
            x, y, v = ann['keypoints'][k]
            track['elements'].setdefault(name, []).append(dict(
                frame=t, outside=v == 0, occluded=False,
                points=[round(float(x), 2), round(float(y), 2)]))
    return cvat_export([tracks[k] for k in sorted(tracks)], nframes)


def propagate(*argv):
    return propagate_tool.main([str(a) for a in argv])


def person_frames(video):
    """{(track id, frame): annotation} of a PoseTrack video."""
    frame_of = {img['id']: int(img['file_name'][-10:-4])
                for img in video['images']}
    return {(a['track_id'], frame_of[a['image_id']]): a
            for a in video['annotations']}


def test_round_trip_through_cvat(tmp_path, identity_posewarper):
    data = write_tiny_video(tmp_path / 'data', nframes=9, labeled=(2, 6),
                            shift=(1.0, 0.0))
    task = tmp_path / 'cvat_in' / f'{NAME}.xml'
    task.parent.mkdir()
    task.write_text(keyframe_task_export(data['sparse_file'], 9))

    # 1. CVAT export + frame folder in, propagation out
    out1 = tmp_path / 'propagated'
    assert propagate(TINY_POSEWARPER, identity_posewarper, '--ann-dir', task,
                     '--img-root', data['frame_dir'], '--out-dir', out1,
                     '--k', 2) == 0
    assert sorted(p.name for p in (out1 / 'frames' / NAME).iterdir()) == [
        f'{t:06d}.jpg' for t in range(9)]
    xml = out1 / 'cvat' / f'{NAME}.xml'
    tracks = cvat_import(str(xml), 9)
    assert sorted(t['attributes']['person_id'] for t in tracks) == ['0', '1']
    for track in tracks:
        assert [s['frame'] for s in track['shapes']] == list(range(9))
        assert [s['attributes']['needs_review'] for s in track['shapes']] == [
            'false' if t in (2, 6) else 'true' for t in range(9)]
    (spec, ) = json.loads((out1 / 'cvat' / 'label_spec.json').read_text())
    assert spec['name'] == 'person'
    from xtcocotools.coco import COCO
    coco = COCO(str(out1 / 'coco' / f'person_keypoints_{NAME}.json'))
    assert len(coco.getAnnIds()) == 18
    with open(out1 / 'review_queue.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 14  # 7 propagated frames x 2 people
    assert [float(r['score']) for r in rows] == sorted(
        float(r['score']) for r in rows)
    assert {(r['video'], int(r['frame']), int(r['distance'])) for r in rows
            } >= {(NAME, 0, 2), (NAME, 5, 1)}
    assert all(r['frame'] == r['cvat_frame'] for r in rows)

    # 2. review in "CVAT", export "CVAT for video 1.1"
    review(tracks, '0', 3, move={'nose': (2.0, 0.0)})
    review(tracks, '0', 4)
    review(tracks, '1', 0)
    review(tracks, '1', 8, drop_keyframe=True)
    corrected = tmp_path / 'export' / 'annotations.xml'
    corrected.parent.mkdir()
    corrected.write_text(cvat_export(tracks, 9))

    # 3. corrections back
    out2 = tmp_path / 'corrected'
    assert import_tool_.main([
        str(corrected), '--video', NAME, '--frames-from',
        str(out1 / 'annotations'), '--out-dir', str(out2)
    ]) == 0
    video = load_posetrack_video(str(out2 / 'annotations' / f'{NAME}.json'))
    people = person_frames(video)
    manual = sorted(k for k, a in people.items()
                    if a.get('needs_review') is not True)
    assert manual == [(0, 2), (0, 3), (0, 4), (0, 6), (1, 0), (1, 2), (1, 6)]
    assert len(people) == 17  # person 1's frame 8 is interpolated now
    before = person_frames(load_posetrack_video(
        str(out1 / 'annotations' / f'{NAME}.json')))
    np.testing.assert_allclose(people[(0, 3)]['keypoints'][0, :2],
                               before[(0, 3)]['keypoints'][0, :2] + [2, 0],
                               atol=0.01)
    labeled = sorted(int(img['file_name'][-10:-4])
                     for img in video['images'] if img['is_labeled'])
    assert labeled == [0, 2, 3, 4, 6]
    for part, count in (('manual', 7), ('propagated', 10)):
        coco = json.loads((out2 / f'posetrack18_{part}.json').read_text())
        assert len(coco['annotations']) == count

    # 4. propagate again from the manual and corrected frames, two-sided
    out3 = tmp_path / 'repropagated'
    assert propagate(TINY_POSEWARPER, identity_posewarper, '--ann-dir',
                     out2 / 'annotations', '--img-root', out1, '--out-dir',
                     out3, '--k', 2, '--two-sided') == 0
    again = load_posetrack_video(str(out3 / 'annotations' / f'{NAME}.json'))
    sources = {a['source_frame'] for a in again['annotations']}
    assert sources <= {0, 2, 3, 4, 6}
    assert {a.get('second_source_frame') for a in again['annotations']} - {
        None}
    targets = {k[1] for k in person_frames(again)}
    assert targets == {1, 5, 7, 8}

    # 5. job 3 trains on them for a few iterations
    prefix = f'{out1}/'
    options = [
        f'train_dataloader.dataset.datasets.0.ann_file='
        f'{out3 / "posetrack18_manual.json"}',
        f'train_dataloader.dataset.datasets.1.ann_file='
        f'{out3 / "posetrack18_propagated.json"}',
        f'train_dataloader.dataset.datasets.0.data_prefix.img={prefix}',
        f'train_dataloader.dataset.datasets.1.data_prefix.img={prefix}',
    ]
    proc = subprocess.run([
        python(), str(REPO / 'tools' / 'train.py'), str(TINY_AUG),
        '--work-dir', str(tmp_path / 'work'), '--cfg-options', *options
    ], capture_output=True, text=True, env=env_with_repo(), cwd=tmp_path)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert re.search(r'Epoch\(train\) \[1\]\[\d+/\d+\]', log)
    assert (tmp_path / 'work' / 'epoch_1.pth').is_file()


def test_frames_from_a_video_file(tmp_path):
    """A task's frame i is the video's i-th frame: all are written as
    numbered JPEGs, and a label beyond the video is refused."""
    from mmpose_posewarper.apis.annotator_input import load_annotator_videos
    from mmpose_posewarper.apis.frame_source import write_frames
    from mmpose_posewarper.datasets.annotation_people import \
        AnnotationFormatError
    data = write_tiny_video(tmp_path / 'data', nframes=6, labeled=(1, 4))
    movie = tmp_path / 'videos' / f'{NAME}.avi'
    movie.parent.mkdir()
    writer = cv2.VideoWriter(str(movie), cv2.VideoWriter_fourcc(*'MJPG'), 25,
                             (128, 96))
    if not writer.isOpened():
        pytest.skip('OpenCV cannot write MJPG video here')
    for t in range(6):
        writer.write(cv2.imread(str(data['frame_dir'] / f'{t:06d}.jpg')))
    writer.release()
    task = tmp_path / f'{NAME}.xml'
    task.write_text(keyframe_task_export(data['sparse_file'], 6))
    loaded = load_annotator_videos(str(task), 'cvat', str(movie.parent))
    assert loaded.sources[NAME] == str(movie)
    video = loaded.videos[NAME]
    assert [img['file_name'] for img in video['images']] == [
        f'frames/{NAME}/{t:06d}.jpg' for t in range(6)]
    assert loaded.interpolated == 6  # frames 2, 3, 5 of both tracks
    names = write_frames(str(movie), str(tmp_path / 'out'))
    assert names == [f'{t:06d}.jpg' for t in range(6)]
    assert cv2.imread(str(tmp_path / 'out' / '000005.jpg')).shape == (96,
                                                                      128, 3)
    with pytest.raises(AnnotationFormatError,
                       match=r'track 0, frame 11: frame 11 is beyond the '
                       r'video \(.*has 6 frames'):
        task.write_text(keyframe_task_export(data['sparse_file'], 6).replace(
            'frame="4" keyframe="1"', 'frame="11" keyframe="1"', 1))
        load_annotator_videos(str(task), 'cvat', str(movie))


JOINTS = ''.join(
    f'<points label="{n}" keyframe="1" outside="0" occluded="0" '
    f'points="{40 + k},{30 + 2 * k}"></points>'
    for k, n in enumerate(POSETRACK18_KEYPOINTS))


def task_xml(skeletons, label='person'):
    return ('<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1'
            f'</version><track id="0" label="{label}" source="manual">'
            f'{skeletons}</track></annotations>')


def sk(frame, joints=JOINTS, extra=''):
    return (f'<skeleton frame="{frame}" keyframe="1" z_order="0">{joints}'
            f'{extra}</skeleton>')


BAD_TASKS = {
    'unknown joint': (task_xml(sk(2, JOINTS.replace('"right_ankle"',
                                                    '"tail"'))),
                      r'track 0, frame 2: unknown joint "tail"'),
    'missing attribute': (task_xml(sk(2, JOINTS.replace(
        'label="nose" keyframe="1" outside="0" occluded="0"',
        'label="nose" keyframe="1" outside="0"'))),
        r'track 0, frame 2: joint "nose" has no "occluded"'),
    'frame beyond the video': (task_xml(sk(2) + sk(12)),
                               r'track 0, frame 12: frame 12 is beyond the '
                               r'video'),
    'two skeletons on a frame': (task_xml(sk(2) + sk(2)),
                                 r'track 0, frame 2: two skeletons of one '
                                 'track on one frame'),
    'not a skeleton': (task_xml(
        sk(2) + '<points frame="3" keyframe="1" outside="0" occluded="0" '
        'points="1,2" z_order="0"></points>'),
        r'track 0, frame 3: a <points> shape, not a skeleton'),
    'not person': (task_xml(sk(2), label='pedestrian'),
                   r'track 0, frame 2: label "pedestrian", expected '
                   '"person"'),
}


@pytest.mark.parametrize('case', sorted(BAD_TASKS))
def test_bad_task_exits_2_and_writes_nothing(tmp_path, capsys, case):
    data = write_tiny_video(tmp_path / 'data', nframes=9, labeled=(2, ))
    text, message = BAD_TASKS[case]
    task = tmp_path / f'{NAME}.xml'
    task.write_text(text)
    out = tmp_path / 'out' / 'propagated'
    code = run_tool(propagate_tool.main, [
        str(TINY_POSEWARPER), str(tmp_path / 'never_loaded.pth'),
        '--ann-dir', str(task), '--img-root', str(data['frame_dir']),
        '--out-dir', str(out)
    ])
    err = capsys.readouterr().err
    assert code == 2
    assert re.search('^error: ' + re.escape(str(task)) + ': ' + message, err,
                     re.M), err
    assert not (tmp_path / 'out').exists()


def test_import_refuses_frames_the_video_lacks(tmp_path, capsys):
    data = write_tiny_video(tmp_path / 'data', nframes=9, labeled=(2, ))
    export = tmp_path / f'{NAME}.xml'
    export.write_text(task_xml(sk(2) + sk(9)))
    code = run_tool(import_tool_.main, [
        str(export), '--frames-from', str(data['sparse_file']), '--out-dir',
        str(tmp_path / 'out')
    ])
    assert code == 2
    assert re.search(r'error: .*\.xml: track 0, frame 9: frame 9 is beyond '
                     r'the video \(.* has 9 frames', capsys.readouterr().err)
    assert not (tmp_path / 'out').exists()


def test_import_a_coco_export(tmp_path):
    """CVAT's COCO Keypoints export of a corrected task (the golden file of
    tests/test_datasets/data/cvat) gives the people its XML export gives."""
    data = write_tiny_video(tmp_path / 'data', nframes=9, labeled=(2, ))
    golden = REPO / 'tests/test_datasets/data/cvat'
    outs = {}
    for export in ('corrected_task_coco.json', 'corrected_task.xml'):
        out = tmp_path / export.split('.')[0]
        assert import_tool_.main([
            str(golden / export), '--video', NAME, '--frames-from',
            str(data['sparse_file']), '--img-root', str(data['img_root']),
            '--out-dir', str(out)
        ]) == 0
        outs[export] = out
        manual = json.loads((out / 'posetrack18_manual.json').read_text())
        propagated = json.loads(
            (out / 'posetrack18_propagated.json').read_text())
        assert (len(manual['annotations']),
                len(propagated['annotations'])) == (6, 10)
    a, b = (person_frames(load_posetrack_video(
        str(out / 'annotations' / f'{NAME}.json'))) for out in outs.values())
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_allclose(a[key]['keypoints'], b[key]['keypoints'])
        assert a[key].get('needs_review') == b[key].get('needs_review')

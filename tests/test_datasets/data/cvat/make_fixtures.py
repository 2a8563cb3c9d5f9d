"""Re-make the golden CVAT files of this folder (run from the repository
root: ``python tests/test_datasets/data/cvat/make_fixtures.py``).

* ``keyframes_task.xml``: the export of a 9-frame video task in which an
  annotator labeled two people by hand on keyframes 2 and 6 (``person_id``
  left empty, ``needs_review`` at its default ``false``); frames 3-5, 7, 8
  are CVAT's interpolation (``keyframe="0"``).
* ``corrected_task.xml``: the export of a task that imported our propagated
  XML (people 5 and 2 on frames 0-8, manual on frames 2 and 6) after review:
  tracks renumbered, person 5's frame 3 corrected (points moved,
  ``needs_review`` cleared) and frame 4 accepted as it was, person 2's
  keyframe 8 removed (interpolated again) and person 2 leaving the view on
  frame 8... see ``test_cvat_io.py`` for what each frame must give.
* ``corrected_task_coco.json``: the same corrected task as CVAT's COCO
  Keypoints export.
"""
import json
import os.path as osp
import sys

import numpy as np

sys.path[:0] = [osp.join(osp.dirname(__file__), *up) for up in (
    ('..', '..', '..', '..'), ('..', '..', '..'))]
from mmpose_posewarper.datasets.annotation_people import PersonFrame  # noqa
from mmpose_posewarper.datasets.cvat_io import write_cvat_video  # noqa
from _helpers.cvat_sim import cvat_export, cvat_import, review  # noqa

HERE = osp.dirname(osp.abspath(__file__))
NAMES = ('nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
         'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
         'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
         'right_knee', 'left_ankle', 'right_ankle')


def pose(x0: float, y0: float) -> np.ndarray:
    """A standing person whose nose is at (x0, y0)."""
    rel = np.array([(0, 0), (0, 8), (0, -8), (4, -2), (-4, -2), (10, 14),
                    (-10, 14), (14, 28), (-14, 28), (16, 40), (-16, 40),
                    (7, 44), (-7, 44), (8, 58), (-8, 58), (8, 72), (-8, 72)],
                   float)
    return rel + [x0, y0]


def keyframes_task() -> str:
    tracks = []
    for x0, shift in ((30.0, 1.5), (90.0, -1.0)):
        elements = {}
        for k, name in enumerate(NAMES):
            keys = []
            for frame in (2, 6):
                xy = pose(x0 + shift * frame, 12.0)[k]
                ears = name.endswith('_ear')
                keys.append(dict(frame=frame, outside=ears,
                                 occluded=name == 'left_wrist',
                                 points=[round(xy[0], 2), round(xy[1], 2)]))
            elements[name] = keys
        shapes = [dict(frame=f, outside=False,
                       attributes=dict(needs_review='false'))
                  for f in (2, 6)]
        tracks.append(dict(attributes=dict(person_id=''), shapes=shapes,
                           elements=elements))
    return cvat_export(tracks, 9)


def propagated_people():
    people = []
    for pid, x0, shift in ((5, 30.0, 1.5), (2, 90.0, -1.0)):
        for frame in range(9):
            kpts = pose(x0 + shift * frame, 12.0).round(2)
            placed = np.ones(17, bool)
            placed[[3, 4]] = False
            people.append(PersonFrame(pid, frame, kpts, placed,
                                      needs_review=frame not in (2, 6)))
    return people


def corrected_task(tmp: str) -> str:
    write_cvat_video(tmp, propagated_people(), 9, (128, 96))
    tracks = cvat_import(tmp, 9)
    # person 5: frame 3 corrected, frame 4 accepted
    review(tracks, '5', 3, move={'nose': (2.0, -1.0), 'left_wrist': (
        -3.0, 0.5)})
    review(tracks, '5', 4)
    # person 2: keyframe 5 removed (interpolated again), leaves the view on
    # frame 8 (all joints switched outside there)
    review(tracks, '2', 5, drop_keyframe=True)
    (track2, ) = [t for t in tracks if t['attributes']['person_id'] == '2']
    for keys in track2['elements'].values():
        for key in keys:
            if key['frame'] == 8:
                key['outside'] = True
    # CVAT keeps its tracks in creation order: person 2 was created first
    tracks.sort(key=lambda t: t['attributes']['person_id'])
    return cvat_export(tracks, 9)


def coco_of(xml_text: str) -> dict:
    """CVAT's COCO Keypoints export of the task of an XML export."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(xml_text)
    images = [dict(id=f + 1, width=128, height=96, file_name=(
        f'frame_{f:06d}.PNG'), license=0, flickr_url='', coco_url='',
        date_captured=0) for f in range(9)]
    anns = []
    for track in root.iter('track'):
        for sk in track.iter('skeleton'):
            joints = {p.get('label'): p for p in sk.iter('points')}
            if all(p.get('outside') == '1' for p in joints.values()):
                continue
            kpts = []
            for name in NAMES:
                p = joints[name]
                x, y = (float(v) for v in p.get('points').split(','))
                v = 0 if p.get('outside') == '1' else (
                    1 if p.get('occluded') == '1' else 2)
                kpts += [x, y, v] if v else [0, 0, 0]
            attrs = {a.get('name'): a.text or '' for a in sk.iter('attribute')}
            anns.append(dict(
                id=len(anns) + 1, image_id=int(sk.get('frame')) + 1,
                category_id=1, segmentation=[], area=0.0, bbox=[0, 0, 0, 0],
                iscrowd=0, keypoints=kpts, num_keypoints=sum(
                    1 for v in kpts[2::3] if v),
                attributes=dict(occluded=False, person_id=attrs['person_id'],
                                needs_review=attrs['needs_review'] == 'true',
                                keyframe=sk.get('keyframe') == '1',
                                track_id=int(track.get('id')))))
    return dict(
        licenses=[dict(name='', id=0, url='')],
        info=dict(contributor='', date_created='', description='', url='',
                  version='', year=''),
        categories=[dict(id=1, name='person', supercategory='',
                         keypoints=list(NAMES),
                         skeleton=[[16, 14], [14, 12], [17, 15], [15, 13],
                                   [12, 13], [6, 12], [7, 13], [6, 7],
                                   [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
                                   [1, 2], [1, 3], [2, 4], [3, 5], [4, 6],
                                   [5, 7]])],
        images=images, annotations=anns)


if __name__ == '__main__':
    import tempfile
    with open(osp.join(HERE, 'keyframes_task.xml'), 'w') as f:
        f.write(keyframes_task())
    with tempfile.TemporaryDirectory() as tmp:
        corrected = corrected_task(osp.join(tmp, 'propagated.xml'))
    with open(osp.join(HERE, 'corrected_task.xml'), 'w') as f:
        f.write(corrected)
    with open(osp.join(HERE, 'corrected_task_coco.json'), 'w') as f:
        json.dump(coco_of(corrected), f, indent=1)

"""A CVAT server in miniature, for tests without one.

:func:`cvat_import` does what CVAT's importer of "CVAT for video 1.1" does
with a file (``cvat/apps/dataset_manager/formats/cvat.py`` ``load_anno`` and
``bindings.py`` ``_import_track`` / ``_import_attribute``, and the track
check of ``annotation.py`` ``TrackManager``) and fails where it fails:

* a track needs ``label``, a skeleton ``frame`` and ``keyframe``, a joint
  ``label``, ``outside``, ``occluded``, ``keyframe`` and ``points``;
* labels must be registered on the task (sublabels under their skeleton);
* frames must be frames of the task (``rel_frame_id``);
* only skeletons and joints with ``keyframe="1"`` are kept; a track or a
  joint track left without one cannot be imported (``min()`` of nothing);
* two shapes of a track on one frame fail TrackManager's check;
* attributes the label does not declare are dropped; a checkbox takes only
  ``true``/``false``; immutable attributes go to the track (last shape
  wins), mutable ones stay on the shapes.

:func:`cvat_export` writes tracks back as CVAT's exporter does
(``dump_track`` over ``TrackManager.get_interpolated_shapes``): tracks
numbered 0..N-1, every frame from a track's first keyframe to the task's
end, interpolated frames ``keyframe="0"`` (joints linearly interpolated,
attributes carried on), nothing after an ``outside`` keyframe of the
skeleton but that keyframe, the shape's mutable attributes followed by the
track's immutable ones.
"""
import copy
import xml.etree.ElementTree as ET
from typing import Any, Dict, List

from mmpose_posewarper.datasets.posetrack_io import POSETRACK18_KEYPOINTS

#: The task of docs/annotation.md: label_spec.json's label.
TASK_ATTRIBUTES = {'person_id': (False, 'text'),
                   'needs_review': (True, 'checkbox')}


class CvatImportError(Exception):
    """What CVAT's importer raises (KeyError, ValueError, AssertionError)."""


def _req(el: ET.Element, key: str) -> str:
    if key not in el.attrib:
        raise CvatImportError(f'<{el.tag}> has no "{key}" ({el.attrib})')
    return el.attrib[key]


def _attribute(name: str, value: str, mutable: bool) -> Any:
    declared = TASK_ATTRIBUTES.get(name)
    if declared is None or declared[0] != mutable:
        return None
    if declared[1] == 'checkbox':
        value = value.lower()
        if value not in ('true', 'false'):
            raise CvatImportError(
                f"Failed to convert attribute '{name}'='{value}'")
    return value


def cvat_import(path: str, size: int, label: str = 'person',
                sublabels=POSETRACK18_KEYPOINTS) -> List[Dict[str, Any]]:
    """Import a file into a task of ``size`` frames; returns its tracks as
    CVAT stores them (``attributes``, ``shapes``, ``elements``)."""
    tracks = []
    root = ET.parse(path).getroot()
    for track_el in root.iter('track'):
        if _req(track_el, 'label') != label:
            raise CvatImportError(f'Label {track_el.attrib["label"]!r} is '
                                  'not registered for this task')
        track = dict(attributes={}, shapes=[], elements={})
        for shape_el in track_el:
            if shape_el.tag != 'skeleton':
                raise CvatImportError(f'<{shape_el.tag}>: the task label is '
                                      'a skeleton')
            frame = int(_req(shape_el, 'frame'))
            keyframe = _req(shape_el, 'keyframe') == '1'
            if not 0 <= frame < size:
                raise CvatImportError(f'Unknown frame {frame}')
            mutable = {}
            for child in shape_el:
                if child.tag == 'attribute':
                    name = child.attrib['name']
                    for mut in (True, False):
                        v = _attribute(name, child.text or '', mut)
                        if v is not None:
                            (mutable if mut else track['attributes'])[
                                name] = v
                    continue
                name = _req(child, 'label')
                if name not in sublabels:
                    raise CvatImportError(f'Label {name!r} is not registered '
                                          'for this task')
                occluded = _req(child, 'occluded') == '1'
                outside = _req(child, 'outside') == '1'
                points = [float(v) for v in _req(child, 'points').split(',')]
                elem = track['elements'].setdefault(name, [])
                if _req(child, 'keyframe') == '1':
                    elem.append(dict(frame=frame, outside=outside,
                                     occluded=occluded, points=points))
            if keyframe:
                track['shapes'].append(dict(
                    frame=frame, attributes=mutable,
                    outside=shape_el.get('outside', '0') == '1'))
        for shapes in [track['shapes']] + list(track['elements'].values()):
            if not shapes:
                raise CvatImportError('min() arg is an empty sequence')
            frames = sorted(s['frame'] for s in shapes)
            if len(set(frames)) != len(frames):
                raise CvatImportError(f'{frames}: two shapes of a track on '
                                      'one frame (Catch invalid tracks)')
        tracks.append(track)
    return tracks


def _interpolate(keys: List[dict], frame: int) -> dict:
    """An element's state on ``frame``: its keyframe, or the linear blend of
    the keyframes around it (held after the last)."""
    before = [k for k in keys if k['frame'] <= frame]
    after = [k for k in keys if k['frame'] > frame]
    if not before:
        return dict(after[0], keyframe=False)
    prev = before[-1]
    if prev['frame'] == frame:
        return dict(prev, keyframe=True)
    state = dict(prev, keyframe=False)
    if after and not prev['outside']:
        nxt = after[0]
        a = (frame - prev['frame']) / (nxt['frame'] - prev['frame'])
        state['points'] = [p + a * (q - p)
                           for p, q in zip(prev['points'], nxt['points'])]
    return state


def cvat_export(tracks: List[Dict[str, Any]], size: int,
                label: str = 'person') -> str:
    """The "CVAT for video 1.1" export of a task holding ``tracks``."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<annotations>',
             '  <version>1.1</version>', '  <meta>', '    <task>',
             f'      <size>{size}</size>', '      <mode>interpolation</mode>',
             '      <start_frame>0</start_frame>',
             f'      <stop_frame>{size - 1}</stop_frame>',
             '      <frame_filter></frame_filter>', '    </task>',
             '  </meta>']
    for t, track in enumerate(tracks):
        lines.append(f'  <track id="{t}" label="{label}" source="file">')
        keys = {s['frame']: s for s in track['shapes']}
        first = min(keys)
        attrs: Dict[str, str] = {}
        outside = False
        for frame in range(first, size):
            key = keys.get(frame)
            if key is not None:
                attrs.update(key['attributes'])
                outside = key['outside']
            elif outside:
                continue
            lines.append(f'    <skeleton frame="{frame}" keyframe='
                         f'"{int(key is not None)}" z_order="0">')
            for name in POSETRACK18_KEYPOINTS:
                if name not in track['elements']:
                    continue
                s = _interpolate(track['elements'][name], frame)
                x, y = s['points']
                lines.append(
                    f'      <points label="{name}" keyframe="'
                    f'{int(s["keyframe"])}" outside="{int(s["outside"])}" '
                    f'occluded="{int(s["occluded"])}" '
                    f'points="{x:.2f},{y:.2f}">\n      </points>')
            for name, value in list(attrs.items()) + list(
                    track['attributes'].items()):
                lines.append(f'      <attribute name="{name}">{value}'
                             '</attribute>')
            lines.append('    </skeleton>')
        lines.append('  </track>')
    lines.append('</annotations>')
    return '\n'.join(lines) + '\n'


def review(tracks: List[Dict[str, Any]], person: str, frame: int,
           move=None, drop_keyframe: bool = False,
           needs_review: str = 'false') -> None:
    """What an annotator does in the task: on ``frame`` of the track whose
    ``person_id`` is ``person``, clear (or set) ``needs_review``, move
    joints by ``move`` ({joint: (dx, dy)}) or remove the keyframe (the frame
    is interpolated again)."""
    (track, ) = [t for t in tracks
                 if t['attributes'].get('person_id') == person]
    if drop_keyframe:
        track['shapes'] = [s for s in track['shapes'] if s['frame'] != frame]
        for keys in track['elements'].values():
            keys[:] = [k for k in keys if k['frame'] != frame]
        return
    (shape, ) = [s for s in track['shapes'] if s['frame'] == frame]
    shape['attributes'] = dict(shape['attributes'],
                               needs_review=needs_review)
    for name, (dx, dy) in (move or {}).items():
        (key, ) = [k for k in track['elements'][name] if k['frame'] == frame]
        key['points'] = [key['points'][0] + dx, key['points'][1] + dy]


def copy_tracks(tracks):
    return copy.deepcopy(tracks)

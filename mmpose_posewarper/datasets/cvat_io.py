"""Read and write CVAT's "CVAT for video 1.1" XML with skeleton tracks.

The layout, as CVAT's exporter writes it and its importer reads it
(``cvat/apps/dataset_manager/formats/cvat.py``, ``dump_track`` and
``load_anno``)::

    <annotations><version>1.1</version><meta>...</meta>
      <track id="0" label="person" source="manual">
        <skeleton frame="12" keyframe="1" z_order="0">
          <points label="nose" keyframe="1" outside="0" occluded="0"
                  points="310.25,118.40"></points>
          ... one <points> per joint ...
          <attribute name="needs_review">false</attribute>
          <attribute name="person_id">3</attribute>
        </skeleton>
        ...
      </track>
    </annotations>

CVAT's importer keeps only skeletons and joints with ``keyframe="1"`` (it
interpolates the rest again), needs ``label`` on a track and ``frame``,
``keyframe`` on a skeleton and ``label``, ``outside``, ``occluded``,
``keyframe``, ``points`` on a joint, and imports only the attributes the
task's label declares. Its export numbers the tracks 0..N-1 and writes every
frame of a track up to the task's end, interpolated frames with
``keyframe="0"``; a person who left the view has all joints ``outside``.

:func:`read_cvat_video` returns the people of the keyframes (manual labels;
interpolated frames are no labels) and refuses what CVAT could not take or
this package cannot use, naming file, track and frame.
:func:`write_cvat_video` writes people so that CVAT's importer takes the
file as it is: every frame a keyframe, all joints written (those not placed
``outside="1"``), ``person_id`` and ``needs_review`` on every skeleton, and
an all-``outside`` keyframe where a person leaves the view.
"""
import math
import os.path as osp
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import XMLGenerator

import numpy as np

from ..utils.atomic_file import atomic_write
from .annotation_people import (NEEDS_REVIEW, PERSON_ID,
                                AnnotationFormatError, PersonFrame,
                                SkeletonSpec, assign_person_ids,
                                cvat_label_spec, parse_flag, parse_person_id)
from .posetrack_io import NUM_KEYPOINTS

#: Shapes a track may hold in CVAT; only skeletons are people here.
CVAT_SHAPES = ('box', 'ellipse', 'polygon', 'polyline', 'points', 'cuboid',
               'mask', 'skeleton')


@dataclass
class CvatVideo:
    """What :func:`read_cvat_video` found in one task's export.

    Attributes:
        people (list[PersonFrame]): The present people of the keyframes.
        tracks (list): The file's track ids, in file order.
        interpolated (int): Skeletons dropped for ``keyframe="0"``.
        start_frame, stop_frame (int, optional): The task's frame range
            (``meta``), when the file says.
        frame_size (tuple, optional): ``(width, height)`` (``meta``).
        name (str, optional): The task's name (``meta``).
    """
    people: List[PersonFrame]
    tracks: List[Any] = field(default_factory=list)
    interpolated: int = 0
    start_frame: Optional[int] = None
    stop_frame: Optional[int] = None
    frame_size: Optional[Tuple[int, int]] = None
    name: Optional[str] = None


def _int(text: Optional[str], source: str, what: str, track: Any = None,
         frame: Any = None) -> int:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        raise AnnotationFormatError(source, f'{what} must be an integer, '
                                    f'got {text!r}', track, frame) from None


def _bit(el: ET.Element, key: str, source: str, track: Any, frame: Any,
         what: str, default: Optional[str] = None) -> bool:
    value = el.get(key, default)
    if value is None:
        raise AnnotationFormatError(
            source, f'{what} has no "{key}" attribute (CVAT\'s importer '
            'needs it)', track, frame)
    if value not in ('0', '1'):
        raise AnnotationFormatError(
            source, f'{what}: {key}="{value}", expected "0" or "1"', track,
            frame)
    return value == '1'


def _read_meta(root: ET.Element, source: str, video: CvatVideo) -> None:
    task = root.find('meta/task')
    if task is None:
        task = root.find('meta/job')
    if task is None:
        return
    mode = (task.findtext('mode') or 'interpolation').strip()
    if mode != 'interpolation':
        raise AnnotationFormatError(
            source, f'the task is in "{mode}" mode; label propagation needs '
            'a video task (interpolation mode, skeleton tracks)',
            where='meta')
    step = (task.findtext('frame_filter') or '').strip()
    if step and step.replace(' ', '') not in ('step=1', ''):
        raise AnnotationFormatError(
            source, f'the task keeps only some frames ({step}); create it '
            'with every frame of the video', where='meta')
    for key in ('start_frame', 'stop_frame'):
        text = task.findtext(key)
        if text and text.strip():
            setattr(video, key, _int(text, source, f'meta {key}'))
    video.name = task.findtext('name')
    size = root.find('meta/original_size')
    if size is None:
        size = task.find('original_size')
    if size is not None and size.findtext('width') and size.findtext(
            'height'):
        video.frame_size = (_int(size.findtext('width'), source, 'width'),
                            _int(size.findtext('height'), source, 'height'))


def _read_joint(el: ET.Element, spec: SkeletonSpec, source: str, track: Any,
                frame: int) -> Tuple[int, float, float, bool, bool]:
    what = f'<{el.tag}> of the skeleton'
    if el.tag != 'points':
        raise AnnotationFormatError(
            source, f'a skeleton element is a <{el.tag}>, expected <points>',
            track, frame)
    name = el.get('label')
    if name is None:
        raise AnnotationFormatError(source, f'{what} has no "label"', track,
                                    frame)
    k = spec.index(name)
    if k is None:
        known = ', '.join(n for n in spec.names if n)
        raise AnnotationFormatError(
            source, f'unknown joint "{name}" (the skeleton\'s points are '
            f'{known}; map other names with --joint-map)', track, frame)
    what = f'joint "{name}"'
    outside = _bit(el, 'outside', source, track, frame, what)
    occluded = _bit(el, 'occluded', source, track, frame, what)
    _bit(el, 'keyframe', source, track, frame, what)
    text = el.get('points')
    if text is None:
        raise AnnotationFormatError(source, f'{what} has no "points"', track,
                                    frame)
    try:
        x, y = (float(v) for v in text.split(','))
    except ValueError:
        raise AnnotationFormatError(
            source, f'{what}: points="{text}", expected one "x,y" pair',
            track, frame) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise AnnotationFormatError(source, f'{what}: points="{text}" is not '
                                    'finite', track, frame)
    return k, x, y, outside, occluded


def _read_skeleton(el: ET.Element, spec: SkeletonSpec, source: str,
                   track: Any) -> Tuple[int, bool, bool, Dict[str, str],
                                        Optional[PersonFrame]]:
    """Frame, keyframe, outside, attributes and the person (None when
    absent: outside or no joint placed) of one ``<skeleton>``."""
    if el.get('frame') is None:
        raise AnnotationFormatError(source, 'a <skeleton> has no "frame"',
                                    track)
    frame = _int(el.get('frame'), source, 'frame', track)
    if frame < 0:
        raise AnnotationFormatError(source, 'negative frame number', track,
                                    frame)
    keyframe = _bit(el, 'keyframe', source, track, frame, 'the skeleton')
    outside = _bit(el, 'outside', source, track, frame, 'the skeleton', '0')
    kpts = np.zeros((NUM_KEYPOINTS, 2))
    placed = np.zeros(NUM_KEYPOINTS, bool)
    occluded = np.zeros(NUM_KEYPOINTS, bool)
    seen, attrs = set(), {}
    for child in el:
        if child.tag == 'attribute':
            if child.get('name') is None:
                raise AnnotationFormatError(
                    source, 'an <attribute> has no "name"', track, frame)
            attrs[child.get('name')] = child.text or ''
            continue
        k, x, y, out, occ = _read_joint(child, spec, source, track, frame)
        if k in seen:
            raise AnnotationFormatError(
                source, f'joint "{spec.names[k]}" appears twice', track,
                frame)
        seen.add(k)
        kpts[k] = x, y
        placed[k] = not out
        occluded[k] = occ and not out
    person = None
    if not outside and placed.any():
        person = PersonFrame(None, frame, kpts, placed, occluded, track=track)
    return frame, keyframe, outside, attrs, person


def read_cvat_video(path: str, spec: Optional[SkeletonSpec] = None
                    ) -> CvatVideo:
    """Read the people of one task's "CVAT for video 1.1" export.

    Keyframe skeletons (``keyframe="1"``) are labels; interpolated ones are
    counted and dropped. A person's id is its ``person_id`` attribute, or a
    new one for a track without it. ``needs_review`` (default false) is kept
    on every person: the caller decides what a flagged frame is.

    Raises:
        AnnotationFormatError: what CVAT's importer would refuse (a missing
            ``label``, ``frame``, ``keyframe``, ``outside``, ``occluded`` or
            ``points``), and what cannot be a PoseTrack person: a shape
            that is no skeleton, another label, an unknown joint, two
            skeletons of a track on one frame, a bad ``person_id`` or
            ``needs_review``, an ``<image>`` block (a "CVAT for images"
            export).
    """
    spec = spec or SkeletonSpec()
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise AnnotationFormatError(path, f'malformed XML: {e}',
                                    where='<xml>') from None
    if root.tag != 'annotations':
        raise AnnotationFormatError(
            path, f'the root element is <{root.tag}>, expected <annotations> '
            '(a "CVAT for video 1.1" export)', where='<xml>')
    video = CvatVideo(people=[])
    _read_meta(root, path, video)
    for t, track_el in enumerate(root):
        if track_el.tag == 'image':
            raise AnnotationFormatError(
                path, 'shapes outside tracks ("CVAT for images" layout); '
                'export the task as "CVAT for video 1.1"',
                where=f'image {track_el.get("id")}')
        if track_el.tag != 'track':
            continue
        track = track_el.get('id', f'#{t}')
        video.tracks.append(track)
        label = track_el.get('label')
        frames: Dict[int, Any] = {}
        ids = set()
        for el in track_el:
            if el.tag not in CVAT_SHAPES:
                raise AnnotationFormatError(
                    path, f'unexpected <{el.tag}> in a track', track,
                    el.get('frame'))
            if el.tag != 'skeleton':
                raise AnnotationFormatError(
                    path, f'a <{el.tag}> shape, not a skeleton (people are '
                    f'skeleton tracks labeled "{spec.label}")', track,
                    el.get('frame'))
            if label is None:
                raise AnnotationFormatError(path, 'the track has no "label"',
                                            track, el.get('frame'))
            if label != spec.label:
                raise AnnotationFormatError(
                    path, f'label "{label}", expected "{spec.label}" (give '
                    'another skeleton label with --label)', track,
                    el.get('frame'))
            frame, keyframe, _, attrs, person = _read_skeleton(
                el, spec, path, track)
            if frame in frames:
                raise AnnotationFormatError(
                    path, 'two skeletons of one track on one frame', track,
                    frame)
            frames[frame] = True
            pid = parse_person_id(attrs.get(PERSON_ID), path, track, frame)
            ids.add(pid)
            if len(ids - {None}) > 1:
                raise AnnotationFormatError(
                    path, f'{PERSON_ID} changes within the track '
                    f'({sorted(ids - {None})}); it is immutable', track,
                    frame)
            review = parse_flag(attrs.get(NEEDS_REVIEW, 'false'),
                                NEEDS_REVIEW, path, track, frame)
            if not keyframe:
                video.interpolated += 1
                continue
            if person is not None:
                person.person_id, person.needs_review = pid, review
                video.people.append(person)
        known = next(iter(ids - {None}), None)
        for p in video.people:
            if p.track == track and p.person_id is None:
                p.person_id = known
    assign_person_ids(video.people, video.tracks, path)
    return video


def _fmt(v: float) -> str:
    return f'{v:.2f}'


class _Writer:
    """Indented XML in CVAT's own layout (two spaces per level)."""

    def __init__(self, f) -> None:
        self.gen = XMLGenerator(f, 'utf-8')
        self.level = 0

    def _indent(self) -> None:
        self.gen.ignorableWhitespace('\n' + '  ' * self.level)

    def open(self, tag: str, attrs: Optional[Dict[str, str]] = None) -> None:
        self._indent()
        self.gen.startElement(tag, attrs or {})
        self.level += 1

    def close(self, tag: str, inline: bool = False) -> None:
        self.level -= 1
        if not inline:
            self._indent()
        self.gen.endElement(tag)

    def leaf(self, tag: str, text: str = '',
             attrs: Optional[Dict[str, str]] = None) -> None:
        self._indent()
        self.gen.startElement(tag, attrs or {})
        self.gen.characters(text)
        self.gen.endElement(tag)


def _write_labels(w: _Writer, spec: SkeletonSpec) -> None:
    (label, ) = cvat_label_spec(spec)
    w.open('labels')
    w.open('label')
    w.leaf('name', label['name'])
    w.leaf('color', label['color'])
    w.leaf('type', 'skeleton')
    w.open('attributes')
    for attr in label['attributes']:
        w.open('attribute')
        w.leaf('name', attr['name'])
        w.leaf('mutable', str(attr['mutable']))
        w.leaf('input_type', attr['input_type'])
        w.leaf('default_value', attr['default_value'])
        w.leaf('values', '\n'.join(attr['values']))
        w.close('attribute')
    w.close('attributes')
    w.leaf('svg', label['svg'])
    w.close('label')
    for sub in label['sublabels']:
        w.open('label')
        w.leaf('name', sub['name'])
        w.leaf('color', sub['color'])
        w.leaf('type', 'points')
        w.leaf('attributes')
        w.leaf('parent', label['name'])
        w.close('label')
    w.close('labels')


def _write_skeleton(w: _Writer, spec: SkeletonSpec, person: PersonFrame,
                    frame: int, absent: bool) -> None:
    w.open('skeleton', dict(frame=str(frame), keyframe='1', z_order='0',
                            **({'outside': '1'} if absent else {})))
    # joints not placed sit on the person's centre, where an annotator who
    # switches them on finds them
    centre = person.keypoints[person.placed].mean(0) if \
        person.placed.any() else np.zeros(2)
    for k in spec.joints:
        out = absent or not person.placed[k]
        x, y = centre if not person.placed[k] else person.keypoints[k]
        w.leaf('points', '', dict(
            label=spec.names[k], keyframe='1', outside=str(int(out)),
            occluded=str(int(not out and bool(person.occluded[k]))),
            points=f'{_fmt(x)},{_fmt(y)}'))
    w.leaf('attribute', 'true' if person.needs_review and not absent else
           'false', dict(name=NEEDS_REVIEW))
    w.leaf('attribute', str(person.person_id), dict(name=PERSON_ID))
    w.close('skeleton')


def write_cvat_video(path: str, people: Sequence[PersonFrame],
                     num_frames: int,
                     frame_size: Optional[Tuple[int, int]] = None,
                     spec: Optional[SkeletonSpec] = None,
                     name: str = '',
                     frame_range: Optional[Tuple[int, int]] = None) -> int:
    """Write people as a "CVAT for video 1.1" file CVAT imports as it is.

    One track per ``person_id`` (numbered 0..N-1 in id order); every frame
    a person is on is a keyframe with all joints; the frame after a run of
    frames (within the task) gets an all-``outside`` keyframe, so that CVAT
    does not carry the last pose on. People outside ``frame_range`` (the
    task's ``[start, stop]``, default the whole video) are left out.

    Args:
        path (str): Output file (written to a temp file and renamed).
        people (Sequence[PersonFrame]): At most one per id and frame.
        num_frames (int): Frames of the video (the task's size).
        frame_size (tuple, optional): ``(width, height)`` for ``meta``.
        spec (SkeletonSpec, optional): Label and point names of the task.
        name (str): Task name for ``meta``.
        frame_range (tuple, optional): ``(start, stop)``, inclusive.

    Returns:
        int: The number of tracks written.
    """
    spec = spec or SkeletonSpec()
    start, stop = frame_range or (0, num_frames - 1)
    by_id: Dict[int, Dict[int, PersonFrame]] = {}
    for p in people:
        if start <= p.frame <= stop and p.placed.any():
            frames = by_id.setdefault(int(p.person_id), {})
            if p.frame in frames:
                raise ValueError(f'{path}: person {p.person_id} twice on '
                                 f'frame {p.frame}')
            frames[p.frame] = p
    with atomic_write(path) as f:
        w = _Writer(f)
        w.gen.startDocument()
        w.gen.startElement('annotations', {})
        w.level = 1
        w.leaf('version', '1.1')
        w.open('meta')
        w.open('task')
        w.leaf('name', name)
        w.leaf('size', str(stop - start + 1))
        w.leaf('mode', 'interpolation')
        w.leaf('start_frame', str(start))
        w.leaf('stop_frame', str(stop))
        w.leaf('frame_filter', '')
        _write_labels(w, spec)
        if frame_size is not None:
            w.open('original_size')
            w.leaf('width', str(int(frame_size[0])))
            w.leaf('height', str(int(frame_size[1])))
            w.close('original_size')
        w.close('task')
        w.close('meta')
        for t, pid in enumerate(sorted(by_id)):
            frames = by_id[pid]
            w.open('track', dict(id=str(t), label=spec.label,
                                 source='file'))
            for f_no in sorted(frames):
                _write_skeleton(w, spec, frames[f_no], f_no, False)
                after = f_no + 1
                if after <= stop and after not in frames:
                    _write_skeleton(w, spec, frames[f_no], after, True)
            w.close('track')
        w.close('annotations')
        f.write('\n')
        w.gen.endDocument()
    return len(by_id)

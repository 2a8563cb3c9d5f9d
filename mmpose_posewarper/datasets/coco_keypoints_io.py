"""Read and write CVAT-flavoured COCO Keypoints 1.0 (one file per video).

CVAT imports a COCO Keypoints file into a video task as skeleton tracks
when each annotation carries ``attributes.track_id`` and
``attributes.keyframe`` and the images are named ``frame_%06d.<ext>`` (the
names of a video task's frames); the category's ``keypoints`` are the
skeleton's points and visibility 0/1/2 means outside/occluded/visible
(CVAT's ``bindings.import_dm_annotations`` over Datumaro's COCO reader,
which needs ``id``, ``image_id``, ``category_id``, ``iscrowd``, ``bbox`` and
``keypoints`` on an annotation). CVAT's own COCO export of such a task has
the same layout (interpolated frames with ``keyframe: false``).

The person's ``person_id`` and ``needs_review`` travel in ``attributes``
like in the XML (``cvat_io.py``).
"""
import math
import os.path as osp
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .annotation_people import (NEEDS_REVIEW, PERSON_ID,
                                AnnotationFormatError, PersonFrame,
                                SkeletonSpec, assign_person_ids, parse_flag,
                                parse_person_id, person_box)
from ..utils.atomic_file import write_json_atomic
from ..utils.json_file import json_field, read_json
from .posetrack_io import NUM_KEYPOINTS

_FRAME_NAME = re.compile(r'^(?:frame_)?(\d+)$')


def frame_file_name(frame: int, ext: str = '.jpg') -> str:
    """The name CVAT gives frame ``frame`` of a video task."""
    return f'frame_{frame:06d}{ext}'


def coco_person_category(spec: SkeletonSpec) -> Dict[str, Any]:
    """The COCO category of the skeleton: its points and edges (1-based
    indices into ``keypoints``)."""
    joints = spec.joints
    pos = {k: i + 1 for i, k in enumerate(joints)}
    return dict(id=1, name=spec.label, supercategory='',
                keypoints=[spec.names[k] for k in joints],
                skeleton=[[pos[a], pos[b]] for a, b in spec.edges()])


def coco_video(people: Sequence[PersonFrame], num_frames: int,
               frame_size: Tuple[int, int],
               spec: Optional[SkeletonSpec] = None,
               frame_range: Optional[Tuple[int, int]] = None,
               ext: str = '.jpg') -> Dict[str, Any]:
    """People of one video as a CVAT-flavoured COCO Keypoints dict.

    Every frame of the task is an image (``id`` = frame + 1); every person
    an annotation with ``attributes`` ``track_id`` (= ``person_id`` as a
    number), ``keyframe: true``, ``occluded: false``, ``person_id`` (text)
    and ``needs_review``; its box surrounds the placed joints.
    """
    spec = spec or SkeletonSpec()
    start, stop = frame_range or (0, num_frames - 1)
    w, h = (int(v) for v in frame_size)
    images = [dict(id=f + 1, file_name=frame_file_name(f, ext), width=w,
                   height=h) for f in range(start, stop + 1)]
    annotations = []
    for p in sorted(people, key=lambda p: (p.frame, p.person_id)):
        if not start <= p.frame <= stop or not p.placed.any():
            continue
        vis = p.visibility()
        kpts = []
        for k in spec.joints:
            x, y = p.keypoints[k] if vis[k] else (0.0, 0.0)
            kpts += [round(float(x), 2), round(float(y), 2), int(vis[k])]
        box = person_box(p.keypoints, p.placed, w, h)
        annotations.append(dict(
            id=len(annotations) + 1,
            image_id=p.frame + 1,
            category_id=1,
            iscrowd=0,
            segmentation=[],
            area=round(float(box[2] * box[3]), 2),
            bbox=[round(float(v), 2) for v in box],
            num_keypoints=int((vis > 0).sum()),
            keypoints=kpts,
            attributes={
                'occluded': False,
                'track_id': int(p.person_id),
                'keyframe': True,
                PERSON_ID: str(p.person_id),
                NEEDS_REVIEW: bool(p.needs_review),
            }))
    return dict(
        licenses=[dict(name='', id=0, url='')],
        info=dict(contributor='', date_created='', description='', url='',
                  version='', year=''),
        categories=[coco_person_category(spec)],
        images=images,
        annotations=annotations)


def write_coco_video(path: str, people: Sequence[PersonFrame],
                     num_frames: int, frame_size: Tuple[int, int],
                     spec: Optional[SkeletonSpec] = None,
                     frame_range: Optional[Tuple[int, int]] = None) -> None:
    """Write :func:`coco_video` to ``path`` atomically."""
    write_json_atomic(path, coco_video(people, num_frames, frame_size, spec,
                                       frame_range))


def _need(entry: Any, keys: Sequence[str], source: str, where: str) -> None:
    if not isinstance(entry, dict):
        raise AnnotationFormatError(source, 'expected an object',
                                    where=where)
    for key in keys:
        if key not in entry:
            raise AnnotationFormatError(source, f'"{key}" is missing',
                                        where=where)


def _image_frames(data: dict, source: str) -> Dict[Any, int]:
    frames = {}
    for i, img in enumerate(data['images']):
        _need(img, ('id', 'file_name'), source, f'images[{i}]')
        stem = osp.splitext(osp.basename(str(img['file_name'])))[0]
        match = _FRAME_NAME.match(stem)
        if match is None:
            raise AnnotationFormatError(
                source, f'file_name {img["file_name"]!r} names no frame of a '
                'video task (frame_000012.jpg or 000012.jpg)',
                where=f'images[{i}]')
        frames[img['id']] = int(match.group(1))
    return frames


def _category(data: dict, spec: SkeletonSpec, source: str
              ) -> Tuple[Any, List[int]]:
    cats = data['categories']
    if not isinstance(cats, list):
        raise AnnotationFormatError(source, 'expected a list',
                                    where='categories')
    for c, cat in enumerate(cats):
        _need(cat, ('id', 'name', 'keypoints'), source, f'categories[{c}]')
        if cat['name'] != spec.label:
            continue
        order = []
        for name in cat['keypoints']:
            k = spec.index(name)
            if k is None:
                known = ', '.join(n for n in spec.names if n)
                raise AnnotationFormatError(
                    source, f'unknown joint "{name}" (the skeleton\'s points '
                    f'are {known}; map other names with --joint-map)',
                    where=f'categories[{c}].keypoints')
            order.append(k)
        return cat['id'], order
    raise AnnotationFormatError(
        source, f'no category "{spec.label}" (give another skeleton label '
        'with --label)', where='categories')


def read_coco_video(path: str, spec: Optional[SkeletonSpec] = None
                    ) -> Tuple[List[PersonFrame], int, List[Any]]:
    """Read the people of a CVAT-flavoured COCO Keypoints file.

    Annotations with ``attributes.keyframe`` false (interpolated) are
    dropped; the person id is ``attributes.person_id``, else a new one per
    ``attributes.track_id``. Visibility 0 is not placed, 1 occluded.

    Returns:
        tuple: The people, the number of interpolated annotations dropped
        and the track ids in file order.

    Raises:
        JSONFileError: the file is no JSON object, or lacks a list of
            ``images``, ``annotations`` or ``categories``.
        AnnotationFormatError: a missing field CVAT needs (``track_id``,
            ``keyframe``, ...), another label, an unknown joint, an image
            not named after a frame, one track twice on a frame.
    """
    spec = spec or SkeletonSpec()
    data = read_json(path, expect=dict)
    for key in ('images', 'annotations', 'categories'):
        json_field(data, key, list, path)
    frames = _image_frames(data, path)
    cat_id, order = _category(data, spec, path)
    people, tracks, seen, interpolated = [], [], {}, 0
    for a, ann in enumerate(data['annotations']):
        where = f'annotations[{a}]'
        _need(ann, ('image_id', 'category_id', 'keypoints'), path, where)
        attrs = ann.get('attributes')
        track = attrs.get('track_id') if isinstance(attrs, dict) else None
        frame = frames.get(ann['image_id'])
        if frame is None:
            raise AnnotationFormatError(
                path, f'image_id {ann["image_id"]!r} is no image', track,
                where=where if track is None else None)
        if ann['category_id'] != cat_id:
            raise AnnotationFormatError(
                path, f'category {ann["category_id"]!r} is not '
                f'"{spec.label}"', track, frame)
        for key in ('track_id', 'keyframe'):
            if not isinstance(attrs, dict) or key not in attrs:
                raise AnnotationFormatError(
                    path, f'attributes.{key} is missing (CVAT imports COCO '
                    'people as tracks only with track_id and keyframe)',
                    track, frame)
        if track not in tracks:
            tracks.append(track)
        if (track, frame) in seen:
            raise AnnotationFormatError(
                path, 'two skeletons of one track on one frame', track, frame)
        seen[(track, frame)] = a
        pid = parse_person_id(attrs.get(PERSON_ID), path, track, frame)
        review = parse_flag(attrs.get(NEEDS_REVIEW, False), NEEDS_REVIEW,
                            path, track, frame)
        if not parse_flag(attrs['keyframe'], 'keyframe', path, track, frame):
            interpolated += 1
            continue
        flat = ann['keypoints']
        if not isinstance(flat, list) or len(flat) != 3 * len(order) or \
                not all(isinstance(v, (int, float)) and
                        not isinstance(v, bool) and math.isfinite(v)
                        for v in flat):
            raise AnnotationFormatError(
                path, f'keypoints must be {3 * len(order)} finite numbers '
                f'(x, y, v per point)', track, frame)
        kpts = np.zeros((NUM_KEYPOINTS, 2))
        vis = np.zeros(NUM_KEYPOINTS, int)
        for i, k in enumerate(order):
            x, y, v = flat[3 * i:3 * i + 3]
            if v not in (0, 1, 2):
                raise AnnotationFormatError(
                    path, f'visibility of "{spec.names[k]}" is {v}, '
                    'expected 0, 1 or 2', track, frame)
            kpts[k], vis[k] = (x, y), v
        if not (vis > 0).any():
            continue
        people.append(PersonFrame(pid, frame, kpts, vis > 0, vis == 1,
                                  needs_review=review, track=track))
    known: Dict[Any, int] = {}
    for p in people:
        if p.person_id is not None:
            known.setdefault(p.track, p.person_id)
    for p in people:
        if p.person_id is None and p.track in known:
            p.person_id = known[p.track]
    assign_person_ids(people, tracks, path)
    return people, interpolated, tracks

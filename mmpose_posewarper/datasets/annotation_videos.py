"""Annotation tool files <-> PoseTrack18 videos (the loader's layout).

Label propagation works on PoseTrack18 videos; annotators work in CVAT. This
module converts between the two and writes what annotators get:

* :func:`read_annotator_file` — people of a CVAT XML or CVAT-flavoured COCO
  file (``cvat_io.py``, ``coco_keypoints_io.py``), :func:`detect_format`
  tells the three input formats apart;
* :func:`people_to_video` — people into a PoseTrack18 video: manual people
  (``needs_review`` false) are labels, people still to review are kept with
  ``is_labeled: false`` and ``needs_review: true`` on frames that are not
  labeled; boxes surround the joints (annotation tools draw none);
* :func:`video_people` — a video's manual and propagated people back as
  :class:`PersonFrame` s, and :func:`write_annotator_outputs` — the CVAT XML,
  COCO file, label definition and review queue of a propagation.

A task's frame ``i`` is the ``i``-th frame of the video in frame-number
order (:func:`frame_positions`): for PoseTrack18 (frames from 000000) the
frame number itself.
"""
import csv
import os
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..utils.atomic_file import write_json_atomic
from ..utils.json_file import read_json
from .annotation_people import (AnnotationFormatError, PersonFrame,
                                SkeletonSpec, cvat_label_spec, person_box)
from .coco_keypoints_io import read_coco_video, write_coco_video
from .cvat_io import read_cvat_video, write_cvat_video
from .posetrack_io import NUM_KEYPOINTS
from .posetrack_videos import frame_number, video_frames

#: Columns of ``review_queue.csv``.
REVIEW_COLUMNS = ('rank', 'video', 'frame', 'cvat_frame', 'person_id',
                  'score', 'distance', 'source_frame', 'second_source_frame')


def detect_format(path: str) -> str:
    """``'cvat'`` (an ``.xml`` file), ``'coco'`` (JSON whose annotations
    carry ``attributes.track_id``) or ``'posetrack'`` (other JSON)."""
    if path.lower().endswith('.xml'):
        return 'cvat'
    try:
        data = read_json(path)
    except ValueError:  # JSONFileError (a missing file too)
        return 'posetrack'  # its reader names the problem
    anns = data.get('annotations') if isinstance(data, dict) else None
    if isinstance(anns, list) and anns and all(
            isinstance(a, dict) and 'track_id' not in a
            and isinstance(a.get('attributes'), dict)
            and 'track_id' in a['attributes'] for a in anns):
        return 'coco'
    return 'posetrack'


def list_annotation_files(path: str) -> Dict[str, str]:
    """Video name -> annotation file: ``path`` itself, or the ``*.xml`` and
    ``*.json`` files of a folder (the name is the file's stem; the COCO
    files this package writes, ``person_keypoints_<video>.json``, drop the
    prefix)."""
    if osp.isfile(path):
        files = [path]
    elif osp.isdir(path):
        files = sorted(
            osp.join(path, n) for n in os.listdir(path)
            if n.lower().endswith(('.xml', '.json')))
        if not files:
            raise FileNotFoundError(f'{path}: holds no .xml or .json file')
    else:
        raise FileNotFoundError(f'{path} does not exist')
    out = {}
    for f in files:
        name = osp.splitext(osp.basename(f))[0]
        if name.startswith('person_keypoints_'):
            name = name[len('person_keypoints_'):]
        if name in out:
            raise ValueError(f'{path}: two files for video {name}: '
                             f'{out[name]} and {f}')
        out[name] = f
    return out


def read_annotator_file(path: str, fmt: str, spec: SkeletonSpec
                        ) -> Tuple[List[PersonFrame], Dict[str, Any]]:
    """People of a CVAT XML (``fmt='cvat'``) or COCO (``'coco'``) file and
    what the file says of its task (``interpolated``, ``start_frame``,
    ``stop_frame``, ``frame_size``)."""
    if fmt == 'cvat':
        video = read_cvat_video(path, spec)
        return video.people, dict(
            interpolated=video.interpolated, start_frame=video.start_frame,
            stop_frame=video.stop_frame, frame_size=video.frame_size)
    if fmt == 'coco':
        people, interpolated, _ = read_coco_video(path, spec)
        return people, dict(interpolated=interpolated, start_frame=None,
                            stop_frame=None, frame_size=None)
    raise ValueError(f'{path}: unknown annotation format {fmt!r}')


def check_frames_in_video(people: Sequence[PersonFrame], num_frames: int,
                          source: str, frames_from: str) -> None:
    """Refuse a person on a frame the video does not have."""
    for p in people:
        if not 0 <= p.frame < num_frames:
            raise AnnotationFormatError(
                source, f'frame {p.frame} is beyond the video ({frames_from} '
                f'has {num_frames} frames, 0..{num_frames - 1})', p.track,
                p.frame)


def frame_positions(video: Mapping[str, Any], name: str = '<video>',
                    frame_index_base: int = 0) -> List[int]:
    """Frame numbers of every frame of a video in order: the task's frame
    ``i`` is frame number ``frame_positions(...)[i]``."""
    return sorted(video_frames(video, name, frame_index_base))


def source_images(name: str, index: int, file_names: Sequence[str],
                  frame_size: Tuple[int, int]) -> List[Dict[str, Any]]:
    """Image entries of a video whose frames :func:`..apis.frame_source.
    write_frames` puts into ``frames/<name>/`` (relative to the output
    folder)."""
    w, h = (int(v) for v in frame_size)
    base = (index + 1) * 100000
    return [
        dict(id=base + i, frame_id=base + i, vid_id=str(index + 1),
             file_name=f'frames/{name}/{f}', nframes=len(file_names),
             width=w, height=h, is_labeled=False)
        for i, f in enumerate(file_names)
    ]


def _annotation(p: PersonFrame, image: Mapping[str, Any], index: int,
                size: Optional[Tuple[int, int]]) -> Dict[str, Any]:
    keypoints = np.zeros((NUM_KEYPOINTS, 3))
    keypoints[p.placed, :2] = p.keypoints[p.placed]
    keypoints[p.placed, 2] = 1
    w, h = size if size else (None, None)
    img_id = image['id']
    ann = dict(
        id=img_id * 100 + index if isinstance(img_id, int) else
        f'{img_id}_{index}',
        image_id=img_id, category_id=1, track_id=int(p.person_id),
        keypoints=keypoints, scores=None,
        bbox=person_box(p.keypoints, p.placed, w, h), bbox_head=None,
        iscrowd=False)
    if p.occluded.any():
        ann['occluded'] = p.occluded.tolist()
    if p.needs_review:
        ann.update(is_labeled=False, needs_review=True)
    return ann


def people_to_video(people: Sequence[PersonFrame],
                    images: Sequence[Mapping[str, Any]],
                    name: str = '<video>',
                    frame_index_base: int = 0,
                    size: Optional[Tuple[int, int]] = None
                    ) -> Dict[str, Any]:
    """A PoseTrack18 video (loader layout) of ``images`` with ``people``.

    A frame is labeled (``is_labeled``) when it holds a manual person
    (``needs_review`` false); people still to review get ``is_labeled:
    false`` and ``needs_review: true`` (no propagation source; see
    :func:`drop_unreviewed`). Person ``p`` lands on the ``p.frame``-th
    frame of the video.
    """
    video = dict(images=[dict(img) for img in images], annotations=[],
                 categories=None)
    frames = video_frames(video, name, frame_index_base)
    numbers = sorted(frames)
    by_frame: Dict[int, List[PersonFrame]] = {}
    for p in people:
        if not 0 <= p.frame < len(numbers):
            raise AnnotationFormatError(
                name, f'frame {p.frame} is beyond the video ({len(numbers)} '
                'frames)', p.track, p.frame)
        by_frame.setdefault(p.frame, []).append(p)
    out_images = []
    for i, t in enumerate(numbers):
        img = dict(frames[t])
        img.pop('frame_index', None)
        here = sorted(by_frame.get(i, []), key=lambda p: p.person_id)
        img['is_labeled'] = any(not p.needs_review for p in here)
        out_images.append(img)
        w_h = (img['width'], img['height']) if 'width' in img and \
            'height' in img else size
        for j, p in enumerate(here):
            video['annotations'].append(_annotation(p, img, j, w_h))
    video['images'] = out_images
    return video


def drop_unreviewed(videos: Mapping[str, Dict[str, Any]]) -> int:
    """Remove the people marked ``needs_review: true`` (propagated, not yet
    reviewed: no propagation source). Returns how many were removed."""
    removed = 0
    for video in videos.values():
        keep = [a for a in video['annotations']
                if a.get('needs_review') is not True]
        removed += len(video['annotations']) - len(keep)
        video['annotations'] = keep
    return removed


def _person(ann: Mapping[str, Any], frame: int, review: bool
            ) -> Optional[PersonFrame]:
    kpts = np.asarray(ann['keypoints'], np.float64).reshape(-1, 3)
    placed = kpts[:, 2] > 0
    if not placed.any():
        return None
    occluded = ann.get('occluded')
    occluded = np.asarray(occluded, bool) if isinstance(
        occluded, (list, np.ndarray)) and len(occluded) == NUM_KEYPOINTS \
        else None
    return PersonFrame(int(ann['track_id']), frame, kpts[:, :2], placed,
                       occluded, needs_review=review,
                       score=ann.get('score'))


def video_people(video: Mapping[str, Any],
                 output: Optional[Mapping[str, Any]] = None,
                 name: str = '<video>',
                 frame_index_base: int = 0) -> List[PersonFrame]:
    """The manual people of ``video`` (labeled frames) and the propagated
    people of its propagation ``output`` (``is_labeled: false``) as task
    frames (``needs_review`` true on propagated ones)."""
    frames = video_frames(video, name, frame_index_base)
    pos = {img['id']: i for i, img in enumerate(
        frames[t] for t in sorted(frames))}
    labeled = {img['id'] for img in frames.values()
               if img.get('is_labeled', True) is not False}
    people = []
    for ann in video['annotations']:
        if ann['image_id'] in labeled and ann.get('is_labeled', True) \
                is not False and ann.get('needs_review') is not True:
            p = _person(ann, pos[ann['image_id']], False)
            people += [p] if p else []
    if output is not None:
        out_pos = {img['id']: pos.get(img['id'], None)
                   for img in output['images']}
        by_number = {frame_number(img): i for i, img in enumerate(
            frames[t] for t in sorted(frames))}
        for img in output['images']:
            if out_pos[img['id']] is None:
                out_pos[img['id']] = by_number[frame_number(img)]
        for ann in output['annotations']:
            if ann.get('is_labeled', True) is False:
                p = _person(ann, out_pos[ann['image_id']], True)
                people += [p] if p else []
    return people


def review_rows(name: str, video: Mapping[str, Any],
                output: Mapping[str, Any],
                frame_index_base: int = 0) -> List[Dict[str, Any]]:
    """One row per propagated person of a propagation ``output``: its
    frame (number and task frame), ``person_id``, score and distance to the
    labeled frame it came from."""
    numbers = frame_positions(video, name, frame_index_base)
    pos = {t: i for i, t in enumerate(numbers)}
    frame_of = {img['id']: frame_number(img) for img in output['images']}
    rows = []
    for ann in output['annotations']:
        if ann.get('is_labeled', True) is not False:
            continue
        t = frame_of[ann['image_id']]
        rows.append(dict(
            video=name, frame=t, cvat_frame=pos[t],
            person_id=int(ann['track_id']),
            score=round(float(ann.get('score', 0.0)), 6),
            distance=abs(int(ann.get('propagation_offset', 0))),
            source_frame=ann.get('source_frame'),
            second_source_frame=ann.get('second_source_frame')))
    return rows


def write_review_queue(path: str, rows: Sequence[Dict[str, Any]]) -> None:
    """``review_queue.csv``: least confident first (ties: farther from the
    labeled frame first, then video, frame, person)."""
    rows = sorted(rows, key=lambda r: (r['score'], -r['distance'], r['video'],
                                       r['frame'], r['person_id']))
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', newline='', encoding='utf-8') as f:
        writer = csv.DictWriter(f, fieldnames=REVIEW_COLUMNS)
        writer.writeheader()
        for rank, row in enumerate(rows, start=1):
            writer.writerow(dict(
                row, rank=rank,
                source_frame='' if row['source_frame'] is None else
                row['source_frame'],
                second_source_frame='' if row['second_source_frame'] is None
                else row['second_source_frame']))


def frame_size(video: Mapping[str, Any], img_root: Optional[str],
               name: str = '<video>') -> Tuple[int, int]:
    """``(width, height)`` of a video's frames: from its images, else from
    the first frame image's header."""
    for img in video['images']:
        if 'width' in img and 'height' in img:
            return int(img['width']), int(img['height'])
    from PIL import Image
    path = osp.join(img_root or '', video['images'][0]['file_name'])
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame image {path} (video {name}) does not '
                                'exist, its size is needed')
    with Image.open(path) as image:
        return image.size


def write_annotator_outputs(output, videos: Mapping[str, Any],
                            outputs: Mapping[str, Any], spec: SkeletonSpec,
                            img_root: Optional[str],
                            frame_index_base: int = 0,
                            frame_ranges: Optional[Mapping[str, Tuple[
                                int, int]]] = None) -> Dict[str, int]:
    """Write what annotators get from a propagation into the output set:
    ``cvat/<video>.xml``, ``cvat/label_spec.json``,
    ``coco/person_keypoints_<video>.json`` and ``review_queue.csv``.

    Args:
        output (OutputSet): The open output set (``output.path``).
        videos (Mapping): Video name -> input video (manual labels).
        outputs (Mapping): Video name -> its propagation output.
        spec (SkeletonSpec): The task's label and point names.
        img_root (str, optional): For frame sizes the images do not give.
        frame_index_base (int): Number of a video's first frame.
        frame_ranges (Mapping, optional): Video -> the task's ``(start,
            stop)`` frames (a CVAT input's ``meta``); default all frames.

    Returns:
        dict: Video name -> tracks written to its XML.
    """
    tracks, rows = {}, []
    for name, video in videos.items():
        people = video_people(video, outputs[name], name, frame_index_base)
        num = len(frame_positions(video, name, frame_index_base))
        size = frame_size(video, img_root, name)
        window = (frame_ranges or {}).get(name)
        tracks[name] = write_cvat_video(
            output.path('cvat', f'{name}.xml'), people, num, size, spec,
            name=name, frame_range=window)
        write_coco_video(
            output.path('coco', f'person_keypoints_{name}.json'), people,
            num, size, spec, frame_range=window)
        rows += review_rows(name, video, outputs[name], frame_index_base)
    write_json_atomic(output.path('cvat', 'label_spec.json'),
                      cvat_label_spec(spec))
    write_review_queue(output.path('review_queue.csv'), rows)
    return tracks

"""PoseTrack18 videos frame by frame, and merging them into one COCO file.

Beside the reader and writer (``posetrack_io.py``), which read and write one
video's JSON; these helpers work on videos in the loader's layout:

* :func:`frame_number` — a frame's number, from its file name;
* :func:`video_frames` — every frame of a video (also those a file does not
  list);
* :func:`labeled_frames` — the frames that carry manual labels;
* :func:`videos_to_coco` — per-video annotations merged into the COCO-style
  file MMPose's ``PoseTrack18Dataset`` reads, under the box rule.
"""
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional

from mmengine.logging import print_log

from .box_rule import person_box_problem
from .posetrack_io import posetrack18_categories, video_to_json


def frame_number(image: Mapping[str, Any]) -> int:
    """The frame number of a PoseTrack image entry, from its file name stem
    (``.../000012.jpg`` -> 12), as the datasets of this package read it."""
    stem = osp.splitext(osp.basename(image['file_name']))[0]
    if not stem.isdigit():
        raise ValueError(
            f'image {image.get("id")}: file_name {image["file_name"]!r} does '
            'not end in a frame number (e.g. 000012.jpg)')
    return int(stem)


def video_frames(video: Mapping[str, Any],
                 name: str = '<video>',
                 frame_index_base: int = 0) -> Dict[int, dict]:
    """Frame number -> image entry for every frame of the video, in order.

    Official PoseTrack18 files list every frame; files that list only the
    labeled ones (e.g. MMPose's test fixtures) get entries for the other
    frames of ``[base, base + nframes)``, named like the listed ones and with
    ids following the PoseTrack18 convention (``id - frame`` constant).

    Args:
        video (Mapping): As returned by ``posetrack_io.load_posetrack_video``.
        name (str): Video name for messages.
        frame_index_base (int): Number of a video's first frame (0 for
            PoseTrack18, 1 for PoseTrack17).
    """
    images = {}
    for img in video['images']:
        t = frame_number(img)
        if t in images:
            raise ValueError(f'video {name}: two images of frame {t}')
        images[t] = img
    first = next(iter(video['images']))
    nframes = int(first.get('nframes') or len(images))
    stem, ext = osp.splitext(osp.basename(first['file_name']))
    folder = osp.dirname(first['file_name'])
    t0 = frame_number(first)
    missing = [
        t for t in range(frame_index_base, frame_index_base + nframes)
        if t not in images
    ]
    if missing:
        if not isinstance(first['id'], int):
            raise ValueError(
                f'video {name}: lists {len(images)} of {nframes} frames and '
                'has non-integer image ids, so ids for the other frames '
                'cannot be made; list every frame in "images"')
        id_offset = first['id'] - t0
        taken = {img['id'] for img in video['images']}
        for t in missing:
            new = {
                k: first[k]
                for k in ('vid_id', 'nframes', 'has_no_densepose', 'width',
                          'height') if k in first
            }
            new.update(id=id_offset + t,
                       frame_id=id_offset + t,
                       file_name=osp.join(folder,
                                          str(t).zfill(len(stem)) + ext),
                       is_labeled=False)
            if new['id'] in taken:
                raise ValueError(
                    f'video {name}: the id {new["id"]} made for frame {t} is '
                    'already used; list every frame in "images"')
            images[t] = new
    return dict(sorted(images.items()))


def labeled_frames(video: Mapping[str, Any],
                   frame_index_base: int = 0,
                   name: str = '<video>') -> List[int]:
    """Frame numbers of a video's labeled frames: frames with people whose
    image is not marked ``is_labeled: false``."""
    frames = video_frames(video, name, frame_index_base)
    id_to_t = {img['id']: t for t, img in frames.items()}
    with_people = {id_to_t[a['image_id']] for a in video['annotations']}
    return sorted(t for t in with_people
                  if frames[t].get('is_labeled', True) is not False)


def videos_to_coco(
        videos: Mapping[str, Mapping[str, Any]],
        people: str = 'all',
        img_root: Optional[str] = None,
        skipped: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Merge per-video PoseTrack18 annotations into one COCO-style file, the
    layout MMPose's ``PoseTrack18Dataset`` reads (``posetrack18_train.json``).

    Only frames that carry people of the chosen kind are kept. A person
    whose box breaks the box rule (``box_rule.BOX_RULE``: no box, zero
    or negative size, outside the image) is left out with a warning and
    appended to ``skipped``.

    Args:
        videos (Mapping): Video name -> video (loader layout).
        people (str): ``'all'``, ``'manual'`` (annotations not marked
            ``is_labeled: false``, on frames with ``is_labeled`` true) or
            ``'propagated'`` (annotations marked ``is_labeled: false``).
        img_root (str, optional): Directory the ``file_name`` s are relative
            to; needed only when an image lacks ``width``/``height`` (official
            files do), which are then read from the frame.
        skipped (list, optional): Receives one dict per person left out
            (``video``, ``frame``, ``annotation_id``, ``track_id``,
            ``problem``).

    Returns:
        dict: ``images``, ``annotations``, ``categories``. Boxes are
        ``[x, y, w, h]`` and ``area`` is ``w * h``.
    """
    if people not in ('all', 'manual', 'propagated'):
        raise ValueError("people must be 'all', 'manual' or 'propagated', "
                         f'got {people!r}')
    images, annotations, seen = [], [], set()
    for name in sorted(videos):
        data = video_to_json(videos[name])
        by_id = {img['id']: img for img in data['images']}
        sized: Dict[Any, dict] = {}  # image id -> image with width/height
        kept = []
        for ann in data['annotations']:
            img = by_id[ann['image_id']]
            propagated = ann.get('is_labeled', True) is False
            if not img.get('is_labeled',
                           True) or (people == 'manual'
                                     and propagated) or (people == 'propagated'
                                                         and not propagated):
                continue
            if ann['image_id'] not in sized:
                sized[ann['image_id']] = _with_size(img, name, img_root)
            img = sized[ann['image_id']]
            # the box rule (box_rule.BOX_RULE): such a person would be a
            # training label whose crop holds no part of the image
            if ann.get('bbox') is None:
                problem = 'no "bbox"'
            else:
                problem = person_box_problem(ann['bbox'], img['width'],
                                             img['height'])
                problem = problem and f'bbox {problem}'
            if problem is not None:
                entry = dict(video=name,
                             frame=frame_number(img),
                             annotation_id=ann.get('id'),
                             track_id=ann.get('track_id'),
                             problem=problem)
                if skipped is not None:
                    skipped.append(entry)
                print_log(
                    f'video {name}, frame {entry["frame"]}: annotation '
                    f'{entry["annotation_id"]} (track {entry["track_id"]}) '
                    f'is left out of the {people} COCO file: {problem}',
                    logger='current',
                    level=30)
                continue
            ann = dict(ann)
            ann.setdefault('category_id', 1)
            ann.setdefault('iscrowd', False)
            ann['area'] = float(ann['bbox'][2] * ann['bbox'][3])
            kept.append(ann)
        used = {ann['image_id'] for ann in kept}
        for img in data['images']:
            if img['id'] not in used:
                continue
            if img['id'] in seen:
                raise ValueError(
                    f'image id {img["id"]} of video {name} is used twice')
            seen.add(img['id'])
            images.append(sized[img['id']])
        annotations.extend(kept)
    return dict(images=images,
                annotations=annotations,
                categories=posetrack18_categories())


def _with_size(img: Mapping[str, Any], name: str,
               img_root: Optional[str]) -> Dict[str, Any]:
    """The image entry with ``width``/``height``, read from the frame's
    header when the entry lacks them (official files have them)."""
    from PIL import Image, UnidentifiedImageError

    if 'width' in img and 'height' in img:
        return dict(img)
    if img_root is None:
        raise ValueError(f'video {name}: image {img["file_name"]} has no '
                         'width/height; pass img_root to read them')
    path = osp.join(img_root, img['file_name'])
    where = f'{path} (frame {frame_number(img)}, video {name})'
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame image {where} does not exist')
    try:
        # the header is enough: the pixels are not needed for the size
        with Image.open(path) as image:
            w, h = image.size
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError(f'frame image {where} is not a readable image: '
                         f'{e}') from None
    return dict(img, width=int(w), height=int(h))

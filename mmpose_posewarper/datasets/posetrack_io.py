"""Read, validate and write one PoseTrack18 per-video JSON file.

PoseTrack18 annotation and prediction files are parsed only here
(:func:`parse_posetrack_video`); the dataset, the metric and the tools all
go through it, so a malformed file fails the same way everywhere, with an
error that names the file and the offending field. The field checks
(:func:`check_object`, :func:`number_array`) are shared with the box files
(:mod:`.box_files`).

A PoseTrack18 video file (official format, one file per video) is::

    {"images": [{"id", "file_name", "frame_id", "vid_id", "nframes",
                 "is_labeled", "ignore_regions_x", "ignore_regions_y"}, ...],
     "annotations": [{"id", "image_id", "track_id", "keypoints" (17 x 3),
                      "bbox", "bbox_head", "scores"}, ...],
     "categories": [{"name": "person", "keypoints": [17 names], ...}]}

The keypoint order of a file is the order of ``categories[0].keypoints``
(as in the official evaluation ``poseval``). The loader always returns
keypoints in the canonical PoseTrack18 order :data:`POSETRACK18_KEYPOINTS`.
"""
import glob
import math
import numbers
import os.path as osp
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from ..utils.atomic_file import write_json_atomic
from ..utils.json_file import JSONFileError, read_json

#: PoseTrack18 keypoint names in the order of the official files.
POSETRACK18_KEYPOINTS = (
    'nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
NUM_KEYPOINTS = len(POSETRACK18_KEYPOINTS)
#: The ears are never annotated in PoseTrack18; every other name must be in
#: a file's category (poseval asserts the same).
REQUIRED_KEYPOINTS = tuple(n for n in POSETRACK18_KEYPOINTS
                           if not n.endswith('_ear'))
POSETRACK18_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13],
                        [6, 12], [7, 13], [6, 7], [6, 8], [7, 9], [8, 10],
                        [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5],
                        [4, 6], [5, 7]]
#: poseval offsets track ids by ``video_index * 10000`` and asserts
#: ``track_id < 10000``; larger ids make a file unreadable for poseval.
MAX_TRACK_ID = 10000

# Fields the loader adds to every image; the writer drops them again so that
# a write -> read round trip is the identity.
_DERIVED_IMAGE_KEYS = ('frame_index', )


def posetrack18_categories() -> List[dict]:
    """Return the ``categories`` field of an official PoseTrack18 file."""
    return [
        dict(
            supercategory='person',
            id=1,
            name='person',
            keypoints=list(POSETRACK18_KEYPOINTS),
            skeleton=[list(s) for s in POSETRACK18_SKELETON])
    ]


class PoseTrackFormatError(JSONFileError):
    """A PoseTrack18 file is malformed; the message names file and field
    (``FILE: FIELD: problem``). A :class:`JSONFileError`, as what the reader
    raises for a file that is no JSON."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        super().__init__(source, field, problem)


def is_number(value: Any) -> bool:
    """A JSON number (an int or float, not a bool)."""
    # bool is an int subclass, but True as a coordinate is surely a bug
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_object(entry: Any, source: str, field: str,
                  required: Sequence[str]) -> None:
    """``entry`` must be a JSON object holding every key of ``required``;
    otherwise a :class:`PoseTrackFormatError` names the field."""
    if not isinstance(entry, dict):
        raise PoseTrackFormatError(
            source, field, f'expected an object, got {type(entry).__name__}')
    for key in required:
        if key not in entry:
            raise PoseTrackFormatError(source, f'{field}.{key}', 'missing')


def number_array(value: Any, length: Optional[int], source: str,
                  field: str, dtype: Any, finite: bool = True) -> np.ndarray:
    """Check that ``value`` is a flat list of numbers and convert it."""
    if not isinstance(value, (list, tuple)):
        raise PoseTrackFormatError(
            source, field,
            f'expected a list of numbers, got {type(value).__name__}')
    if length is not None and len(value) != length:
        raise PoseTrackFormatError(
            source, field, f'expected {length} numbers, got {len(value)}')
    for k, v in enumerate(value):
        if not is_number(v):
            raise PoseTrackFormatError(
                source, f'{field}[{k}]',
                f'expected a number, got {v!r}')
        if finite and not math.isfinite(v):
            raise PoseTrackFormatError(source, f'{field}[{k}]',
                                       f'expected a finite number, got {v}')
    return np.asarray(value, dtype=dtype).reshape(-1)


def _keypoint_order(data: dict, source: str) -> np.ndarray:
    """Map the file's keypoint order to the canonical PoseTrack18 order.

    Returns:
        np.ndarray: ``order[k]`` is the canonical index of the file's k-th
        keypoint.
    """
    if 'categories' not in data:
        # predictions written by some tools omit the categories; the file
        # order is then the official one
        return np.arange(NUM_KEYPOINTS)
    cats = data['categories']
    if not isinstance(cats, list) or len(cats) != 1:
        raise PoseTrackFormatError(
            source, 'categories',
            'expected a list with exactly one category (person)')
    cat = cats[0]
    if not isinstance(cat, dict) or cat.get('name', 'person') != 'person':
        raise PoseTrackFormatError(source, 'categories[0].name',
                                   "expected the category 'person'")
    names = cat.get('keypoints', list(POSETRACK18_KEYPOINTS))
    if (not isinstance(names, list)
            or not all(isinstance(n, str) for n in names)):
        raise PoseTrackFormatError(source, 'categories[0].keypoints',
                                   'expected a list of keypoint names')
    unknown = [n for n in names if n not in POSETRACK18_KEYPOINTS]
    missing = [n for n in REQUIRED_KEYPOINTS if n not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise PoseTrackFormatError(
            source, 'categories[0].keypoints',
            f'expected the PoseTrack18 keypoint names (unknown: {unknown}, '
            f'missing: {missing}, duplicates: '
            f'{len(names) != len(set(names))})')
    return np.array([POSETRACK18_KEYPOINTS.index(n) for n in names])


def _check_ignore_regions(image: dict, source: str, field: str) -> None:
    has_x = 'ignore_regions_x' in image
    has_y = 'ignore_regions_y' in image
    if has_x != has_y:
        raise PoseTrackFormatError(
            source, field + ('.ignore_regions_y'
                             if has_x else '.ignore_regions_x'),
            'ignore regions need both ignore_regions_x and ignore_regions_y')
    if not has_x:
        return
    xs, ys = image['ignore_regions_x'], image['ignore_regions_y']
    if not isinstance(xs, list) or not isinstance(ys, list) \
            or len(xs) != len(ys):
        raise PoseTrackFormatError(
            source, field + '.ignore_regions_x',
            'expected two lists with one polygon per ignore region each')
    for r, (px, py) in enumerate(zip(xs, ys)):
        fx = f'{field}.ignore_regions_x[{r}]'
        ax = number_array(px, None, source, fx, np.float64)
        number_array(py, len(ax), source, f'{field}.ignore_regions_y[{r}]',
                      np.float64)
        # an empty region covers nothing; 1 or 2 points are no polygon (and
        # make shapely, hence poseval, fail)
        if 0 < len(ax) < 3:
            raise PoseTrackFormatError(
                source, fx, f'a polygon needs at least 3 points, got '
                f'{len(ax)}')


def parse_posetrack_video(data: Any,
                          source: str = '<memory>',
                          require_head_box: bool = False,
                          keypoint_dtype: Any = np.float32) -> Dict[str, Any]:
    """Validate an already decoded PoseTrack18 video and normalise it.

    Args:
        data (Any): The decoded JSON object.
        source (str): Name used in error messages (usually the file path).
        require_head_box (bool): Require ``bbox_head`` on every annotation.
            Needed only when the video is the ground truth of an evaluation
            (the PCKh threshold is relative to the head box).
        keypoint_dtype: dtype of the returned ``keypoints`` arrays. Use
            ``np.float64`` to keep the file's values exactly (evaluation).

    Returns:
        dict: ``images`` (list of dicts: the file's fields plus
        ``frame_index``, ``vid_id``, ``nframes``, ``is_labeled`` when absent),
        ``annotations`` (list of dicts: ``keypoints`` (17, 3) array in
        canonical order, ``scores`` (17,) float64 array or None, ``bbox`` and
        ``bbox_head`` (4,) float64 arrays or None, ``id``, ``image_id``,
        ``track_id`` and the file's other fields) and ``categories``.
    """
    if not isinstance(data, dict):
        raise PoseTrackFormatError(
            source, '<root>',
            f'expected a JSON object, got {type(data).__name__}')
    for key in ('images', 'annotations'):
        if key not in data:
            raise PoseTrackFormatError(source, key, 'missing')
        if not isinstance(data[key], list):
            raise PoseTrackFormatError(source, key, 'expected a list')
    if not data['images']:
        raise PoseTrackFormatError(source, 'images',
                                   'a video needs at least one frame')
    order = _keypoint_order(data, source)
    num_file_kpts = len(order)

    images = []
    image_index = {}
    for i, img in enumerate(data['images']):
        field = f'images[{i}]'
        check_object(img, source, field, ('id', 'file_name'))
        img_id = img['id']
        if isinstance(img_id, bool) or not isinstance(img_id, (int, str)):
            raise PoseTrackFormatError(source, f'{field}.id',
                                       f'expected an integer, got {img_id!r}')
        if img_id in image_index:
            raise PoseTrackFormatError(
                source, f'{field}.id',
                f'duplicate image id {img_id} (also images['
                f'{image_index[img_id]}])')
        if not isinstance(img['file_name'], str) or not img['file_name']:
            raise PoseTrackFormatError(source, f'{field}.file_name',
                                       'expected a non-empty string')
        _check_ignore_regions(img, source, field)
        image_index[img_id] = i
        out = dict(img)
        out['frame_index'] = i
        out.setdefault('nframes', len(data['images']))
        out.setdefault('vid_id',
                       osp.basename(osp.dirname(img['file_name'])).split('_')
                       [0])
        images.append(out)

    annotations = []
    seen_tracks: Dict[Any, int] = {}
    labeled = set()
    for a, ann in enumerate(data['annotations']):
        field = f'annotations[{a}]'
        check_object(ann, source, field,
                      ('image_id', 'keypoints', 'track_id'))
        image_id = ann['image_id']
        if isinstance(image_id, bool) or not isinstance(
                image_id, (int, str)) or image_id not in image_index:
            raise PoseTrackFormatError(
                source, f'{field}.image_id',
                f'{image_id!r} refers to no entry of images')
        track_id = ann['track_id']
        if not isinstance(track_id, int) or isinstance(track_id, bool) \
                or track_id >= MAX_TRACK_ID:
            raise PoseTrackFormatError(
                source, f'{field}.track_id',
                f'expected an integer below {MAX_TRACK_ID} (poseval\'s '
                f'limit), got {track_id!r}')
        if (image_id, track_id) in seen_tracks:
            raise PoseTrackFormatError(
                source, f'{field}.track_id',
                f'duplicate track id {track_id} in frame {image_id} (also '
                f'annotations[{seen_tracks[(image_id, track_id)]}])')
        seen_tracks[(image_id, track_id)] = a

        flat = number_array(ann['keypoints'], 3 * num_file_kpts, source,
                             f'{field}.keypoints', np.float64)
        keypoints = np.zeros((NUM_KEYPOINTS, 3), dtype=np.float64)
        keypoints[order] = flat.reshape(num_file_kpts, 3)

        scores = ann.get('scores')
        if scores is None or (isinstance(scores, list) and not scores):
            # poseval treats an empty list like no scores at all
            scores = None
        else:
            raw = number_array(scores, num_file_kpts, source,
                                f'{field}.scores', np.float64, finite=False)
            scores = np.zeros(NUM_KEYPOINTS, dtype=np.float64)
            scores[order] = raw

        boxes = {}
        for key in ('bbox', 'bbox_head'):
            if ann.get(key) is None:
                boxes[key] = None
                continue
            boxes[key] = number_array(ann[key], 4, source, f'{field}.{key}',
                                       np.float64)
        if require_head_box and boxes['bbox_head'] is None:
            raise PoseTrackFormatError(
                source, f'{field}.bbox_head',
                'missing (the head box sets the PCKh distance threshold of '
                'the ground truth)')

        out = dict(ann)
        out['keypoints'] = keypoints.astype(keypoint_dtype)
        out['scores'] = scores
        out.update(boxes)
        if out.get('id') is None:
            # same convention as poseval's converter: frame id * 100 + index
            out['id'] = (image_id * 100 + a) if isinstance(image_id,
                                                          int) else f'{a}'
        annotations.append(out)
        labeled.add(image_id)

    for img in images:
        img.setdefault('is_labeled', img['id'] in labeled)
    # keypoints are canonical now, so the categories are the official ones
    return dict(
        images=images,
        annotations=annotations,
        categories=posetrack18_categories())


def load_posetrack_video(path: str,
                         require_head_box: bool = False,
                         keypoint_dtype: Any = np.float32) -> Dict[str, Any]:
    """Load and validate one PoseTrack18 per-video JSON file.

    Args:
        path (str): The ``<video>.json`` file.
        require_head_box (bool): Require ``bbox_head`` on every annotation
            (ground truth of an evaluation). Defaults to False.
        keypoint_dtype: dtype of the keypoint arrays. Defaults to float32.

    Returns:
        dict: See :func:`parse_posetrack_video`.

    Raises:
        JSONFileNotFoundError: (a FileNotFoundError) ``path`` does not
            exist.
        JSONFileError: (a ValueError) the file is no JSON (see
            :func:`~mmpose_posewarper.utils.json_file.read_json`), or, as
            its subclass :class:`PoseTrackFormatError`, malformed; the
            message names the file and the field.
    """
    return parse_posetrack_video(
        read_json(path),
        source=path,
        require_head_box=require_head_box,
        keypoint_dtype=keypoint_dtype)


def list_posetrack_dir(ann_dir: str) -> List[str]:
    """Return the ``*.json`` files of a directory in poseval's order.

    poseval uses ``glob.glob(dir + '/*.json')``; the frames of all videos are
    concatenated in that order, which decides how tied scores are ranked, so
    an exact re-implementation must use the same order.
    """
    if not osp.isdir(ann_dir):
        raise NotADirectoryError(f'{ann_dir}: not a directory')
    files = glob.glob(ann_dir + '/*.json')
    if not files:
        raise FileNotFoundError(f'{ann_dir}: contains no *.json file')
    return files


def load_posetrack_dir(ann_dir: str,
                       require_head_box: bool = False,
                       keypoint_dtype: Any = np.float32,
                       sort: bool = True) -> Dict[str, Dict[str, Any]]:
    """Load every ``*.json`` video file of a directory.

    Args:
        ann_dir (str): Directory of per-video files (e.g. ``annotations/val``).
        require_head_box (bool): See :func:`load_posetrack_video`.
        keypoint_dtype: See :func:`load_posetrack_video`.
        sort (bool): Sort the videos by name. If False, keep poseval's
            (file system) order. Defaults to True.

    Returns:
        dict: video name (file name without ``.json``) -> video.
    """
    files = list_posetrack_dir(ann_dir)
    if sort:
        files = sorted(files)
    return {
        osp.splitext(osp.basename(f))[0]:
        load_posetrack_video(f, require_head_box, keypoint_dtype)
        for f in files
    }


def load_posetrack_path(path: str,
                        option: str = 'path') -> Dict[str, Dict[str, Any]]:
    """The videos of a directory of per-video files, or of one such file
    (video name: its file name without ``.json``); ``option`` names the
    argument in the error for a path that does not exist."""
    if osp.isdir(path):
        return load_posetrack_dir(path)
    if osp.isfile(path):
        return {osp.splitext(osp.basename(path))[0]: load_posetrack_video(path)}
    raise FileNotFoundError(f'{option} {path} does not exist')


def _to_builtin(value: Any) -> Any:
    """Convert numpy containers/scalars to plain JSON types."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(v) for v in value]
    return value


def video_to_json(video: Mapping[str, Any]) -> Dict[str, Any]:
    """Convert a video dict (as returned by the loader) to the file format.

    Keypoints are written in the canonical order with the official
    ``categories``; absent ``scores`` become ``[]`` and absent boxes are
    omitted, exactly as in the official files.
    """
    images = []
    for img in video['images']:
        images.append({
            k: _to_builtin(v)
            for k, v in img.items() if k not in _DERIVED_IMAGE_KEYS
        })
    annotations = []
    for ann in video['annotations']:
        out = {}
        for k, v in ann.items():
            if k in ('bbox', 'bbox_head') and v is None:
                continue
            if k == 'scores':
                v = [] if v is None else np.asarray(v, np.float64).reshape(-1)
            if k == 'keypoints':
                # float64 first: float32 -> float keeps the value exactly
                v = np.asarray(v, np.float64).reshape(-1)
            out[k] = _to_builtin(v)
        annotations.append(out)
    return dict(
        images=images,
        annotations=annotations,
        categories=posetrack18_categories())



def write_posetrack_video(path: str, video: Mapping[str, Any]) -> None:
    """Write a video atomically in the official PoseTrack18 format.

    Args:
        path (str): Output ``<video>.json`` file; parent dirs are created.
        video (Mapping): A video as returned by :func:`load_posetrack_video`
            (or built the same way).
    """
    write_json_atomic(path, video_to_json(video))



def iter_people(video: Mapping[str, Any]) -> Iterable[tuple]:
    """Yield ``(image, [annotations of that image])`` in frame order."""
    by_image: Dict[Any, list] = {img['id']: [] for img in video['images']}
    for ann in video['annotations']:
        by_image[ann['image_id']].append(ann)
    for img in video['images']:
        yield img, by_image[img['id']]

"""Contact sheets: strips of frames with PoseTrack poses drawn on them.

Works on any PoseTrack18 per-video file (ground truth or predictions), so
the main job can show its data and its results the same way.
"""
import os.path as osp
from typing import Mapping, Optional, Sequence

import cv2
import numpy as np

from mmpose_posewarper.datasets.posetrack_io import (iter_people,
                                                     load_posetrack_video)

from .skeleton import DRAW_LINKS

# Distinct BGR colours per track id.
_TRACK_COLOURS = ((0, 255, 255), (255, 0, 255), (0, 255, 0), (255, 128, 0),
                  (0, 128, 255), (255, 255, 0), (128, 0, 255), (0, 0, 255))


def track_colour(track_id: int) -> tuple:
    return _TRACK_COLOURS[int(track_id) % len(_TRACK_COLOURS)]


def draw_pose(image: np.ndarray, keypoints: np.ndarray,
              colour: Sequence[int], bbox: Optional[np.ndarray] = None,
              bbox_head: Optional[np.ndarray] = None,
              scale: float = 1.0) -> None:
    """Draws one person in place.

    Keypoints that exist (not all of x, y, v zero) are drawn; seen ones
    (``v > 0``) as filled dots, occluded ones (``v == 0``) as rings, and
    links between existing keypoints as lines. Boxes are ``[x, y, w, h]``.

    Args:
        image: BGR uint8 image (already resized by ``scale``).
        keypoints: ``(17, 3)`` in original pixel coordinates.
        colour: BGR colour of this person.
        bbox, bbox_head: optional boxes to outline (thin, dashed-looking
            thickness 1).
        scale: factor from annotation coordinates to ``image`` pixels.
    """
    kpts = np.asarray(keypoints, np.float64).reshape(-1, 3)
    exists = ~np.all(kpts == 0, axis=1)
    pts = np.round(kpts[:, :2] * scale).astype(int)
    colour = tuple(int(c) for c in colour)
    for a, b in DRAW_LINKS:
        if exists[a] and exists[b]:
            cv2.line(image, tuple(pts[a]), tuple(pts[b]), colour, 1,
                     cv2.LINE_AA)
    radius = max(2, int(round(2 * scale)))
    for k in np.flatnonzero(exists):
        filled = -1 if kpts[k, 2] > 0 else 1
        cv2.circle(image, tuple(pts[k]), radius, colour, filled, cv2.LINE_AA)
    for box, thickness in ((bbox, 1), (bbox_head, 1)):
        if box is not None:
            x, y, w, h = (np.asarray(box, np.float64) * scale).round().astype(int)
            cv2.rectangle(image, (x, y), (x + w, y + h), colour, thickness)


def contact_sheet(images: Sequence[np.ndarray],
                  people: Sequence[Sequence[Mapping]],
                  columns: int = 6, scale: float = 2.0,
                  titles: Optional[Sequence[str]] = None,
                  boxes: bool = True) -> np.ndarray:
    """Tiles frames with their poses drawn into one image.

    Args:
        images: BGR frames.
        people: per frame, the PoseTrack annotations to draw (mappings with
            ``keypoints`` ``(17, 3)`` or 51 numbers, optional ``track_id``,
            ``bbox`` and ``bbox_head``).
        columns: frames per row.
        scale: upscaling of each frame (small frames are hard to read).
        titles: optional text per frame (e.g. the frame index).
        boxes: draw person and head boxes.

    Returns:
        The sheet, BGR uint8.
    """
    if not images:
        raise ValueError('contact_sheet needs at least one frame')
    tiles = []
    for i, (image, anns) in enumerate(zip(images, people)):
        tile = cv2.resize(image, None, fx=scale, fy=scale,
                          interpolation=cv2.INTER_LINEAR)
        for n, ann in enumerate(anns):
            colour = track_colour(ann.get('track_id', n))
            draw_pose(tile, np.asarray(ann['keypoints']).reshape(-1, 3),
                      colour,
                      ann.get('bbox') if boxes else None,
                      ann.get('bbox_head') if boxes else None, scale)
        if titles is not None:
            cv2.putText(tile, str(titles[i]), (4, 14),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                        cv2.LINE_AA)
        tiles.append(tile)
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    sheet = np.zeros((rows * h, min(columns, len(tiles)) * w, 3), np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = tile[:h, :w]
    return sheet


def video_contact_sheet(data_root: str, ann_file: str, num_frames: int = 6,
                        step: Optional[int] = None, columns: int = 6,
                        scale: float = 2.0) -> np.ndarray:
    """Contact sheet of one PoseTrack18 video file read from disk.

    Args:
        data_root: the directory ``file_name`` paths are relative to.
        ann_file: the video's ``.json`` (ground truth or predictions).
        num_frames: how many frames to show.
        step: frame stride (default: spread ``num_frames`` over the video).
        columns, scale: see :func:`contact_sheet`.
    """
    video = load_posetrack_video(ann_file)
    frames = list(iter_people(video))
    if step is None:
        step = max(1, len(frames) // max(1, num_frames))
    chosen = frames[::step][:num_frames]
    images = []
    for img, _ in chosen:
        path = osp.join(data_root, img['file_name'])
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f'{path}: cannot read image')
        images.append(image)
    return contact_sheet(images, [anns for _, anns in chosen], columns, scale,
                         titles=[img['frame_index'] for img, _ in chosen])

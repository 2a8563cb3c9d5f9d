"""Writing generated videos in PoseTrack18's layout and per-video format.

Layout (as PoseTrack18, so MMPose-style code reads it unchanged)::

    DIR/images/<split>/<video>/000000.jpg ...
    DIR/annotations/<split>/<video>.json

Image and annotation ids follow the official scheme: image id
``10000000000 + video_number * 10000 + frame`` (``frame_id`` is the same
number), annotation id ``image_id * 100 + track_id``. Every frame is labeled
(dense ground truth); the training job subsamples labels itself.
"""
import os
import os.path as osp
from typing import Any, Dict

import cv2
import numpy as np

from mmpose_posewarper.datasets.posetrack_io import (posetrack18_categories,
                                                     write_posetrack_video)

from .generator import SyntheticVideo

# Coordinates are written with two decimals: enough precision, and stable
# bytes for the determinism guarantee.
_DECIMALS = 2


def image_id(vid_id: str, frame: int) -> int:
    """Official PoseTrack18 image id of a frame."""
    return 10_000_000_000 + int(vid_id) * 10_000 + frame


def frame_file_name(video: SyntheticVideo, frame: int) -> str:
    """Image path relative to the dataset root."""
    return f'images/{video.split}/{video.name}/{frame:06d}.jpg'


def video_to_posetrack(video: SyntheticVideo) -> Dict[str, Any]:
    """The video's annotation, as :mod:`posetrack_io`'s loader returns it.

    Args:
        video: a generated video.

    Returns:
        dict with ``images``, ``annotations`` and ``categories``; pass it to
        ``posetrack_io.write_posetrack_video``.
    """
    height, width = video.images[0].shape[:2]
    images, annotations = [], []
    for frame, people in enumerate(video.people):
        img_id = image_id(video.vid_id, frame)
        images.append(
            dict(file_name=frame_file_name(video, frame), id=img_id,
                 frame_id=img_id, vid_id=video.vid_id,
                 nframes=video.num_frames, is_labeled=True,
                 has_no_densepose=True, ignore_regions_x=[],
                 ignore_regions_y=[], width=width, height=height))
        for track_id, person in enumerate(people):
            if not person.annotated:
                continue
            annotations.append(
                dict(id=img_id * 100 + track_id, image_id=img_id,
                     track_id=track_id, category_id=1,
                     keypoints=np.round(person.keypoints, _DECIMALS),
                     scores=None,
                     bbox=np.round(person.bbox, _DECIMALS),
                     bbox_head=np.round(person.bbox_head, _DECIMALS)))
    return dict(images=images, annotations=annotations,
                categories=posetrack18_categories())


def write_video(root: str, video: SyntheticVideo,
                jpeg_quality: int = 90) -> str:
    """Writes a video's frames and annotation file under ``root``.

    Frames go first and the JSON last (atomically), so an annotation file
    only ever exists for a complete video.

    Returns:
        path of the written annotation file.
    """
    for frame, image in enumerate(video.images):
        path = osp.join(root, frame_file_name(video, frame))
        os.makedirs(osp.dirname(path), exist_ok=True)
        if not cv2.imwrite(path, image,
                           [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)]):
            raise OSError(f'could not write {path}')
    ann_path = osp.join(root, 'annotations', video.split, f'{video.name}.json')
    write_posetrack_video(ann_path, video_to_posetrack(video))
    return ann_path

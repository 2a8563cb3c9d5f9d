"""PoseTrack18 ground truth for video inference: the people boxes of every
frame (inference with ground-truth boxes, as the PoseTrack evaluations of
the original and of the main job run) and the score of one predicted video.
"""
from typing import Any, Dict, List, Mapping

import numpy as np

from ..datasets.box_rule import clip_person_box, person_box_problem
from ..datasets.posetrack_videos import video_frames
from ..evaluation.functional.posetrack_ap import posetrack_ap

__all__ = ['ground_truth_boxes', 'video_ap']


def ground_truth_boxes(video: Mapping[str, Any],
                       name: str = '<video>') -> List[np.ndarray]:
    """Per frame (in frame order), the ``(N, 5)`` float32 ``[x1, y1, x2, y2,
    1]`` boxes of the ground-truth people, clipped to the image as MMPose's
    datasets clip; a person whose box breaks the box rule
    (``box_rule.BOX_RULE``) is left out, as the datasets leave it out.

    Args:
        video (Mapping): As ``posetrack_io.load_posetrack_video`` returns it
            (images need ``width`` and ``height`` for the clipping).
        name (str): The video's name, for messages.
    """
    frames = video_frames(video, name)
    by_image: Dict[Any, list] = {img['id']: [] for img in frames.values()}
    for ann in video['annotations']:
        if ann.get('bbox') is not None:
            by_image.setdefault(ann['image_id'], []).append(ann['bbox'])
    out = []
    for t, img in frames.items():
        w, h = img.get('width'), img.get('height')
        boxes = []
        for bbox in by_image[img['id']]:
            if person_box_problem(bbox, w, h) is not None:
                continue
            if w is not None and h is not None:
                box = clip_person_box(bbox, w, h)
            else:
                x, y, bw, bh = np.asarray(bbox, np.float64)
                box = np.array([x, y, x + bw, y + bh])
            boxes.append([*box, 1.0])
        out.append(np.array(boxes, np.float32).reshape(-1, 5))
    return out


def video_ap(gt_video: Mapping[str, Any], pred_video: Mapping[str, Any],
             name: str = '<video>') -> Dict[str, Any]:
    """PoseTrack AP (poseval's, :func:`posetrack_ap`) of one predicted video
    against its ground truth; ``Total`` is the mAP in percent."""
    return posetrack_ap([(gt_video, pred_video, name)])

"""Per-frame ground truth read off the rendered part map.

Keypoint convention (PoseTrack18, as poseval reads it: a keypoint exists
unless x, y and v are all 0):

* ``(x, y, 1)``: inside the image and seen: the pixel under it shows a part
  of the same person that meets at that joint (e.g. upper arm or forearm for
  an elbow).
* ``(x, y, 0)``: inside the image but hidden (by another person, clutter or
  the person's own body: the far shoulder behind the torso, the nose of a
  person facing away). This is how PoseTrack marks occluded joints that the
  annotators still placed; poseval evaluates them, MMPose's training
  ignores them (``keypoints_visible`` = 0).
* ``(0, 0, 0)``: outside the image, and always for the ears, which
  PoseTrack18 never annotates.

A person gets an annotation in a frame when at least
:data:`MIN_KEYPOINTS_IN_FRAME` keypoints are inside it and at least one is
seen; their track id is the same in every frame.
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from .render import CLUTTER_LABEL, PersonView
from .skeleton import (KEYPOINT_NAMES, KEYPOINT_PARTS, NUM_KEYPOINTS,
                       PART_INDEX, PARTS_PER_PERSON, UNANNOTATED_KEYPOINTS)

MIN_KEYPOINTS_IN_FRAME = 3
# Joints whose visibility also depends on which side of the torso they are.
_TORSO_SIDE_JOINTS = tuple(
    KEYPOINT_NAMES.index(n)
    for n in ('left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'))
_NOSE = KEYPOINT_NAMES.index('nose')
_ALLOWED = [
    frozenset(PART_INDEX[p] for p in parts) for parts in KEYPOINT_PARTS
]


@dataclass
class PersonFrame:
    """One person's ground truth in one frame.

    Attributes:
        keypoints: ``(17, 3)`` PoseTrack ``(x, y, v)`` rows (see module doc).
        in_frame: ``(17,)`` keypoint lies inside the image.
        visible: ``(17,)`` keypoint is seen (``v == 1``).
        bbox: ``(4,)`` ``[x, y, w, h]`` of everything drawn of the person
            (occluded parts included), clipped to the image.
        bbox_head: ``(4,)`` ``[x, y, w, h]`` of the head, not clipped (it
            sets the PCKh scale, so it keeps the head's true size).
        annotated: whether the frame's annotation lists this person.
    """

    keypoints: np.ndarray
    in_frame: np.ndarray
    visible: np.ndarray
    bbox: np.ndarray
    bbox_head: np.ndarray
    annotated: bool


def keypoint_pixel(xy: np.ndarray) -> np.ndarray:
    """Integer ``(col, row)`` of the pixel containing each point.

    Pixel centres are at integer coordinates (OpenCV's drawing convention,
    also MMPose's), so a point belongs to the pixel it rounds to.
    """
    return np.floor(np.asarray(xy, np.float64) + 0.5).astype(np.int64)


def person_ground_truth(index: int, view: PersonView, part_map: np.ndarray,
                        image_size: Tuple[int, int]) -> PersonFrame:
    """Ground truth of the person in part-map slot ``index``.

    Args:
        index: the person's slot (part-map labels ``16 * index + part``).
        view: the person's projection at the frame's instant.
        part_map: the frame's ``(H, W)`` part map.
        image_size: ``(width, height)``.
    """
    width, height = image_size
    pix = keypoint_pixel(view.keypoints)
    in_frame = ((pix[:, 0] >= 0) & (pix[:, 0] < width) & (pix[:, 1] >= 0) &
                (pix[:, 1] < height))
    in_frame[list(UNANNOTATED_KEYPOINTS)] = False
    visible = np.zeros(NUM_KEYPOINTS, bool)
    for k in np.flatnonzero(in_frame):
        label = int(part_map[pix[k, 1], pix[k, 0]])
        if label == 0 or label == CLUTTER_LABEL:
            continue
        owner, part = divmod(label, PARTS_PER_PERSON)
        if owner != index or part not in _ALLOWED[k]:
            continue
        if (k in _TORSO_SIDE_JOINTS and part == PART_INDEX['torso']
                and view.rel_depth[k] > view.torso_depth +
                view.torso_half_depth):
            continue  # behind the torso, not on its visible side
        if k == _NOSE and view.facing < -0.3:
            continue  # facing away: the head hides the nose
        visible[k] = True

    keypoints = np.zeros((NUM_KEYPOINTS, 3))
    keypoints[in_frame, :2] = view.keypoints[in_frame]
    keypoints[visible, 2] = 1.0

    x0, y0, x1, y1 = view.extent
    x0, x1 = np.clip([x0, x1], 0, width)
    y0, y1 = np.clip([y0, y1], 0, height)
    bbox = np.array([x0, y0, x1 - x0, y1 - y0])
    hx0, hy0, hx1, hy1 = view.head_box
    bbox_head = np.array([hx0, hy0, hx1 - hx0, hy1 - hy0])
    annotated = bool(in_frame.sum() >= MIN_KEYPOINTS_IN_FRAME
                     and visible.any() and bbox[2] >= 2 and bbox[3] >= 2)
    return PersonFrame(keypoints=keypoints, in_frame=in_frame,
                       visible=visible, bbox=bbox, bbox_head=bbox_head,
                       annotated=annotated)

"""Track ids for person boxes: greedy box-IoU matching with the previous
frame, frame by frame (causal, so it runs online as frames arrive).

Used by :class:`~mmpose_posewarper.apis.PoseWarperInferencer` and the video
demo for the ``track_id`` of their PoseTrack18 output.
"""
from typing import List, Sequence

import numpy as np
import torch
from mmpose.structures.bbox import bbox_overlaps

from ..datasets.posetrack_io import MAX_TRACK_ID

__all__ = ['box_iou', 'IoUTracker', 'assign_track_ids']


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of xyxy boxes ``(N, 4)`` x ``(M, 4)`` (MMPose's
    ``bbox_overlaps``, on numpy arrays)."""
    return bbox_overlaps(
        torch.as_tensor(np.asarray(a, np.float64)[:, :4]),
        torch.as_tensor(np.asarray(b, np.float64)[:, :4])).numpy()


class IoUTracker:
    """Greedy IoU tracking, one frame per :meth:`update`.

    Each box continues the track of the previous frame's box it overlaps
    most (highest IoU pairs first, IoU >= ``iou_thr``); the others start new
    tracks. Ids stay below PoseTrack's limit of ``MAX_TRACK_ID`` by reusing
    ids not active in the previous frame.

    Args:
        iou_thr (float): Minimum IoU to continue a track. Defaults to 0.3.
    """

    def __init__(self, iou_thr: float = 0.3) -> None:
        self.iou_thr = iou_thr
        self._prev_boxes = np.zeros((0, 4))
        self._prev_ids: List[int] = []
        self._next_id = 0

    def update(self, boxes: np.ndarray) -> List[int]:
        """Track ids of one frame's boxes ``(N, 4)`` or ``(N, 5)``, xyxy."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, *(
            np.shape(boxes)[1:] or (4, )))
        ids = [-1] * len(boxes)
        prev_ids = self._prev_ids
        if len(boxes) and len(self._prev_boxes):
            iou = box_iou(boxes[:, :4], self._prev_boxes[:, :4])
            for flat in np.argsort(-iou, axis=None):
                i, j = np.unravel_index(flat, iou.shape)
                if iou[i, j] < self.iou_thr:
                    break
                if ids[i] == -1 and prev_ids[j] not in ids:
                    ids[i] = prev_ids[j]
        for i in range(len(ids)):
            if ids[i] == -1:
                if self._next_id < MAX_TRACK_ID:
                    ids[i], self._next_id = self._next_id, self._next_id + 1
                else:
                    busy = set(ids) | set(prev_ids)
                    ids[i] = next(t for t in range(MAX_TRACK_ID)
                                  if t not in busy)
        self._prev_boxes, self._prev_ids = boxes, ids
        return ids


def assign_track_ids(boxes_per_frame: Sequence[np.ndarray],
                     iou_thr: float) -> List[List[int]]:
    """Track ids of every frame's boxes (:class:`IoUTracker` over a whole
    video)."""
    tracker = IoUTracker(iou_thr)
    return [tracker.update(boxes) for boxes in boxes_per_frame]

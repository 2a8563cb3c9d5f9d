"""A labeled person propagated to another frame, as a PoseTrack18
annotation: its joints where the propagation placed them, their scores, its
boxes moved with the joints, and where it came from. Any propagation
method's labels take this form.

The output box of a propagated person is the source box shifted by the
median displacement of the person's propagated joints (its size is kept:
the annotators' box margins stay as they were); the head box likewise, with
the head joints' median.
"""
import copy
from typing import Any, Dict, Mapping, Optional

import numpy as np

#: PoseTrack18 indices of the head joints (nose, head_bottom, head_top); the
#: head box follows them.
HEAD_JOINTS = (0, 1, 2)


def _shift_box(box: Optional[np.ndarray],
               shift: np.ndarray) -> Optional[np.ndarray]:
    if box is None:
        return None
    out = np.asarray(box, dtype=np.float64).copy()
    out[:2] += shift
    return out


def propagated_annotation(ann: Mapping[str, Any], image: Mapping[str, Any],
                           index: int, kpts: np.ndarray, scores: np.ndarray,
                           vis: np.ndarray, src_kpts: np.ndarray,
                           src_vis: np.ndarray, s: int, t: int,
                           far: Optional[int] = None) -> Dict[str, Any]:
    """The annotation of the labeled person ``ann`` (of frame ``s``)
    propagated to ``image`` (frame ``t``): joints ``kpts`` placed where
    ``vis``, their ``scores``, the boxes moved by the median shift of the
    joints both frames place (``src_kpts`` / ``src_vis``), and where it came
    from. Any propagation method's labels take this form."""
    keypoints = np.zeros((len(kpts), 3), dtype=np.float64)
    keypoints[vis, :2] = kpts[vis]
    keypoints[vis, 2] = 1
    placed = vis
    # the boxes move with the joints the source frame has
    vis = vis & src_vis
    shift = np.median(kpts[vis] - src_kpts[vis], axis=0) if vis.any() \
        else np.zeros(2)
    head = np.array([j for j in HEAD_JOINTS if j < len(vis) and vis[j]])
    head_shift = np.median(kpts[head] - src_kpts[head], axis=0) \
        if len(head) else shift
    out = {
        key: copy.deepcopy(val)
        for key, val in ann.items()
        if key not in ('keypoints', 'scores', 'bbox', 'bbox_head', 'id',
                       'image_id', 'num_keypoints')
    }
    out.update(
        id=(image['id'] * 100 + index) if isinstance(image['id'], int) else
        f'{image["id"]}_{index}',
        image_id=image['id'],
        track_id=ann['track_id'],
        keypoints=keypoints,
        scores=scores.astype(np.float64),
        bbox=_shift_box(ann.get('bbox'), shift),
        bbox_head=_shift_box(ann.get('bbox_head'), head_shift),
        num_keypoints=int(keypoints[:, 2].sum()),
        is_labeled=False,
        source_frame=s,
        source_image_id=ann['image_id'],
        source_annotation_id=ann.get('id'),
        propagation_offset=t - s,
        score=float(scores[placed].mean()) if placed.any() else 0.0)
    if far is not None:
        out['second_source_frame'] = far
    return out

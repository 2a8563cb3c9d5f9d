"""The score of propagated labels: PoseTrack AP of the propagated people
against dense ground truth, on the frames that received them."""
from typing import Any, Dict, Mapping

from ..datasets import posetrack_videos
from ..evaluation.functional.posetrack_ap import posetrack_ap


def evaluate_propagation(out_videos: Mapping[str, Mapping[str, Any]],
                         gt_videos: Mapping[str, Mapping[str, Any]]
                         ) -> Dict[str, Any]:
    """PoseTrack AP of the propagated people against dense ground truth.

    Only the frames that received propagated labels are scored (the manual
    labels copied with ``keep_labeled`` would score 100 and hide the
    result). Frames are matched by frame number, so the GT files may list
    their frames in any order or more frames than the output.

    Args:
        out_videos (Mapping): Video name -> output of
            :func:`~.propagation.propagate_video`.
        gt_videos (Mapping): Video name -> dense GT video (loader layout,
            with head boxes).

    Returns:
        dict: As ``posetrack_ap`` (``ap`` per joint, ``Total``, ...).
    """
    missing = sorted(set(out_videos) - set(gt_videos))
    if missing:
        raise ValueError(f'no ground truth for the propagated videos '
                         f'{missing[:5]} (the GT directory needs a file of '
                         'the same name per video)')
    pairs = []
    for name in sorted(out_videos):
        out, gt = out_videos[name], gt_videos[name]
        out_t = {
            img['id']: posetrack_videos.frame_number(img)
            for img in out['images']
        }
        pred_by_t: Dict[int, list] = {}
        for ann in out['annotations']:
            if ann.get('is_labeled', True) is False:
                pred_by_t.setdefault(out_t[ann['image_id']], []).append(ann)
        gt_t = {
            img['id']: posetrack_videos.frame_number(img)
            for img in gt['images']
        }
        gt_frames = set(gt_t.values())
        stray = sorted(set(pred_by_t) - gt_frames)
        if stray:
            raise ValueError(f'video {name}: the ground truth has no frames '
                             f'{stray[:5]}, which got propagated labels')
        t_to_gt_id = {t: i for i, t in gt_t.items()}
        gt_sub = dict(
            gt,
            annotations=[
                a for a in gt['annotations']
                if gt_t[a['image_id']] in pred_by_t
            ])
        pred_anns = []
        for t, anns in pred_by_t.items():
            # a joint's ranking score is its ``scores`` entry, as in poseval
            pred_anns.extend(dict(a, image_id=t_to_gt_id[t]) for a in anns)
        pred_sub = dict(gt, annotations=pred_anns)
        pairs.append((gt_sub, pred_sub, name))
    return posetrack_ap(pairs)

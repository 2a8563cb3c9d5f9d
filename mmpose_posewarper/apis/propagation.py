"""Label propagation of whole videos (paper, Sec. 5.2): :func:`propagate_video`
gives every frame within ``±K`` of a labeled frame the labels of the nearer
labeled frame (on a tie, the earlier one), as PoseTrack18 annotations.

Its parts: which frames take labels from which
(:mod:`.propagation_plan`; two-sided, also from the labeled frame on the
frame's other side, fused as :mod:`.source_fusion` says), the warping
(:class:`~.label_propagator.LabelPropagator`), a propagated person's
annotation (:mod:`.propagated_annotation`), the frames a propagation reads
(:mod:`.propagation_frames`) and its score against dense ground truth
(:mod:`.propagation_evaluation`). Their public names are importable from
here too, as before they had modules of their own.
"""
import copy
import importlib
import os.path as osp
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from ..datasets import posetrack_videos
from ..datasets.box_rule import clip_person_box, person_box_problem
from .label_propagator import LabelPropagator
from .propagated_annotation import HEAD_JOINTS, propagated_annotation
from .propagation_evaluation import evaluate_propagation
from .propagation_frames import (check_frames_exist, count_propagation_targets,
                                 frames_to_read)
from .propagation_plan import (match_by_track, plan_propagation,
                               propagation_sources)
from .source_fusion import TwoSidedFusion, source_weights
from .video_io import read_frame

__all__ = [
    'LabelPropagator', 'propagate_video', 'propagation_sources',
    'usable_people', 'count_propagation_targets', 'check_frames_exist',
    'evaluate_propagation', 'plan_propagation', 'frames_to_read',
    'propagated_annotation', 'HEAD_JOINTS'
]


def _same_size(img: np.ndarray, src: np.ndarray, name: str, t: int,
               s: int) -> np.ndarray:
    """``img`` (frame ``t``), if it is as large as its source frame ``s``."""
    if img.shape != src.shape:
        raise ValueError(f'video {name}: frame {t} is {img.shape[1]}x'
                         f'{img.shape[0]} but its source frame {s} is '
                         f'{src.shape[1]}x{src.shape[0]}')
    return img



def propagate_video(propagator: LabelPropagator,
                    video: Mapping[str, Any],
                    img_root: str,
                    k: int = 3,
                    name: str = '<video>',
                    keep_labeled: bool = False,
                    frame_index_base: int = 0,
                    progress: Optional[ProgressBar] = None,
                    skipped: Optional[List[Dict[str, Any]]] = None,
                    two_sided: Optional[TwoSidedFusion] = None
                    ) -> Dict[str, Any]:
    """Propagate the labels of one PoseTrack18 video.

    A labeled person whose box breaks the box rule
    (``posetrack_io.BOX_RULE``: no box, zero or negative size, outside the
    image) is not propagated: it is skipped, a warning names it, and it is
    appended to ``skipped``. Its crop would put every joint on one point.

    Args:
        propagator (LabelPropagator): Holds the model.
        video (Mapping): As returned by ``posetrack_io.load_posetrack_video``.
        img_root (str): Directory the images' ``file_name`` is relative to.
        k (int): Propagate up to ``k`` frames away. Defaults to 3.
        name (str): Video name for messages.
        keep_labeled (bool): Also copy the manual labels into the output.
            Without it the output holds only the propagated frames (what the
            augmentation config adds to the manual labels). Defaults to False.
        frame_index_base (int): Number of a video's first frame (0 for
            PoseTrack18, 1 for PoseTrack17).
        progress (ProgressBar, optional): Updated once per propagated frame.
        skipped (list, optional): Receives one dict per skipped person
            (``video``, ``frame``, ``annotation_id``, ``track_id``,
            ``problem``), see :func:`usable_people`.
        two_sided (TwoSidedFusion, optional): Also propagate from the
            labeled frame on the other side of each frame (within its
            ``second_reach``) and fuse the two as it says
            (:meth:`LabelPropagator.propagate_two_sided`); the people are
            the nearest labeled frame's, found in the other one by track
            id. Defaults to None: the paper's one-sided propagation.

    Returns:
        dict: The output video in the loader's layout: every frame of the
        input; frames with propagated labels have ``is_labeled`` True (they
        now carry labels) plus ``source_frame`` and ``propagation_offset``;
        each propagated person has ``is_labeled`` False, ``source_frame``,
        ``source_image_id``, ``source_annotation_id``, ``propagation_offset``,
        ``score`` (mean joint score) and per-joint ``scores``; its
        ``track_id`` is the source person's. Two-sided, frames and people
        that used a second source also carry ``second_source_frame``.

    Raises:
        ValueError: the video has no labeled frame, or a frame is malformed.
        FileNotFoundError / FrameDecodeError: a frame image is missing or
            cannot be decoded (the message names the frame).
    """
    frames = posetrack_videos.video_frames(video, name, frame_index_base)
    id_to_t = {img['id']: t for t, img in frames.items()}
    people: Dict[int, list] = {t: [] for t in frames}
    for ann in video['annotations']:
        people[id_to_t[ann['image_id']]].append(ann)
    labeled = posetrack_videos.labeled_frames(video, frame_index_base, name)
    if not labeled:
        raise ValueError(
            f'video {name} has no labeled frame (no image with is_labeled '
            'true and annotations): there is nothing to propagate')
    plan = propagation_sources(labeled, frames, k, two_sided)

    out_images, out_anns = [], []
    for t, img in frames.items():
        entry = {
            key: val
            for key, val in img.items() if key not in ('frame_index', )
        }
        entry['is_labeled'] = bool(keep_labeled and t in labeled)
        out_images.append(entry)
        if entry['is_labeled']:
            out_anns.extend(
                dict(copy.deepcopy(a), is_labeled=True) for a in people[t])
    by_t = {posetrack_videos.frame_number(img): img for img in out_images}

    def load(t: int) -> np.ndarray:
        return read_frame(
            osp.join(img_root, frames[t]['file_name']), frame_index=t)

    # group targets by their sources: each frame is decoded once per group
    by_sources: Dict[Tuple[int, Optional[int]], List[int]] = {}
    for t, sources in plan.items():
        by_sources.setdefault(sources, []).append(t)
    usable: Dict[int, list] = {}
    for s, far in sorted(by_sources, key=lambda key: (key[0], key[1] or -1)):
        img_src = load(s)
        if s not in usable:
            usable[s] = usable_people(people[s], img_src.shape, name, s,
                                      skipped)
        anns = usable[s]
        bboxes, kpts, vis = _source_people(anns, img_src.shape)
        targets = by_sources[(s, far)]
        imgs_dst = [_same_size(load(t), img_src, name, t, s) for t in targets]
        if far is None:
            new_kpts, scores, new_vis = propagator.propagate_many(
                img_src, imgs_dst, bboxes, kpts, vis)
        else:
            img_far = _same_size(load(far), img_src, name, far, s)
            kpts_far, vis_far = _matched_people(anns, people[far], kpts.shape)
            weights = source_weights([abs(t - s) for t in targets],
                                     [abs(t - far) for t in targets],
                                     two_sided.power)
            new_kpts, scores, new_vis = propagator.propagate_two_sided(
                img_src, img_far, imgs_dst, bboxes,
                np.stack([kpts, kpts_far]), np.stack([vis, vis_far]),
                weights, level=two_sided.level)
        for i, t in enumerate(targets):
            entry = by_t[t]
            entry.update(
                is_labeled=True,
                source_frame=s,
                propagation_offset=t - s,
                height=int(img_src.shape[0]),
                width=int(img_src.shape[1]))
            if far is not None:
                entry['second_source_frame'] = far
            for p, ann in enumerate(anns):
                out_anns.append(
                    propagated_annotation(ann, entry, p, new_kpts[i, p],
                                           scores[i, p], new_vis[p], kpts[p],
                                           vis[p] > 0, s, t, far))
            if progress is not None:
                progress.update()
    return dict(
        images=out_images,
        annotations=out_anns,
        categories=copy.deepcopy(video.get('categories')))


def usable_people(anns: Sequence[Mapping[str, Any]],
                  shape: Tuple[int, ...],
                  name: str = '<video>',
                  frame: Optional[int] = None,
                  skipped: Optional[List[Dict[str, Any]]] = None
                  ) -> List[Mapping[str, Any]]:
    """The people of one labeled frame whose box obeys the box rule.

    The others (no ``bbox``; a box of zero or negative size or outside the
    ``shape`` image, see ``posetrack_io.person_box_problem``) are left out,
    named in one warning and appended to ``skipped``.
    """
    h, w = shape[:2]
    kept, problems = [], []
    for ann in anns:
        if ann.get('bbox') is None:
            problem = 'no "bbox"'
        else:
            problem = person_box_problem(ann['bbox'], w, h)
            if problem is None:
                kept.append(ann)
                continue
            problem = f'bbox {problem}'
        entry = dict(
            video=name,
            frame=frame,
            annotation_id=ann.get('id'),
            track_id=ann.get('track_id'),
            problem=problem)
        problems.append(entry)
        if skipped is not None:
            skipped.append(entry)
    if problems:
        print_log(
            f'video {name}, frame {frame}: {len(problems)} labeled '
            f'{"person is" if len(problems) == 1 else "people are"} not '
            'propagated (unusable box): ' + '; '.join(
                f'annotation {p["annotation_id"]} (track {p["track_id"]}): '
                f'{p["problem"]}' for p in problems),
            logger='current',
            level=30)
    return kept


def _source_people(anns: Sequence[Mapping[str, Any]], shape: Tuple[int, ...]
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes (xyxy, clipped to the image as MMPose's datasets do),
    keypoints and visibility of a labeled frame's people (whose boxes obey
    the box rule, see :func:`usable_people`)."""
    h, w = shape[:2]
    num = len(anns)
    num_kpts = anns[0]['keypoints'].shape[0] if num else 0
    bboxes = np.zeros((num, 4), dtype=np.float32)
    kpts = np.zeros((num, num_kpts, 2), dtype=np.float32)
    vis = np.zeros((num, num_kpts), dtype=np.float32)
    for p, ann in enumerate(anns):
        bboxes[p] = clip_person_box(ann['bbox'], w, h)
        kp = np.asarray(ann['keypoints'], dtype=np.float32)
        kpts[p] = kp[:, :2]
        vis[p] = kp[:, 2] > 0
    return bboxes, kpts, vis


def _matched_people(anns: Sequence[Mapping[str, Any]],
                    far_people: Sequence[Mapping[str, Any]],
                    shape: Tuple[int, ...]) -> Tuple[np.ndarray, np.ndarray]:
    """Keypoints ``shape`` ``(N, K, 2)`` and placed joints ``(N, K)`` of the
    near frame's people ``anns`` in the far frame (same track id); zeros
    for a person the far frame does not have."""
    kpts = np.zeros(shape, np.float32)
    vis = np.zeros(shape[:2], np.float32)
    for p, j in enumerate(match_by_track(anns, far_people)):
        if j is not None:
            kp = np.asarray(far_people[j]['keypoints'], np.float32)
            kpts[p] = kp[:, :2]
            vis[p] = kp[:, 2] > 0
    return kpts, vis


def _load_pose_model(config: Any,
                     checkpoint: Optional[str],
                     device: str = 'cpu',
                     require_warping: bool = False) -> nn.Module:
    """The former ``load_pose_model``, with its positional arguments, over
    :func:`.model.init_model` (whose fourth argument is ``cfg_options``)."""
    from .model import init_model
    return init_model(
        config, checkpoint, device=device, require_warping=require_warping)


#: Names that lived here until 0.1.0 and moved (re-exported for one release):
#: model loading to ``apis/model.py``, PoseTrack video helpers to
#: ``datasets/``. Old name -> where it lives now, or (where it lives now,
#: what the old name gives) when the old signature differs.
_MOVED = {
    'load_pose_model': ('mmpose_posewarper.apis.model.init_model',
                        'mmpose_posewarper.apis.propagation._load_pose_model'),
    'load_checked_checkpoint':
    'mmpose_posewarper.apis.model.load_checked_checkpoint',
    'CheckpointMismatchError':
    'mmpose_posewarper.utils.checkpoint.CheckpointMismatchError',
    'frame_number':
    'mmpose_posewarper.datasets.posetrack_videos.frame_number',
    'labeled_frames':
    'mmpose_posewarper.datasets.posetrack_videos.labeled_frames',
    'videos_to_coco':
    'mmpose_posewarper.datasets.posetrack_videos.videos_to_coco',
    'write_json_atomic':
    'mmpose_posewarper.datasets.posetrack_io.write_json_atomic',
}


def __getattr__(name: str) -> Any:
    # PEP 562: called only for names this module does not define
    if name not in _MOVED:
        raise AttributeError(
            f'module {__name__!r} has no attribute {name!r}')
    moved = _MOVED[name]
    new, given = (moved, moved) if isinstance(moved, str) else moved
    warnings.warn(
        f'mmpose_posewarper.apis.propagation.{name} moved to {new}; the old '
        'path goes away in the next release',
        DeprecationWarning,
        stacklevel=2)
    module, attr = given.rsplit('.', 1)
    return getattr(importlib.import_module(module), attr)

"""Propagation comparison: every method propagates the same labels to the
same frames, and the results are scored with the package's PoseTrack AP
against the dense ground truth.

Which frames: in each video, labels are kept on every ``k``-th frame; every
unlabeled frame within ``±K`` of a labeled frame gets the labels of the
nearest labeled frame (the earlier one on a tie), as
:func:`mmpose_posewarper.apis.propagation_plan.plan_propagation` plans it for
``tools/propagate_labels.py``. Only those frames are scored.

Which joints: every joint the labeled frame's annotation places (PoseTrack18
keypoints that are not ``(0, 0, 0)``: seen joints and, in the generated
data, hidden joints inside the image). poseval evaluates both kinds in the
ground truth, so a method that dropped the hidden ones could not reach 100
even on the labeled frame itself.

Two-sided methods (:func:`run_two_sided`) propagate to the same frames
and the same people from the nearest labeled frame and, where there is one
within their reach, the labeled frame on the other side of the frame.

Two controls check the measurement rather than a method:

* ``self``: propagate each labeled frame to itself (offset 0); a correct
  pipeline scores close to 100 (only the heatmap's quantisation is lost);
* ``shuffled``: PoseWarper gets, in place of the unlabeled frame, the frame
  at the same position of *another* video; it must score clearly below the
  real propagation, otherwise the method does not use the frame.
"""
import os.path as osp
from collections import defaultdict
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple)

import numpy as np
from mmengine.utils import ProgressBar

from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.apis.propagated_annotation import propagated_annotation
from mmpose_posewarper.apis.propagation import propagate_video
from mmpose_posewarper.apis.propagation_evaluation import evaluate_propagation
from mmpose_posewarper.apis.propagation_frames import count_propagation_targets
from mmpose_posewarper.apis.propagation_plan import (match_by_track,
                                                     plan_propagation,
                                                     plan_two_sided)
from mmpose_posewarper.apis.source_fusion import TwoSidedFusion, source_weights
from mmpose_posewarper.apis.video_io import read_frame
from mmpose_posewarper.datasets.posetrack_videos import (frame_number,
                                                         labeled_frames)

Videos = Mapping[str, Mapping[str, Any]]
#: video name -> target frame -> predicted people (PoseTrack18 annotations)
Predictions = Dict[str, Dict[int, List[Dict[str, Any]]]]
#: video name -> list of (target frame, source labeled frame)
Pairs = Dict[str, List[Tuple[int, int]]]


class PoseWarperMethod:
    """PoseWarper's label propagation (the jobs API's
    :class:`LabelPropagator`: the labeled frame's ground-truth heatmaps
    warped to the unlabeled frame) behind the baselines' interface."""

    name = 'posewarper'

    def __init__(self, propagator: LabelPropagator) -> None:
        self.propagator = propagator

    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  visible: np.ndarray, offset: int):
        """Same as the baselines (``offset`` is not needed)."""
        return self.propagator.propagate(img_src, img_dst, bboxes, keypoints,
                                         visible)

    def propagate_many(self, img_src: np.ndarray,
                       imgs_dst: Sequence[np.ndarray], bboxes: np.ndarray,
                       keypoints: np.ndarray, visible: np.ndarray):
        """:meth:`propagate` to several targets at once
        (:meth:`LabelPropagator.propagate_many`)."""
        return self.propagator.propagate_many(img_src, imgs_dst, bboxes,
                                              keypoints, visible)


class TwoSidedPoseWarper(PoseWarperMethod):
    """Two-sided PoseWarper: both labeled neighbours' ground-truth heatmaps
    warped to the frame and fused
    (:meth:`LabelPropagator.propagate_two_sided`)."""

    name = 'two_sided_posewarper'

    def __init__(self, propagator: LabelPropagator,
                 fusion: TwoSidedFusion) -> None:
        super().__init__(propagator)
        self.fusion = fusion

    def propagate_two_sided(self, img_near: np.ndarray, img_far: np.ndarray,
                            imgs_dst: Sequence[np.ndarray],
                            bboxes: np.ndarray, keypoints: np.ndarray,
                            visible: np.ndarray, offsets: np.ndarray):
        """As :meth:`.baselines.TwoSidedKeypoints.propagate_two_sided`."""
        offsets = np.asarray(offsets)
        weights = source_weights(np.abs(offsets[:, 0]), np.abs(offsets[:, 1]),
                                 self.fusion.power)
        return self.propagator.propagate_two_sided(
            img_near, img_far, imgs_dst, bboxes, keypoints, visible, weights,
            level=self.fusion.level)


def propagation_pairs(sparse_videos: Videos, k: int,
                      to_self: bool = False) -> Pairs:
    """The (target, source) frame pairs of each video.

    Args:
        sparse_videos (Mapping): Sparsely labeled videos (unlabeled frames
            listed with ``is_labeled: false``).
        k (int): Propagation distance ``K``.
        to_self (bool): The ``self`` control: every labeled frame to itself.

    Returns:
        dict: Video name -> sorted ``(t, s)`` pairs.
    """
    pairs = {}
    for name, video in sparse_videos.items():
        labeled = labeled_frames(video, name=name)
        if to_self:
            pairs[name] = [(s, s) for s in labeled]
            continue
        frames = [frame_number(img) for img in video['images']]
        plan = plan_propagation(labeled, frames, k)
        pairs[name] = sorted(plan.items())
    return pairs


def source_people(video: Mapping[str, Any], t: int, shape: Tuple[int, int]
                  ) -> Tuple[List[Mapping[str, Any]], np.ndarray, np.ndarray,
                             np.ndarray]:
    """The people labeled on frame ``t``: annotations, xyxy boxes (clipped
    to the image), keypoints ``(N, 17, 2)`` and the joints they place
    ``(N, 17)`` (keypoint not ``(0, 0, 0)``)."""
    img_id = {frame_number(img): img['id'] for img in video['images']}[t]
    anns = [a for a in video['annotations']
            if a['image_id'] == img_id and a.get('bbox') is not None]
    h, w = shape
    boxes = np.zeros((len(anns), 4), np.float32)
    kpts = np.zeros((len(anns), 17, 2), np.float32)
    placed = np.zeros((len(anns), 17), bool)
    for i, ann in enumerate(anns):
        x, y, bw, bh = np.asarray(ann['bbox'], np.float64)
        boxes[i] = [np.clip(x, 0, w - 1), np.clip(y, 0, h - 1),
                    np.clip(x + bw, 0, w - 1), np.clip(y + bh, 0, h - 1)]
        kp = np.asarray(ann['keypoints'], np.float64)
        kpts[i] = kp[:, :2]
        placed[i] = np.any(kp != 0, axis=1)
    return anns, boxes, kpts, placed


FrameSource = Callable[[str, int], str]

#: video name -> frame -> (nearest labeled frame, other side's or None)
SourcePlans = Dict[str, Dict[int, Tuple[int, Optional[int]]]]


def two_sided_plans(sparse_videos: Videos, k: int,
                    second_reach: Optional[int]) -> SourcePlans:
    """Both sources of every frame :func:`propagation_pairs` lists (the
    nearest labeled frame is the same; see
    :func:`~mmpose_posewarper.apis.propagation_plan.plan_two_sided`)."""
    plans = {}
    for name, video in sparse_videos.items():
        frames = [frame_number(img) for img in video['images']]
        plans[name] = plan_two_sided(labeled_frames(video, name=name), frames,
                                     k, second_reach)
    return plans


def run_two_sided(method: Any,
                  sparse_videos: Videos,
                  plans: SourcePlans,
                  img_root: str,
                  progress: Optional[ProgressBar] = None) -> Predictions:
    """Propagate with a two-sided ``method`` (``propagate_two_sided`` and,
    for frames with one source, ``propagate``) along ``plans``
    (:func:`two_sided_plans`); returns what :func:`run_propagation` does.
    The people are the nearest labeled frame's; each is found in the other
    labeled frame by its track id."""
    predictions: Predictions = {}
    for name in sorted(plans):
        video = sparse_videos[name]
        files = {frame_number(img): img['file_name'] for img in video['images']}
        groups = defaultdict(list)
        for t, sources in plans[name].items():
            groups[sources].append(t)
        out = predictions.setdefault(name, {})
        images: Dict[int, np.ndarray] = {}

        def image(t: int) -> np.ndarray:
            if t not in images:
                images[t] = read_frame(osp.join(img_root, files[t]))
            return images[t]

        for (near, far), targets in sorted(
                groups.items(), key=lambda g: (g[0][0], g[0][1] or -1)):
            img_near = image(near)
            anns, boxes, kpts, placed = source_people(video, near,
                                                      img_near.shape[:2])
            imgs_dst = [read_frame(osp.join(img_root, files[t]))
                        for t in targets]
            if far is None:
                new_kpts, scores, vis = _one_sided(method, img_near, imgs_dst,
                                                   targets, near, boxes, kpts,
                                                   placed)
            else:
                far_anns, _, far_kpts, far_placed = source_people(
                    video, far, img_near.shape[:2])
                kpts2 = np.zeros((2, ) + kpts.shape, np.float32)
                placed2 = np.zeros((2, ) + placed.shape, bool)
                kpts2[0], placed2[0] = kpts, placed
                for i, j in enumerate(match_by_track(anns, far_anns)):
                    if j is not None:
                        kpts2[1, i], placed2[1, i] = far_kpts[j], far_placed[j]
                offsets = np.array([[t - near, t - far] for t in targets])
                new_kpts, scores, vis = method.propagate_two_sided(
                    img_near, image(far), imgs_dst, boxes, kpts2, placed2,
                    offsets)
                vis = np.broadcast_to(vis, scores.shape)
            _store(out, targets, anns, new_kpts, scores, vis, progress)
        images.clear()
    return predictions


def run_propagation(method: Any,
                    sparse_videos: Videos,
                    pairs: Pairs,
                    img_root: str,
                    target_frame: Optional[FrameSource] = None,
                    progress: Optional[ProgressBar] = None) -> Predictions:
    """Propagate the labels of ``sparse_videos`` along ``pairs``.

    Args:
        method: A method with ``propagate(img_src, img_dst, bboxes,
            keypoints, visible, offset)`` (see :mod:`.baselines`).
        sparse_videos (Mapping): Video name -> sparsely labeled video.
        pairs (dict): From :func:`propagation_pairs`.
        img_root (str): Root of the images' ``file_name`` s.
        target_frame (callable, optional): ``(video, t) -> image path`` of
            the picture shown as frame ``t`` (the ``shuffled`` control).
            Defaults to the video's own frame ``t``.
        progress (ProgressBar, optional): Updated once per pair.

    Returns:
        dict: Video name -> frame -> predicted people, PoseTrack18
        annotations with ``keypoints`` ``(17, 3)`` (joints not propagated
        are ``(0, 0, 0)``), per-joint ``scores``, the source ``track_id``.
    """
    predictions: Predictions = {}
    for name in sorted(pairs):
        video = sparse_videos[name]
        files = {frame_number(img): img['file_name'] for img in video['images']}
        by_source = defaultdict(list)
        for t, s in pairs[name]:
            by_source[s].append(t)
        out = predictions.setdefault(name, {})
        for s in sorted(by_source):
            img_src = read_frame(osp.join(img_root, files[s]))
            anns, boxes, kpts, placed = source_people(video, s,
                                                      img_src.shape[:2])
            targets = by_source[s]
            imgs_dst = [
                read_frame(target_frame(name, t) if target_frame is not None
                           else osp.join(img_root, files[t]))
                for t in targets
            ]
            new_kpts, scores, vis = _one_sided(method, img_src, imgs_dst,
                                               targets, s, boxes, kpts,
                                               placed)
            _store(out, targets, anns, new_kpts, scores, vis, progress)
    return predictions


def _one_sided(method: Any, img_src: np.ndarray,
               imgs_dst: Sequence[np.ndarray], targets: Sequence[int], s: int,
               boxes: np.ndarray, kpts: np.ndarray, placed: np.ndarray):
    """``method`` from labeled frame ``s`` to each of ``targets``:
    keypoints ``(T, N, K, 2)``, scores and visibility ``(T, N, K)``."""
    if hasattr(method, 'propagate_many'):
        # all targets of one source at once (its crop is computed once)
        new_kpts, scores, vis = method.propagate_many(img_src, imgs_dst, boxes,
                                                      kpts, placed)
        return new_kpts, scores, np.broadcast_to(vis, scores.shape)
    runs = [method.propagate(img_src, img, boxes, kpts, placed, t - s)
            for t, img in zip(targets, imgs_dst)]
    return tuple(np.stack(r) for r in zip(*runs))


def _store(out: Dict[int, list], targets: Sequence[int],
           anns: Sequence[Mapping[str, Any]], kpts: np.ndarray,
           scores: np.ndarray, vis: np.ndarray,
           progress: Optional[ProgressBar]) -> None:
    """The people propagated to each of ``targets`` (arrays ``(T, N, ...)``)
    as predictions of ``out``."""
    for j, t in enumerate(targets):
        out[t] = [_prediction(ann, kpts[j, i], scores[j, i], vis[j, i])
                  for i, ann in enumerate(anns)]
        if progress is not None:
            progress.update()


def _prediction(ann: Mapping[str, Any], kpts: np.ndarray, scores: np.ndarray,
                vis: np.ndarray) -> Dict[str, Any]:
    keypoints = np.zeros((len(kpts), 3), np.float64)
    keypoints[vis, :2] = kpts[vis]
    keypoints[vis, 2] = 1
    return dict(track_id=ann.get('track_id'), keypoints=keypoints,
                scores=np.where(vis, scores, 0).astype(np.float64),
                is_labeled=False)


def propagate_videos(propagator: LabelPropagator, videos: Videos,
                     img_root: str, k: int,
                     two_sided: Optional[TwoSidedFusion] = None
                     ) -> Dict[str, Any]:
    """PoseWarper's labels of sparsely labeled ``videos`` with the jobs API
    (``tools/propagate_labels.py``'s core): video name -> the propagated
    video as :func:`~..apis.propagation.propagate_video` returns it."""
    progress = ProgressBar(count_propagation_targets(videos, k))
    return {
        name: propagate_video(propagator, video, img_root, k=k, name=name,
                              progress=progress, two_sided=two_sided)
        for name, video in sorted(videos.items())
    }


def prediction_videos(predictions: Predictions,
                      gt_videos: Videos) -> Dict[str, Dict[str, Any]]:
    """Predictions as PoseTrack18 videos on the ground truth's frames (the
    layout :func:`evaluate_propagation` and the writers read)."""
    out = {}
    for name, frames in predictions.items():
        gt = gt_videos[name]
        ids = {frame_number(img): img['id'] for img in gt['images']}
        anns = []
        for t in sorted(frames):
            for i, person in enumerate(frames[t]):
                anns.append(dict(person, image_id=ids[t],
                                 id=ids[t] * 100 + i))
        out[name] = dict(images=gt['images'], annotations=anns,
                         categories=gt.get('categories'))
    return out


def propagated_videos(predictions: Predictions, videos: Videos,
                      pairs: Mapping[str, Sequence[Tuple[int, int]]]
                      ) -> Dict[str, Dict[str, Any]]:
    """A method's predictions (:func:`run_propagation` on ``pairs``) as the
    labels :func:`~..apis.propagation.propagate_video` writes: each person
    with the box of its labeled source moved with the joints, as
    PoseWarper's (what the augmentation trains on)."""
    out = {}
    for name, frames in predictions.items():
        video = videos[name]
        # as propagate_video's: the frames with propagated people are the
        # labeled ones, each saying where its labels came from
        images = [dict(img, is_labeled=False) for img in video['images']]
        image_of = {frame_number(img): img for img in images}
        source_of = dict(pairs[name])
        anns = []
        for t in sorted(frames):
            s = source_of[t]
            image_of[t].update(is_labeled=True, source_frame=s,
                               propagation_offset=t - s)
            labeled = {a['track_id']: a for a in video['annotations']
                       if a['image_id'] == image_of[s]['id']}
            for index, person in enumerate(frames[t]):
                ann = labeled[person['track_id']]
                kp = np.asarray(person['keypoints'], np.float64)
                src = np.asarray(ann['keypoints'], np.float64)
                anns.append(propagated_annotation(
                    ann, image_of[t], index, kp[:, :2],
                    np.asarray(person['scores'], np.float64), kp[:, 2] > 0,
                    src[:, :2], src[:, 2] > 0, s, t))
        out[name] = dict(video, images=images, annotations=anns)
    return out


def score_predictions(predictions: Predictions,
                      gt_videos: Videos) -> Dict[str, Any]:
    """PoseTrack AP (percent) of the predictions on the frames they cover,
    against the dense ground truth (``Total``, per-joint ``ap``, ...)."""
    return evaluate_propagation(
        prediction_videos(predictions, gt_videos), gt_videos)


def by_distance(predictions: Predictions,
                pairs: Pairs) -> Dict[int, Predictions]:
    """The predictions split by propagation distance ``|t - s|`` (each part
    holds the frames that many frames away from their labeled frame)."""
    parts: Dict[int, Predictions] = {}
    for name, frames in predictions.items():
        source = dict(pairs[name])
        for t, people in frames.items():
            part = parts.setdefault(abs(t - source[t]), {})
            part.setdefault(name, {})[t] = people
    return dict(sorted(parts.items()))


def score_by_distance(predictions: Predictions, gt_videos: Videos,
                      pairs: Pairs) -> Dict[int, float]:
    """PoseTrack Total AP (percent) of the predictions at each propagation
    distance (see :func:`by_distance`)."""
    return {
        d: float(score_predictions(part, gt_videos)['Total'])
        for d, part in by_distance(predictions, pairs).items()
    }


def shuffled_frame_source(sparse_videos: Videos, img_root: str
                          ) -> FrameSource:
    """The ``shuffled`` control: frame ``t`` of video ``i`` is replaced by
    frame ``t`` of video ``i + 1`` (cyclically, in name order; the last
    frame of a shorter video is used past its end)."""
    names = sorted(sparse_videos)
    if len(names) < 2:
        raise ValueError('the shuffled-frames control needs at least 2 videos')
    frames = {
        name: {frame_number(img): img['file_name']
               for img in sparse_videos[name]['images']}
        for name in names
    }

    def source(name: str, t: int) -> str:
        other = frames[names[(names.index(name) + 1) % len(names)]]
        return osp.join(img_root, other[min(t, max(other))])

    return source

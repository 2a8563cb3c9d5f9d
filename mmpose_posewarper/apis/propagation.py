"""Label propagation with a trained PoseWarper (paper, Sec. 5.2).

A video labeled on sparse frames gets labels on every frame within ``±K`` of
a labeled frame. For a labeled frame ``A`` and an unlabeled frame ``B``, and
for every labeled person of ``A``:

1. both frames are cropped with the person's (enlarged) box of ``A``, exactly
   as the model's top-down test pipeline crops (``GetBBoxCenterScale`` +
   ``TopdownAffine``);
2. the network's heatmaps ``hm(A)`` and ``hm(B)`` are computed and ``A``'s
   ground-truth keypoints are rendered as heatmaps ``gt(A)`` with the model's
   own decoder codec (same sigma and size as its training targets; with
   DARK's ``unbiased=True``, as the sparse benchmark's configs decode,
   centred to the sub-pixel);
3. ``gt(A)`` is warped to ``B`` with ``neck.warp(ref=hm(B), sup=hm(A),
   source=gt(A))``: the offsets come from ``hm(B) - hm(A)``, ``B`` is the
   reference. This is the paper's "reverse" direction (original:
   ``warping_reverse``): the labels move, not the predictions;
4. the warped heatmaps are decoded with the codec (argmax + its sub-pixel
   refinement: the quarter-pixel shift, or DARK's) and mapped back to
   ``B``'s image; a joint's score is the maximum of its warped heatmap.
   Joints invisible in ``A`` stay invisible.

A frame within ``±K`` of two labeled frames takes its labels from the nearer
one; on a tie, from the earlier one. The output box of a propagated person
is the source box of ``A`` shifted by the median displacement of the
person's propagated joints (its size is kept: the annotators' box margins
stay as they were); the head box likewise, with the head joints' median.
"""
import copy
import importlib
import os.path as osp
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from ..datasets import posetrack_videos
from ..datasets.posetrack_io import clip_person_box, person_box_problem
from .video_io import read_frame

#: PoseTrack18 indices of the head joints (nose, head_bottom, head_top); the
#: head box follows them.
HEAD_JOINTS = (0, 1, 2)


def plan_propagation(labeled_frames: Sequence[int], frames: Sequence[int],
                     k: int) -> Dict[int, int]:
    """Choose the source labeled frame of each frame to propagate to.

    Args:
        labeled_frames (Sequence[int]): Frame numbers with labels.
        frames (Sequence[int]): Frame numbers of the video (the candidates).
        k (int): Maximum distance from a labeled frame (``K >= 1``).

    Returns:
        dict[int, int]: Unlabeled frame -> its source labeled frame: the
        nearest labeled frame within ``k``, the earlier one on a tie.
        Labeled frames themselves are not in it.
    """
    if k < 1:
        raise ValueError(f'the propagation distance K must be >= 1, got {k}')
    labeled = sorted(set(int(t) for t in labeled_frames))
    plan = {}
    for t in sorted(set(int(t) for t in frames) - set(labeled)):
        # min over (distance, frame): equal distances pick the earlier frame
        best = min(((abs(t - s), s) for s in labeled), default=None)
        if best is not None and best[0] <= k:
            plan[t] = best[1]
    return plan


def _find_transform(pipeline: Sequence[Any], name: str) -> Optional[dict]:
    for step in pipeline or []:
        if isinstance(step, Mapping) and step.get('type') == name:
            return dict(step)
    return None


class LabelPropagator:
    """Warps a labeled frame's ground-truth poses to an unlabeled frame.

    Args:
        model (nn.Module): A PoseWarper (see :func:`.model.init_model`); its
            ``head.decoder`` is the heatmap codec used to render and decode
            heatmaps.
        batch_size (int): People warped per forward pass.
    """

    def __init__(self, model: nn.Module, batch_size: int = 16) -> None:
        from mmpose.codecs import MSRAHeatmap, UDPHeatmap
        from mmpose.registry import TRANSFORMS

        neck = getattr(model, 'neck', None)
        if not (callable(getattr(neck, 'warp', None))
                and callable(getattr(neck, 'heatmaps', None))):
            raise TypeError('LabelPropagator needs a PoseWarper model (a neck '
                            f'with heatmaps() and warp()), got '
                            f'{type(model).__name__}')
        codec = getattr(getattr(model, 'head', None), 'decoder', None)
        if not isinstance(codec, (MSRAHeatmap, UDPHeatmap)):
            raise TypeError(
                'label propagation renders and decodes Gaussian heatmaps; the '
                "model's head.decoder must be MSRAHeatmap or UDPHeatmap, got "
                f'{type(codec).__name__}')
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.model = model
        self.codec = codec
        self.batch_size = batch_size
        self.input_size = tuple(int(v) for v in codec.input_size)

        # crop exactly as the model was tested: its own pipeline settings
        pipeline = []
        cfg = getattr(model, 'cfg', None)
        if cfg is not None and cfg.get('test_dataloader') is not None:
            pipeline = cfg.test_dataloader.dataset.get('pipeline', [])
        center_cfg = _find_transform(pipeline, 'GetBBoxCenterScale') or dict(
            type='GetBBoxCenterScale')
        affine_cfg = _find_transform(pipeline, 'TopdownAffine') or dict(
            type='TopdownAffine', input_size=self.input_size)
        affine_cfg.setdefault('use_udp', isinstance(codec, UDPHeatmap))
        if tuple(affine_cfg['input_size']) != self.input_size:
            raise ValueError(
                f"TopdownAffine's input_size {affine_cfg['input_size']} "
                f"differs from the codec's {self.input_size}")
        self.get_center_scale = TRANSFORMS.build(center_cfg)
        self.affine = TRANSFORMS.build(affine_cfg)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _crop(self, imgs: List[np.ndarray], bbox: np.ndarray,
              keypoints: np.ndarray, visible: np.ndarray) -> dict:
        """Crop all ``imgs`` with one person's box (one affine transform)."""
        results = dict(
            img=list(imgs),
            img_shape=imgs[0].shape[:2],
            bbox=bbox.reshape(1, 4).astype(np.float32),
            bbox_score=np.ones(1, dtype=np.float32),
            keypoints=keypoints.reshape(1, -1, 2).astype(np.float32),
            keypoints_visible=visible.reshape(1, -1).astype(np.float32))
        results = self.get_center_scale(results)
        return self.affine(results)

    @torch.no_grad()
    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  keypoints_visible: np.ndarray
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Propagate the poses of frame ``A`` (``img_src``) to ``B``.

        Args:
            img_src (np.ndarray): Labeled frame ``A`` (BGR, as read by
                OpenCV, like MMPose's ``LoadImage``).
            img_dst (np.ndarray): Unlabeled frame ``B``, same size as ``A``.
            bboxes (np.ndarray): ``(N, 4)`` xyxy person boxes in ``A``.
            keypoints (np.ndarray): ``(N, K, 2)`` ground truth in ``A``.
            keypoints_visible (np.ndarray): ``(N, K)``, > 0 for labeled
                joints.

        Returns:
            tuple: ``keypoints`` ``(N, K, 2)`` in ``B``'s image, ``scores``
            ``(N, K)`` (warped heatmap maxima) and ``visible`` ``(N, K)``
            bool (joints labeled in ``A`` whose heatmap could be rendered in
            the crop). Invisible joints have coordinates and score 0.
        """
        kpts, scores, vis = self.propagate_many(img_src, [img_dst], bboxes,
                                                keypoints, keypoints_visible)
        return kpts[0], scores[0], vis

    @torch.no_grad()
    def propagate_many(self, img_src: np.ndarray,
                       imgs_dst: Sequence[np.ndarray], bboxes: np.ndarray,
                       keypoints: np.ndarray, keypoints_visible: np.ndarray
                       ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`propagate` to several frames ``B_1 .. B_T`` at once.

        Each person's crop of ``A`` goes through the backbone once for all
        ``T`` targets (the crops of all frames share the affine transform of
        the person's box in ``A``).

        Returns:
            tuple: ``keypoints`` ``(T, N, K, 2)``, ``scores`` ``(T, N, K)``
            and ``visible`` ``(N, K)`` (the same for every target).
        """
        for t, img in enumerate(imgs_dst):
            if img.shape != img_src.shape:
                raise ValueError(f'target frame {t} is {img.shape}, the '
                                 f'source frame {img_src.shape}')
        num, num_dst = len(bboxes), len(imgs_dst)
        num_kpts = keypoints.shape[1] if num else 0
        out_kpts = np.zeros((num_dst, num, num_kpts, 2), dtype=np.float32)
        out_scores = np.zeros((num_dst, num, num_kpts), dtype=np.float32)
        out_vis = np.zeros((num, num_kpts), dtype=bool)
        # people per forward pass, so that about batch_size frame pairs run
        # through the backbone at once
        per_pass = max(1, self.batch_size // max(1, num_dst))
        for start in range(0, num, per_pass):
            idx = range(start, min(num, start + per_pass))
            crops, targets, metas = [], [], []
            for n in idx:
                res = self._crop([img_src, *imgs_dst], bboxes[n],
                                 keypoints[n], keypoints_visible[n] > 0)
                enc = self.codec.encode(res['transformed_keypoints'],
                                        res['keypoints_visible'])
                crops.append(
                    torch.from_numpy(np.stack(res['img']).transpose(
                        0, 3, 1, 2).copy()))
                targets.append(enc['heatmaps'])
                metas.append((res['input_center'], res['input_scale'],
                              enc['keypoint_weights'].reshape(-1) > 0))
            # (n, 1 + T, 3, H, W), frame 0 = A; the model's own data
            # preprocessor does the channel order and normalisation
            inputs = self.model.data_preprocessor(
                dict(inputs=crops))['inputs'].to(self.device)
            if inputs.dim() != 5:
                raise TypeError(
                    "the model's data_preprocessor must return (B, F, 3, H, "
                    f'W) inputs (MultiFramePoseDataPreprocessor), got '
                    f'{tuple(inputs.shape)}')
            heatmaps = self.model.neck.heatmaps(
                self.model.backbone(inputs.flatten(0, 1)))
            heatmaps = heatmaps.view(len(idx), 1 + num_dst,
                                     *heatmaps.shape[1:])
            gt = torch.from_numpy(np.stack(targets)).to(heatmaps)
            if gt.shape[1:] != heatmaps.shape[2:]:
                raise ValueError(
                    f'the codec renders heatmaps of shape '
                    f'{tuple(gt.shape[1:])} but the network predicts '
                    f'{tuple(heatmaps.shape[2:])}; check the codec '
                    'heatmap_size and the number of keypoints')
            # every target B is the reference of its own warp; A's heatmaps
            # and ground truth are the same for all of them
            # (mmcv's deformable conv needs contiguous inputs)
            hm_dst = heatmaps[:, 1:].flatten(0, 1).contiguous()
            hm_src = heatmaps[:, :1].expand_as(
                heatmaps[:, 1:]).flatten(0, 1).contiguous()
            gt = gt[:, None].expand_as(
                heatmaps[:, 1:]).flatten(0, 1).contiguous()
            warped = self.model.neck.warp(hm_dst, hm_src, source=gt)
            warped = warped.float().cpu().numpy().reshape(
                len(idx), num_dst, num_kpts, *warped.shape[2:])
            for j, n in enumerate(idx):
                center, scale, vis = metas[j]
                out_vis[n] = vis
                for t in range(num_dst):
                    kpts, _ = self.codec.decode(warped[j, t])
                    # input (crop) space -> image, as TopdownPoseEstimator
                    kpts = kpts[0, :, :2] / np.array(self.input_size) \
                        * scale + center - 0.5 * scale
                    score = warped[j, t].reshape(num_kpts, -1).max(axis=1)
                    out_kpts[t, n] = np.where(vis[:, None], kpts, 0)
                    out_scores[t, n] = np.where(vis, score, 0)
        return out_kpts, out_scores, out_vis


def _shift_box(box: Optional[np.ndarray],
               shift: np.ndarray) -> Optional[np.ndarray]:
    if box is None:
        return None
    out = np.asarray(box, dtype=np.float64).copy()
    out[:2] += shift
    return out


def propagate_video(propagator: LabelPropagator,
                    video: Mapping[str, Any],
                    img_root: str,
                    k: int = 3,
                    name: str = '<video>',
                    keep_labeled: bool = False,
                    frame_index_base: int = 0,
                    progress: Optional[ProgressBar] = None,
                    skipped: Optional[List[Dict[str, Any]]] = None
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

    Returns:
        dict: The output video in the loader's layout: every frame of the
        input; frames with propagated labels have ``is_labeled`` True (they
        now carry labels) plus ``source_frame`` and ``propagation_offset``;
        each propagated person has ``is_labeled`` False, ``source_frame``,
        ``source_image_id``, ``source_annotation_id``, ``propagation_offset``,
        ``score`` (mean joint score) and per-joint ``scores``; its
        ``track_id`` is the source person's.

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
    plan = plan_propagation(labeled, frames, k)

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

    # group targets by source frame: each frame is decoded once
    by_source: Dict[int, List[int]] = {}
    for t, s in plan.items():
        by_source.setdefault(s, []).append(t)
    for s in sorted(by_source):
        src_img = frames[s]
        img_src = read_frame(
            osp.join(img_root, src_img['file_name']), frame_index=s)
        anns = usable_people(people[s], img_src.shape, name, s, skipped)
        bboxes, kpts, vis = _source_people(anns, img_src.shape)
        targets = by_source[s]
        imgs_dst = []
        for t in targets:
            img = read_frame(
                osp.join(img_root, frames[t]['file_name']), frame_index=t)
            if img.shape != img_src.shape:
                raise ValueError(
                    f'video {name}: frame {t} is {img.shape[1]}x'
                    f'{img.shape[0]} but its source frame {s} is '
                    f'{img_src.shape[1]}x{img_src.shape[0]}')
            imgs_dst.append(img)
        new_kpts, scores, new_vis = propagator.propagate_many(
            img_src, imgs_dst, bboxes, kpts, vis)
        for i, t in enumerate(targets):
            entry = by_t[t]
            entry.update(
                is_labeled=True,
                source_frame=s,
                propagation_offset=t - s,
                height=int(img_src.shape[0]),
                width=int(img_src.shape[1]))
            for p, ann in enumerate(anns):
                out_anns.append(
                    _propagated_annotation(ann, entry, p, new_kpts[i, p],
                                           scores[i, p], new_vis[p], kpts[p],
                                           s, t))
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


def _propagated_annotation(ann: Mapping[str, Any], image: Mapping[str, Any],
                           index: int, kpts: np.ndarray, scores: np.ndarray,
                           vis: np.ndarray, src_kpts: np.ndarray, s: int,
                           t: int) -> Dict[str, Any]:
    keypoints = np.zeros((len(kpts), 3), dtype=np.float64)
    keypoints[vis, :2] = kpts[vis]
    keypoints[vis, 2] = 1
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
        num_keypoints=int(vis.sum()),
        is_labeled=False,
        source_frame=s,
        source_image_id=ann['image_id'],
        source_annotation_id=ann.get('id'),
        propagation_offset=t - s,
        score=float(scores[vis].mean()) if vis.any() else 0.0)
    return out


def count_propagation_targets(videos: Mapping[str, Mapping[str, Any]],
                              k: int,
                              frame_index_base: int = 0) -> int:
    """Number of frames :func:`propagate_video` will warp to (for the
    progress bar); videos without labeled frames count 0."""
    total = 0
    for name, video in videos.items():
        labeled = posetrack_videos.labeled_frames(video, frame_index_base,
                                                  name)
        if labeled:
            frames = posetrack_videos.video_frames(video, name,
                                                   frame_index_base)
            total += len(plan_propagation(labeled, frames, k))
    return total


def check_frames_exist(videos: Mapping[str, Mapping[str, Any]],
                       img_root: str,
                       k: int,
                       frame_index_base: int = 0) -> int:
    """Check that every frame :func:`propagate_video` will read exists, so a
    wrong ``img_root`` or a missing frame is found before the propagation
    (a frame that exists but cannot be decoded is still found when read).

    Returns:
        int: The number of frames checked.

    Raises:
        FileNotFoundError: names the first missing frames (path, frame
            number, video) and how many are missing.
    """
    missing, checked = [], 0
    for name, video in videos.items():
        labeled = posetrack_videos.labeled_frames(video, frame_index_base,
                                                  name)
        if not labeled:
            continue
        frames = posetrack_videos.video_frames(video, name, frame_index_base)
        plan = plan_propagation(labeled, frames, k)
        for t in sorted(set(plan) | set(plan.values())):
            path = osp.join(img_root, frames[t]['file_name'])
            checked += 1
            if not osp.isfile(path):
                missing.append(f'frame image {path} (frame {t}) does not '
                               f'exist (video {name})')
    if missing:
        hint = ', is --img-root right?' if len(missing) == checked else ''
        raise FileNotFoundError(
            f'{"; ".join(missing[:3])} ({len(missing)} of the {checked} '
            f'frames to read are missing{hint})')
    return checked


def evaluate_propagation(out_videos: Mapping[str, Mapping[str, Any]],
                         gt_videos: Mapping[str, Mapping[str, Any]]
                         ) -> Dict[str, Any]:
    """PoseTrack AP of the propagated people against dense ground truth.

    Only the frames that received propagated labels are scored (the manual
    labels copied with ``keep_labeled`` would score 100 and hide the
    result). Frames are matched by frame number, so the GT files may list
    their frames in any order or more frames than the output.

    Args:
        out_videos (Mapping): Video name -> output of :func:`propagate_video`.
        gt_videos (Mapping): Video name -> dense GT video (loader layout,
            with head boxes).

    Returns:
        dict: As ``posetrack_ap`` (``ap`` per joint, ``Total``, ...).
    """
    from ..evaluation.functional.posetrack_ap import posetrack_ap

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

"""The network step of label propagation: warp labeled frames' ground
truth to other frames with a trained PoseWarper (paper, Sec. 5.2).

For a labeled frame ``A`` and an unlabeled frame ``B``, and for every
labeled person of ``A``: both frames are cropped with the person's
(enlarged) box of ``A`` as the model's test pipeline crops; ``A``'s ground
truth is rendered as heatmaps with the model's own codec; they are warped
to ``B`` with ``neck.warp(ref=hm(B), sup=hm(A), source=gt(A))`` (the
original's ``warping_reverse``: the labels move, not the predictions); the
warped heatmaps are decoded with the codec and mapped back to ``B``'s
image, a joint's score being its warped heatmap's maximum. Joints
invisible in ``A`` stay invisible. Two-sided, a second labeled frame's
ground truth is warped alike in the same crop and the two are fused
(:mod:`.source_fusion`). Which frames are propagated, and how the output
files look: :mod:`.propagation`.
"""
from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from ..codecs import decode_heatmaps
from .source_fusion import fuse_keypoints, joint_weights


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
        """Crop all ``imgs`` with one person's box (one affine transform);
        ``keypoints`` ``(S, K, 2)`` and ``visible`` ``(S, K)``: the person
        in each of ``S`` labeled frames, mapped into the crop alike."""
        num_kpts = keypoints.shape[-2]
        results = dict(
            img=list(imgs),
            img_shape=imgs[0].shape[:2],
            bbox=bbox.reshape(1, 4).astype(np.float32),
            bbox_score=np.ones(1, dtype=np.float32),
            keypoints=keypoints.reshape(-1, num_kpts, 2).astype(np.float32),
            keypoints_visible=visible.reshape(-1, num_kpts).astype(
                np.float32))
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
        warped, crops, rendered = self.warp_people(
            [img_src], imgs_dst, bboxes, keypoints[None],
            keypoints_visible[None])
        kpts, scores = self._decode(warped[:, 0], crops)
        vis = rendered[:, 0]
        return (np.where(vis[None, ..., None], kpts, 0).astype(np.float32),
                np.where(vis[None], scores, 0).astype(np.float32), vis)

    @torch.no_grad()
    def propagate_two_sided(self, img_near: np.ndarray,
                            img_far: np.ndarray,
                            imgs_dst: Sequence[np.ndarray],
                            bboxes: np.ndarray, keypoints: np.ndarray,
                            keypoints_visible: np.ndarray,
                            weights: np.ndarray, level: str = 'keypoint'
                            ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Propagate the people of two labeled frames to ``T`` frames
        between them and fuse the two results (see :mod:`.source_fusion`).

        All frames are cropped with each person's box in the near frame
        (``bboxes``); the far frame's ground truth is rendered in that crop,
        so the two warped heatmaps share one grid.

        Args:
            img_near, img_far (np.ndarray): The two labeled frames.
            imgs_dst (Sequence[np.ndarray]): The ``T`` targets.
            bboxes (np.ndarray): ``(N, 4)`` xyxy boxes in the near frame.
            keypoints (np.ndarray): ``(2, N, K, 2)``: each person's ground
                truth in the near and in the far frame.
            keypoints_visible (np.ndarray): ``(2, N, K)``; a person missing
                from the far frame has all zeros there.
            weights (np.ndarray): ``(T, 2)`` the sources' weights per target
                (:func:`.source_fusion.source_weights`).
            level (str): ``'heatmap'``: the warped heatmaps are averaged
                with the weights and decoded (the score is the fused
                heatmap's maximum); ``'keypoint'``: each is decoded and the
                joints averaged (:func:`.source_fusion.fuse_keypoints`).

        Returns:
            tuple: ``keypoints`` ``(T, N, K, 2)``, ``scores`` ``(T, N, K)``
            and ``visible`` ``(N, K)`` (joints either source placed).
        """
        if level not in ('heatmap', 'keypoint'):
            raise ValueError(f"level must be 'heatmap' or 'keypoint', got "
                             f'{level!r}')
        weights = np.asarray(weights, np.float64)
        if weights.shape != (len(imgs_dst), 2):
            raise ValueError(f'weights must be (T, 2) = ({len(imgs_dst)}, '
                             f'2), got {weights.shape}')
        if len(bboxes) == 0:
            num_kpts = keypoints.shape[-2]
            return (np.zeros((len(imgs_dst), 0, num_kpts, 2), np.float32),
                    np.zeros((len(imgs_dst), 0, num_kpts), np.float32),
                    np.zeros((0, num_kpts), bool))
        warped, crops, rendered = self.warp_people(
            [img_near, img_far], imgs_dst, bboxes, keypoints,
            keypoints_visible)
        # (S, T, N, K) per-joint weights over the sources that have it
        available = np.broadcast_to(
            rendered.transpose(1, 0, 2)[:, None],
            (2, len(imgs_dst)) + rendered.transpose(1, 0, 2).shape[1:])
        vis = rendered.any(axis=1)
        if level == 'heatmap':
            w = joint_weights(weights.T[:, :, None, None], available)
            fused = np.einsum('stnk,nstkhw->ntkhw', w, warped)
            kpts, scores = self._decode(fused, crops)
        else:
            kpts, scores = self._decode(
                warped.reshape((-1, ) + warped.shape[2:]),
                [c for c in crops for _ in range(2)])
            kpts = kpts.reshape((len(imgs_dst), len(bboxes), 2) +
                                kpts.shape[2:]).transpose(2, 0, 1, 3, 4)
            scores = scores.reshape(
                (len(imgs_dst), len(bboxes), 2) + scores.shape[2:]).transpose(
                    2, 0, 1, 3)
            kpts, scores, _ = fuse_keypoints(kpts, scores, available,
                                             weights.T[:, :, None])
        return (np.where(vis[None, ..., None], kpts, 0).astype(np.float32),
                np.where(vis[None], scores, 0).astype(np.float32), vis)

    def _decode(self, heatmaps: np.ndarray, crops: Sequence[Tuple]
                ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode ``(N, T, K, h, w)`` heatmaps of ``N`` people (``crops``:
        each person's crop center and scale) into image keypoints
        ``(T, N, K, 2)`` and scores ``(T, N, K)`` (heatmap maxima)."""
        num, num_dst, num_kpts = heatmaps.shape[:3]
        if num * num_dst == 0:
            return (np.zeros((num_dst, num, num_kpts, 2), np.float32),
                    np.zeros((num_dst, num, num_kpts), np.float32))
        kpts, _ = decode_heatmaps(self.codec,
                                  heatmaps.reshape((-1, ) + heatmaps.shape[2:]))
        kpts = kpts.reshape(num, num_dst, -1, 2)
        scores = heatmaps.reshape(num, num_dst, heatmaps.shape[2], -1).max(-1)
        center = np.stack([c for c, _ in crops]).reshape(num, 1, 1, 2)
        scale = np.stack([s for _, s in crops]).reshape(num, 1, 1, 2)
        # input (crop) space -> image, as TopdownPoseEstimator
        kpts = kpts / np.array(self.input_size) * scale + center - 0.5 * scale
        return kpts.transpose(1, 0, 2, 3), scores.transpose(1, 0, 2)

    @torch.no_grad()
    def warp_people(self, imgs_src: Sequence[np.ndarray],
                    imgs_dst: Sequence[np.ndarray], bboxes: np.ndarray,
                    keypoints: np.ndarray, keypoints_visible: np.ndarray
                    ) -> Tuple[np.ndarray, List[Tuple], np.ndarray]:
        """Warp the ground truth of ``S`` labeled frames to ``T`` frames.

        Every frame is cropped with each person's box (one affine transform
        per person); the crops go through the backbone once, and each
        source's ground-truth heatmaps are warped to each target with the
        target as the reference.

        Args:
            imgs_src (Sequence[np.ndarray]): ``S`` labeled frames (BGR).
            imgs_dst (Sequence[np.ndarray]): ``T`` frames, the same size.
            bboxes (np.ndarray): ``(N, 4)`` xyxy crop boxes.
            keypoints (np.ndarray): ``(S, N, K, 2)`` ground truth per source.
            keypoints_visible (np.ndarray): ``(S, N, K)``, > 0 where labeled.

        Returns:
            tuple: warped heatmaps ``(N, S, T, K, h, w)``, each person's
            crop ``(center, scale)``, and ``(N, S, K)`` bool: the joints
            whose ground truth could be rendered in the crop.
        """
        imgs_src, imgs_dst = list(imgs_src), list(imgs_dst)
        for t, img in enumerate(imgs_src[1:] + imgs_dst):
            if img.shape != imgs_src[0].shape:
                raise ValueError(f'frame {t + 1} is {img.shape}, the first '
                                 f'source frame {imgs_src[0].shape}')
        num_src, num_dst, num = len(imgs_src), len(imgs_dst), len(bboxes)
        num_kpts = keypoints.shape[-2]
        h, w = (int(v) for v in self.codec.heatmap_size[::-1])
        warped = np.zeros((num, num_src, num_dst, num_kpts, h, w), np.float32)
        rendered = np.zeros((num, num_src, num_kpts), dtype=bool)
        crops = []
        # people per forward pass, so that about batch_size frame pairs run
        # through the warping at once
        per_pass = max(1, self.batch_size // max(1, num_src * num_dst))
        for start in range(0, num, per_pass):
            idx = range(start, min(num, start + per_pass))
            images, targets = [], []
            for n in idx:
                # every source's keypoints in the one crop of the person
                res = self._crop(imgs_src + imgs_dst, bboxes[n],
                                 keypoints[:, n], keypoints_visible[:, n] > 0)
                crops.append((res['input_center'], res['input_scale']))
                images.append(
                    torch.from_numpy(np.stack(res['img']).transpose(
                        0, 3, 1, 2).copy()))
                for s in range(num_src):
                    enc = self.codec.encode(
                        res['transformed_keypoints'][s:s + 1],
                        res['keypoints_visible'][s:s + 1])
                    targets.append(enc['heatmaps'])
                    rendered[n, s] = enc['keypoint_weights'].reshape(-1) > 0
            # (n, S + T, 3, H, W), sources first; the model's own data
            # preprocessor does the channel order and normalisation
            inputs = self.model.data_preprocessor(
                dict(inputs=images))['inputs'].to(self.device)
            if inputs.dim() != 5:
                raise TypeError(
                    "the model's data_preprocessor must return (B, F, 3, H, "
                    f'W) inputs (MultiFramePoseDataPreprocessor), got '
                    f'{tuple(inputs.shape)}')
            heatmaps = self.model.neck.heatmaps(
                self.model.backbone(inputs.flatten(0, 1)))
            heatmaps = heatmaps.view(len(idx), num_src + num_dst,
                                     *heatmaps.shape[1:])
            gt = torch.from_numpy(np.stack(targets)).to(heatmaps)
            if gt.shape[1:] != heatmaps.shape[2:]:
                raise ValueError(
                    f'the codec renders heatmaps of shape '
                    f'{tuple(gt.shape[1:])} but the network predicts '
                    f'{tuple(heatmaps.shape[2:])}; check the codec '
                    'heatmap_size and the number of keypoints')
            gt = gt.view(len(idx), num_src, 1, *gt.shape[1:])
            # every (source, target) pair: the target is the reference of
            # its own warp (mmcv's deformable conv needs contiguous inputs)
            shape = (len(idx), num_src, num_dst) + tuple(heatmaps.shape[2:])
            hm_dst = heatmaps[:, None, num_src:].expand(shape)
            hm_src = heatmaps[:, :num_src, None].expand(shape)
            out = self.model.neck.warp(
                hm_dst.flatten(0, 2).contiguous(),
                hm_src.flatten(0, 2).contiguous(),
                source=gt.expand(shape).flatten(0, 2).contiguous())
            warped[idx.start:idx.stop] = out.float().cpu().numpy().reshape(
                shape)
        return warped, crops, rendered

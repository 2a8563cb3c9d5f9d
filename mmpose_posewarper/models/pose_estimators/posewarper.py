"""The PoseWarper multi-frame top-down estimator."""
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import (ConfigType, OptConfigType, OptMultiConfig,
                                 OptSampleList, SampleList)
from torch import Tensor

FROZEN_BN_MODES = ('train', 'eval')


@MODELS.register_module()
class PoseWarper(TopdownPoseEstimator):
    """Top-down pose estimator over several frames of a video.

    `Learning Temporal Pose Estimation from Sparsely-Labeled Videos
    <https://arxiv.org/abs/1906.04016>`_ (NeurIPS 2019).

    Inputs are ``(B, F, 3, H, W)`` crops, frame 0 the reference (labeled)
    frame; each data sample's ``metainfo['frame_weights']`` gives the ``F``
    aggregation weights. The backbone runs on all ``B*F`` frames at once, the
    neck (:class:`PoseWarperWarpingNeck`) turns them into heatmaps, warps every
    frame with a non-zero weight toward frame 0 and sums them with the
    weights; the head (MMPose ``HeatmapHead`` with no deconv and an identity
    final layer) computes the loss against the reference frame's targets and
    decodes keypoints.

    * Training (stage 2): frames ``[ref, sup]``, weights ``(0, 1)``: the
      loss is between the warped supporting heatmap and the labeled frame's
      ground truth (original: lib/core/function.py ``train``).
    * Testing: frames ``[t, t-2, t-1, t+1, t+2]``, weights
      ``(0.3, 0.1, 0.25, 0.25, 0.1)`` (original: lib/models/
      pose_hrnet_PoseAgg.py L630).

    Args:
        backbone (dict): Backbone config (HRNet-W48).
        neck (dict): :class:`PoseWarperWarpingNeck` config.
        head (dict, optional): Head config. Defaults to ``None``.
        train_cfg (dict, optional): Training config. Defaults to ``None``.
        test_cfg (dict, optional): Testing config (``flip_test``,
            ``shift_heatmap``, ``output_heatmaps``). Defaults to ``None``.
        data_preprocessor (dict, optional): Normally
            ``MultiFramePoseDataPreprocessor``. Defaults to ``None``.
        init_cfg (dict, optional): Init config. Defaults to ``None``.
        metainfo (dict, optional): Dataset meta information. Defaults to
            ``None``.
        freeze_backbone (bool): Stage 2: the backbone gets no gradient and
            runs under ``torch.no_grad`` (its activations are not stored).
            Freeze the neck's ``trans_layer`` with the neck's
            ``freeze_trans_layer``. Defaults to ``False``.
        frozen_bn_mode (str): Mode of the frozen backbone's BN layers during
            training. ``'train'`` (default): batch statistics, running stats
            keep updating, as in the original, which freezes only
            ``requires_grad`` and calls ``model.train()`` (original:
            lib/models/pose_hrnet.py L695-722, lib/core/function.py L48).
            ``'eval'``: running statistics, as MMPose 0.x
            (``frozen_stages=4``).
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: ConfigType,
                 head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 metainfo: Optional[dict] = None,
                 freeze_backbone: bool = False,
                 frozen_bn_mode: str = 'train'):
        if frozen_bn_mode not in FROZEN_BN_MODES:
            raise ValueError(f'frozen_bn_mode must be one of {FROZEN_BN_MODES}'
                             f', got {frozen_bn_mode!r}')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        for method in ('heatmaps', 'aggregate'):
            if not callable(getattr(self.neck, method, None)):
                raise TypeError(
                    f'PoseWarper needs a warping neck with `{method}` '
                    f'(e.g. PoseWarperWarpingNeck), got '
                    f'{type(self.neck).__name__}')
        self.freeze_backbone = freeze_backbone
        self.frozen_bn_mode = frozen_bn_mode
        if freeze_backbone and frozen_bn_mode == 'train' and getattr(
                self.backbone, 'frozen_stages', -1) >= 0:
            raise ValueError(
                "frozen_bn_mode='train' conflicts with the backbone's "
                'frozen_stages, which puts its BN layers in eval mode; leave '
                'frozen_stages at -1 and use freeze_backbone=True')
        if freeze_backbone:
            for param in self.backbone.parameters():
                param.requires_grad = False
        # stage-1 / COCO checkpoints keep the heatmap conv in the head
        self._register_load_state_dict_pre_hook(self._head_to_neck_hook)

    @property
    def _heatmaps_frozen(self) -> bool:
        trans_params = list(self.neck.trans_layer.parameters())
        return self.freeze_backbone and not any(p.requires_grad
                                                for p in trans_params)

    def train(self, mode: bool = True) -> 'PoseWarper':
        """Set train mode; with ``frozen_bn_mode='eval'`` the frozen backbone
        stays in eval mode."""
        super().train(mode)
        if mode and self.freeze_backbone and self.frozen_bn_mode == 'eval':
            self.backbone.eval()
        return self

    def frame_weights(self, inputs: Tensor,
                      data_samples: OptSampleList) -> Tensor:
        """``(B, F)`` frame weights from ``metainfo['frame_weights']``.

        Args:
            inputs (Tensor): The ``(B, F, 3, H, W)`` batch.
            data_samples (List[PoseDataSample]): One per sample.

        Returns:
            Tensor: float weights on the inputs' device.
        """
        if inputs.dim() != 5:
            raise ValueError('PoseWarper expects inputs of shape (B, F, 3, H, '
                             f'W), got {tuple(inputs.shape)}; use '
                             'MultiFramePoseDataPreprocessor')
        num_samples, num_frames = inputs.shape[:2]
        if data_samples is None or len(data_samples) != num_samples:
            raise ValueError(
                f'PoseWarper needs one data sample per input ({num_samples}) '
                "with metainfo['frame_weights']")
        rows = []
        for i, sample in enumerate(data_samples):
            if 'frame_weights' not in sample.metainfo:
                raise KeyError(
                    f"data sample {i} has no metainfo['frame_weights']: add "
                    "'frame_weights' to PackPoseInputs' meta_keys")
            row = sample.metainfo['frame_weights']
            if isinstance(row, Tensor):
                row = row.detach().cpu().numpy()
            row = np.asarray(row, dtype=np.float32).reshape(-1)
            if row.size != num_frames:
                raise ValueError(
                    f'data sample {i} has {row.size} frame weights for '
                    f'{num_frames} frames')
            rows.append(row)
        return torch.from_numpy(np.stack(rows)).to(inputs.device)

    def extract_feat(self, inputs: Tensor,
                     frame_weights: Tensor) -> Tuple[Tensor]:
        """Aggregated heatmaps of a multi-frame batch.

        Args:
            inputs (Tensor): ``(B, F, 3, H, W)``, frame 0 the reference.
            frame_weights (Tensor): ``(B, F)``.

        Returns:
            tuple[Tensor]: ``((B, K, h, w),)``, the head's input.
        """
        num_samples, num_frames = inputs.shape[:2]
        if tuple(frame_weights.shape) != (num_samples, num_frames):
            raise ValueError(f'frame_weights of shape '
                             f'{tuple(frame_weights.shape)} for inputs of '
                             f'shape {tuple(inputs.shape)}')
        frames = inputs.flatten(0, 1)
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.freeze_backbone):
            feats = self.backbone(frames)
            with torch.set_grad_enabled(torch.is_grad_enabled()
                                        and not self._heatmaps_frozen):
                heatmaps = self.neck.heatmaps(feats)
        return (self.neck.aggregate(heatmaps, frame_weights), )

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Loss of the aggregated heatmap against the reference frame's
        targets (keypoint MSE with target weights).

        Args:
            inputs (Tensor): ``(B, F, 3, H, W)``.
            data_samples (List[PoseDataSample]): With ``gt_fields.heatmaps``
                and ``metainfo['frame_weights']``.

        Returns:
            dict: Losses (and ``acc_pose``).
        """
        feats = self.extract_feat(inputs,
                                  self.frame_weights(inputs, data_samples))
        losses = dict()
        if self.with_head:
            losses.update(
                self.head.loss(feats, data_samples, train_cfg=self.train_cfg))
        return losses

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Predict the reference frame's keypoints, optionally with flip test
        (``test_cfg['flip_test']``: all frames are flipped, warped and
        aggregated again, then the heatmaps are flipped back and averaged).

        Args:
            inputs (Tensor): ``(B, F, 3, H, W)``.
            data_samples (List[PoseDataSample]): The batch data samples.

        Returns:
            List[PoseDataSample]: With ``pred_instances`` (and
            ``pred_fields`` when ``test_cfg['output_heatmaps']``).
        """
        assert self.with_head, 'PoseWarper needs a head to predict.'
        weights = self.frame_weights(inputs, data_samples)
        if self.test_cfg.get('flip_test', False):
            feats = [
                self.extract_feat(inputs, weights),
                self.extract_feat(inputs.flip(-1), weights)
            ]
        else:
            feats = self.extract_feat(inputs, weights)
        preds = self.head.predict(feats, data_samples, test_cfg=self.test_cfg)
        if isinstance(preds, tuple):
            batch_pred_instances, batch_pred_fields = preds
        else:
            batch_pred_instances, batch_pred_fields = preds, None
        return self.add_pred_to_datasample(batch_pred_instances,
                                           batch_pred_fields, data_samples)

    def forward(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                mode: str = 'tensor'):
        """As :meth:`BasePoseEstimator.forward`, but ``'tensor'`` mode also
        receives ``data_samples``: the frame weights are in their metainfo."""
        if mode == 'tensor':
            if isinstance(inputs, list):
                inputs = torch.stack(inputs)
            return self._forward(inputs, data_samples)
        return super().forward(inputs, data_samples, mode)

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tensor:
        """Aggregated heatmaps ``(B, K, h, w)`` without post-processing."""
        feats = self.extract_feat(inputs,
                                  self.frame_weights(inputs, data_samples))
        return self.head.forward(feats) if self.with_head else feats

    def _head_to_neck_hook(self, state_dict, prefix, local_meta, *args,
                           **kwargs) -> None:
        """Load single-frame top-down checkpoints (stage 1, MMPose's COCO
        HRNet) for stage-2 init: their heatmap conv ``head.final_layer`` is
        this model's ``neck.trans_layer``."""
        if not isinstance(getattr(self.head, 'final_layer', None),
                          nn.Identity):
            return
        src, dst = prefix + 'head.final_layer.', prefix + 'neck.trans_layer.'
        if any(k.startswith(dst) for k in state_dict):
            return
        moved = [k for k in list(state_dict) if k.startswith(src)]
        for key in moved:
            state_dict[dst + key[len(src):]] = state_dict.pop(key)
        if moved:
            print_log(
                f'PoseWarper: loaded {src}* as {dst}* (single-frame '
                'top-down checkpoint)',
                logger='current')

"""PoseWarper's warping module on top of MMPose's ``PoseWarperNeck``."""
from typing import Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmcv.cnn import build_conv_layer
from mmpose.models.necks import PoseWarperNeck
from mmpose.registry import MODELS
from torch import Tensor

Features = Union[Tensor, Sequence[Tensor]]
FrameWeights = Union[Tensor, np.ndarray, Sequence[float],
                     Sequence[Sequence[float]]]


@MODELS.register_module()
class PoseWarperWarpingNeck(PoseWarperNeck):
    """Heatmaps, heatmap warping and temporal aggregation of PoseWarper.

    `Learning Temporal Pose Estimation from Sparsely-Labeled Videos
    <https://arxiv.org/abs/1906.04016>`_ (NeurIPS 2019).

    Reuses MMPose's :class:`PoseWarperNeck` (verified against the original's
    weights) for ``trans_layer`` (the original ``final_layer``),
    ``offset_feats`` (20 BasicBlocks) and ``offset_layers`` (5 dilated 3x3
    convs, no bias), and swaps its hard-coded mmcv ``DeformConv2d`` for the
    layer named by ``deform_conv``. It adds:

    * :meth:`heatmaps`: backbone features -> per-frame heatmaps;
    * :meth:`warp`: the warp of one heatmap toward another (mean over the
      dilations), the unit the cached inference API reuses;
    * :meth:`forward`: per-sample frame weights ``(B, F)``, skipping frames
      whose weight is 0 (training weights are ``(0, 1)``: MMPose's forward
      would warp the reference frame for nothing).

    Args:
        in_channels (int): Backbone channels. Defaults to 48 (HRNet-W48).
        out_channels (int): Heatmap channels (keypoints). Defaults to 17.
        inner_channels (int): Channels of the residual blocks. Defaults to
            128 (original: ``inner_ch = 128``, lib/models/pose_hrnet.py L362).
        deform_groups (int): Offset groups, one per joint. Defaults to 17.
        dilations (Sequence[int]): Dilations of the offset convs and
            deformable convs. Defaults to ``(3, 6, 12, 18, 24)``
            (original: lib/models/pose_hrnet.py L371-382).
        trans_conv_kernel (int): Kernel of ``trans_layer``. Defaults to 1
            (original: ``FINAL_CONV_KERNEL: 1``).
        res_blocks_cfg (dict, optional): ``dict(block='BASIC',
            num_blocks=20)`` when ``None`` (original: L365).
        offsets_kernel (int): Kernel of the offset convs. Defaults to 3.
        deform_conv_kernel (int): Kernel of the deformable convs.
            Defaults to 3.
        in_index (int | Sequence[int]): Which backbone output to use.
            Defaults to 0.
        input_transform (str, optional): See :class:`PoseWarperNeck`.
            Defaults to ``None``.
        freeze_trans_layer (bool): Stop gradients to ``trans_layer``
            (stage 2). Defaults to ``True``.
        norm_eval (bool): Put this neck's BN layers in eval mode during
            training. Defaults to ``False`` (original: they train).
        im2col_step (int): mmcv im2col chunk bound. Defaults to 80.
        deform_conv (dict): Config of the deformable conv layer:
            ``PoseWarperDCNv1`` (default, the original's), ``PoseWarperDCNv2``
            or ``PoseWarperTVDeformConv``. Geometry keys (channels, kernel,
            padding, dilation, groups) are filled in here.
        cpu_pass_bytes (int, optional): Without gradients on CPU, warp as
            many frames at a time as keep one pass's offsets within this
            many bytes (at least one frame), so that the warp's large
            intermediates stay in cache; the values are the same to float
            rounding. ``None`` warps the whole batch at once, as on GPU and
            in training. Defaults to 8 MiB.
    """

    def __init__(self,
                 in_channels: int = 48,
                 out_channels: int = 17,
                 inner_channels: int = 128,
                 deform_groups: int = 17,
                 dilations: Sequence[int] = (3, 6, 12, 18, 24),
                 trans_conv_kernel: int = 1,
                 res_blocks_cfg: Optional[dict] = None,
                 offsets_kernel: int = 3,
                 deform_conv_kernel: int = 3,
                 in_index: Union[int, Sequence[int]] = 0,
                 input_transform: Optional[str] = None,
                 freeze_trans_layer: bool = True,
                 norm_eval: bool = False,
                 im2col_step: int = 80,
                 deform_conv: dict = dict(type='PoseWarperDCNv1'),
                 cpu_pass_bytes: Optional[int] = 8 * 2**20):
        if not dilations:
            raise ValueError('dilations must name at least one dilation')
        if cpu_pass_bytes is not None and cpu_pass_bytes < 1:
            raise ValueError('cpu_pass_bytes must be positive or None, got '
                             f'{cpu_pass_bytes}')
        if deform_conv_kernel % 2 == 0 or offsets_kernel % 2 == 0:
            raise ValueError('offsets_kernel and deform_conv_kernel must be '
                             'odd so that the output keeps the input size')
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            inner_channels=inner_channels,
            deform_groups=deform_groups,
            dilations=tuple(dilations),
            trans_conv_kernel=trans_conv_kernel,
            res_blocks_cfg=res_blocks_cfg,
            offsets_kernel=offsets_kernel,
            deform_conv_kernel=deform_conv_kernel,
            in_index=in_index,
            input_transform=input_transform,
            freeze_trans_layer=freeze_trans_layer,
            norm_eval=norm_eval,
            im2col_step=im2col_step)
        self.deform_conv_cfg = dict(deform_conv)
        self.cpu_pass_bytes = cpu_pass_bytes

        # MMPose builds mmcv DeformConv2d layers here; replace them by the
        # configured layer (same single `weight` parameter, same keys).
        layers = []
        for dilation in self.dilations:
            cfg = dict(self.deform_conv_cfg)
            cfg.update(
                in_channels=out_channels,
                out_channels=out_channels,
                kernel_size=deform_conv_kernel,
                stride=1,
                # original: padding=int(kh/2)*dd, lib/models/pose_hrnet.py
                padding=(deform_conv_kernel // 2) * dilation,
                dilation=dilation,
                deform_groups=deform_groups)
            cfg.setdefault('im2col_step', im2col_step)
            layers.append(MODELS.build(cfg))
        self.deform_conv_layers = nn.ModuleList(layers)

        # The offset convs predict what the deformable convs consume. MMPose
        # sizes them as 2·offsets_kernel²·dg with padding = dilation, which
        # is right only for DCNv1 with 3x3 offset and deformable kernels.
        needed = self.deform_conv_layers[0].offset_channels
        if (self.offset_layers[0].out_channels != needed
                or offsets_kernel != 3):
            self.offset_layers = nn.ModuleList([
                build_conv_layer(
                    cfg=dict(type='Conv2d'),
                    in_channels=inner_channels,
                    out_channels=needed,
                    kernel_size=offsets_kernel,
                    stride=1,
                    # original: padding=(1*dd, 1*dd) for its 3x3 offset conv
                    dilation=dilation,
                    padding=(offsets_kernel // 2) * dilation,
                    bias=False) for dilation in self.dilations
            ])

    def init_weights(self) -> None:
        """Original init: convs N(0, 0.001), BN (1, 0), offset convs 0,
        deformable convs identity, hence the identity warp.

        original: lib/models/pose_hrnet.py L695-783. MMPose's
        ``PoseWarperNeck.init_weights`` does the first three; the identity
        is set here because its ``isinstance(m, DeformConv2d)`` test does not
        see our layers.
        """
        super().init_weights()
        for layer in self.deform_conv_layers:
            layer.init_identity()

    def train(self, mode: bool = True) -> 'PoseWarperWarpingNeck':
        """MMPose's ``train`` (re-freezes ``trans_layer``, ``norm_eval``),
        returning ``self`` as ``nn.Module.train`` does."""
        super().train(mode)
        return self

    def heatmaps(self, feats: Features) -> Tensor:
        """Per-frame heatmaps from backbone features (``trans_layer``).

        Args:
            feats (Tensor | Sequence[Tensor]): Backbone output for N frames,
                a tensor ``(N, C, h, w)`` or the backbone's tuple of
                multi-level features (selected by ``in_index``).

        Returns:
            Tensor: Heatmaps ``(N, out_channels, h, w)``.
        """
        if isinstance(feats, tuple):
            feats = list(feats)
        x = self._transform_inputs(feats)
        if not isinstance(x, Tensor):
            raise TypeError('PoseWarperWarpingNeck needs one feature map; '
                            f'input_transform={self.input_transform!r} gave '
                            f'{type(x).__name__}')
        return self.trans_layer(x)

    def warp(self,
             ref_heatmaps: Tensor,
             sup_heatmaps: Tensor,
             source: Optional[Tensor] = None) -> Tensor:
        """Warp ``sup_heatmaps`` (or ``source``) toward ``ref_heatmaps``.

        Offsets come from ``offset_feats(ref - sup)``; each dilation's
        deformable conv samples the source with its offsets and the results
        are averaged (original: ``0.2 * (warped_x1 + ... + warped_x5)``,
        lib/models/pose_hrnet.py L616-668).

        Args:
            ref_heatmaps (Tensor): Heatmaps of the frame to warp toward,
                ``(N, K, h, w)``.
            sup_heatmaps (Tensor): Heatmaps of the supporting frames,
                ``(N, K, h, w)``.
            source (Tensor, optional): The map that is sampled, e.g. a
                labeled frame's ground-truth heatmaps for label propagation
                (the original's ``warping_reverse``). Defaults to
                ``sup_heatmaps``.

        Returns:
            Tensor: The warped map ``(N, K, h, w)``.
        """
        if ref_heatmaps.shape != sup_heatmaps.shape:
            raise ValueError('ref_heatmaps and sup_heatmaps differ in shape: '
                             f'{tuple(ref_heatmaps.shape)} vs '
                             f'{tuple(sup_heatmaps.shape)}')
        if source is None:
            source = sup_heatmaps
        elif source.shape != sup_heatmaps.shape:
            raise ValueError(f'source has shape {tuple(source.shape)}, '
                             f'expected {tuple(sup_heatmaps.shape)}')
        passes = self._cpu_passes(source)
        if passes > 1:
            return torch.cat([
                self._warp(*frames) for frames in zip(
                    ref_heatmaps.tensor_split(passes),
                    sup_heatmaps.tensor_split(passes),
                    source.tensor_split(passes))
            ])
        return self._warp(ref_heatmaps, sup_heatmaps, source)

    def _cpu_passes(self, source: Tensor) -> int:
        """How many passes an inference warp of ``source`` takes on CPU.

        At a batch's size the offsets and sampling grids outgrow the CPU's
        cache and the warp runs memory-bound: passes of about 8 MiB of
        offsets warped about twice as fast (docs/benchmark.md).
        """
        if (self.cpu_pass_bytes is None or torch.is_grad_enabled()
                or source.device.type != 'cpu'):
            return 1
        n, _, h, w = source.shape
        frame_bytes = (self.deform_conv_layers[0].offset_channels * h * w *
                       source.element_size())
        frames_per_pass = max(1, self.cpu_pass_bytes // frame_bytes)
        return -(-n // frames_per_pass)

    def _warp(self, ref_heatmaps: Tensor, sup_heatmaps: Tensor,
              source: Tensor) -> Tensor:
        # mmcv's kernels index raw memory: expanded / strided views must be
        # materialised (a no-op for contiguous tensors)
        source = source.contiguous()
        offset_feats = self.offset_feats(ref_heatmaps - sup_heatmaps)
        warped = 0
        for offset_layer, deform_conv in zip(self.offset_layers,
                                             self.deform_conv_layers):
            warped = warped + deform_conv(source, offset_layer(offset_feats))
        return warped * (1.0 / self.num_offset_layers)

    def forward(self, inputs: Features,
                frame_weights: FrameWeights) -> Tensor:
        """Weighted sum of every frame's heatmap warped toward frame 0.

        Args:
            inputs (Tensor | Sequence[Tensor]): Backbone output for all
                ``B*F`` frames, sample-major (sample 0's F frames first), with
                frame 0 of each sample its reference frame.
            frame_weights (Tensor | array | Sequence): ``(B, F)`` aggregation
                weights, or ``F`` weights shared by all samples. Frames with
                weight 0 are not warped.

        Returns:
            Tensor: ``sum_f w[b, f] * warp(hm[b, 0], hm[b, f])``, shape
            ``(B, K, h, w)``.
        """
        heatmaps = self.heatmaps(inputs)
        return self.aggregate(heatmaps, frame_weights)

    def aggregate(self, heatmaps: Tensor,
                  frame_weights: FrameWeights) -> Tensor:
        """:meth:`forward` from per-frame heatmaps ``(B*F, K, h, w)``."""
        weights = self._weight_matrix(frame_weights, heatmaps)
        num_samples, num_frames = weights.shape
        if heatmaps.size(0) != num_samples * num_frames:
            raise ValueError(
                f'{heatmaps.size(0)} frames do not match frame_weights of '
                f'shape {tuple(weights.shape)} (expected B*F frames)')
        heatmaps = heatmaps.view(num_samples, num_frames, *heatmaps.shape[1:])
        if (weights == 0).all(dim=1).any():
            raise ValueError('every sample needs a frame with non-zero '
                             f'weight, got frame_weights {weights.tolist()}')
        sample_idx, frame_idx = torch.nonzero(weights, as_tuple=True)
        warped = self.warp(heatmaps[sample_idx, 0], heatmaps[sample_idx,
                                                             frame_idx])
        warped = warped * weights[sample_idx, frame_idx].view(-1, 1, 1, 1)
        out = warped.new_zeros((num_samples, ) + warped.shape[1:])
        return out.index_add(0, sample_idx, warped)

    @staticmethod
    def _weight_matrix(frame_weights: FrameWeights,
                       heatmaps: Tensor) -> Tensor:
        weights = torch.as_tensor(
            np.asarray(frame_weights, dtype=np.float32)
            if not isinstance(frame_weights, Tensor) else frame_weights,
            dtype=heatmaps.dtype,
            device=heatmaps.device)
        if weights.dim() == 1:
            # one weight per frame shared by the batch, as MMPose 0.x's neck
            num_frames = weights.numel()
            if num_frames == 0 or heatmaps.size(0) % num_frames:
                raise ValueError(f'{heatmaps.size(0)} frames cannot be split '
                                 f'into samples of {num_frames} frames')
            weights = weights.expand(heatmaps.size(0) // num_frames, -1)
        if weights.dim() != 2:
            raise ValueError('frame_weights must have shape (B, F) or (F,), '
                             f'got {tuple(weights.shape)}')
        return weights

    def extra_repr(self) -> str:
        return (f'dilations={tuple(self.dilations)}, '
                f"deform_conv={self.deform_conv_cfg['type']}")


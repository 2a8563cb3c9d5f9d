"""Inference-only rewrites of a PoseWarper model that keep its results."""
import copy

import torch
import torch.nn as nn
from torch import Tensor


class _ToContiguous(nn.Module):
    """Back to the default (NCHW) memory layout: mmcv's deformable conv
    kernels read raw NCHW memory and reject other layouts."""

    def forward(self, x: Tensor) -> Tensor:
        return x.contiguous()


def optimize_for_inference(model: nn.Module,
                           fuse_bn: bool = True,
                           channels_last: bool = False,
                           inplace: bool = False) -> nn.Module:
    """Rewrite a PoseWarper model for faster CPU inference, same results.

    * ``fuse_bn``: in eval mode a BN layer is a fixed per-channel affine
      map, so ``conv -> BN`` equals one conv with rescaled weights and a
      bias. Folding removes a pass over every BN's activations (HRNet and the
      warping module's 20 residual blocks).
    * ``channels_last``: the backbone, the heatmap conv and the warping
      module's offset network run in NHWC memory layout, which oneDNN's CPU
      convolutions often prefer; the heatmaps and offsets are converted back
      to NCHW where the deformable convs read them.

    Results are equal up to float rounding
    (``tools/analysis_tools/benchmark.py`` prints the measured difference;
    ``tests/test_apis`` checks inference with it). The rewritten model
    cannot be trained (its BN layers are gone), hence the copy by default.

    Args:
        model (nn.Module): A PoseWarper model in eval mode, e.g. from
            :func:`init_model`.
        fuse_bn (bool): Fold BN into convs. Defaults to ``True``.
        channels_last (bool): Use the NHWC layout as above. Defaults to
            ``False`` (measure first: not every CPU gains).
        inplace (bool): Rewrite ``model`` itself instead of a deep copy.
            Defaults to ``False``.

    Returns:
        nn.Module: The rewritten model (eval mode), ``cfg`` and
        ``dataset_meta`` kept.
    """
    if model.training:
        raise RuntimeError('optimize_for_inference folds eval-mode BN '
                           'statistics; call model.eval() first')
    from mmcv.cnn import fuse_conv_bn
    if not inplace:
        model = copy.deepcopy(model)
    if fuse_bn:
        # mmcv's pass fuses a BN with the conv registered right before it
        # (conv1/bn1, conv2/bn2 in ResNet blocks, Sequential(conv, BN) in
        # HRNet's transitions and fuse layers and the downsample branches)
        fuse_conv_bn(model)
    if channels_last:
        neck = model.neck
        for part in (model.backbone, neck.trans_layer, neck.offset_feats,
                     neck.offset_layers):
            part.to(memory_format=torch.channels_last)
        # the deformable convs sample the heatmaps with these offsets
        neck.trans_layer = nn.Sequential(neck.trans_layer, _ToContiguous())
        neck.offset_layers = nn.ModuleList(
            nn.Sequential(layer, _ToContiguous())
            for layer in neck.offset_layers)
    return model.eval()

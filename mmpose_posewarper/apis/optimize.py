"""Inference-only rewrites of a PoseWarper model that keep its results."""
import copy

import torch.nn as nn


def optimize_for_inference(model: nn.Module,
                           fuse_bn: bool = True,
                           inplace: bool = False) -> nn.Module:
    """Fold every BatchNorm that follows a conv into the conv's weights.

    In eval mode a BN layer is a fixed per-channel affine map, so
    ``conv -> BN`` equals one conv with rescaled weights and a bias. This
    removes a pass over every BN's activations (HRNet-W48 and the 20 residual
    blocks of the warping module), with results equal up to float rounding
    (``tools/benchmark.py`` prints the measured difference). The folded model
    cannot be trained any more (its BN layers are gone), hence the copy.

    Args:
        model (nn.Module): A model in eval mode, e.g. from :func:`init_model`.
        fuse_bn (bool): Fold BN into convs. Defaults to ``True``.
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
    return model.eval()

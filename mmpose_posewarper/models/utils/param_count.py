"""Parameter counts of a PoseWarper (or single-frame top-down) model."""
from collections import OrderedDict
from typing import Dict, Iterable

import torch.nn as nn

#: the warping module: what stage 2 trains (original: offset_feats,
#: offsets1-5, deform_conv1-5; lib/models/pose_hrnet.py L360-383)
WARPING_PARTS = ('offset_feats', 'offset_layers', 'deform_conv_layers')


def _numel(params: Iterable[nn.Parameter]) -> int:
    return sum(p.numel() for p in params)


def count_parameters(model: nn.Module) -> Dict[str, int]:
    """Parameters per part (BN running statistics are buffers, not counted).

    Args:
        model (nn.Module): A :class:`PoseWarper` or a single-frame MMPose
            ``TopdownPoseEstimator``.

    Returns:
        dict: ``backbone``, ``heatmap_layer`` (the original ``final_layer``:
        ``neck.trans_layer`` or ``head.final_layer``), ``warping`` and its
        parts ``warping.offset_feats``, ``warping.offset_layers``,
        ``warping.deform_conv_layers`` (PoseWarper only), ``other``,
        ``total`` and ``trainable`` (``requires_grad``).
    """
    counts = OrderedDict()
    counts['backbone'] = _numel(model.backbone.parameters())
    neck = getattr(model, 'neck', None)
    head = getattr(model, 'head', None)
    if neck is not None and hasattr(neck, 'trans_layer'):
        counts['heatmap_layer'] = _numel(neck.trans_layer.parameters())
    elif head is not None and hasattr(head, 'final_layer'):
        counts['heatmap_layer'] = _numel(head.final_layer.parameters())
    if neck is not None and all(hasattr(neck, p) for p in WARPING_PARTS):
        parts = {p: _numel(getattr(neck, p).parameters())
                 for p in WARPING_PARTS}
        counts['warping'] = sum(parts.values())
        for name, value in parts.items():
            counts[f'warping.{name}'] = value
    total = _numel(model.parameters())
    counted = sum(v for k, v in counts.items() if '.' not in k)
    counts['other'] = total - counted
    counts['total'] = total
    counts['trainable'] = _numel(p for p in model.parameters()
                                 if p.requires_grad)
    return counts

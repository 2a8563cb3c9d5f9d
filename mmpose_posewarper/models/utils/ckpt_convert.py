"""Key mapping of PoseWarper checkpoints from the original code and MMPose 0.x.

Original checkpoints (facebookresearch/PoseWarper, ``torch.save`` of
``model.state_dict()`` or ``model.module.state_dict()``) are a bare state
dict::

    conv1 bn1 conv2 bn2 layer1 transition1-3 stage2-4   HRNet
    final_layer                                          1x1 conv -> heatmaps
    offset_feats.0-19                                    20 BasicBlocks
    offsets1-5                                           offset convs
    deform_conv1-5                                       deformable convs

(original: lib/models/pose_hrnet.py L289-383). MMPose 0.x prefixes the HRNet
with ``backbone.`` and names the warping part ``neck.trans_layer``,
``neck.offset_feats``, ``neck.offset_layers.k``, ``neck.deform_conv_layers.k``
(mmpose v0.29.0 mmpose/models/necks/posewarper_neck.py), which this package
keeps. Checkpoints without the warping part (stage 1) map to the single-frame
top-down layout (``backbone.*``, ``head.final_layer.*``).
"""
import re
from collections import OrderedDict
from typing import List, Mapping, Tuple

import torch
from torch import Tensor

SOURCES = ('original', 'mmpose0x')

#: top-level module names of the original's HRNet (all go to ``backbone.``)
ORIGINAL_HRNET_PREFIXES = ('conv1', 'bn1', 'conv2', 'bn2', 'layer1',
                           'transition1', 'transition2', 'transition3',
                           'stage2', 'stage3', 'stage4')


class ConversionReport:
    """What a conversion did with each source key.

    Attributes:
        mapped (list[tuple[str, str]]): ``(source, target)`` pairs.
        unmapped (list[str]): Source keys with no target (not written).
        filled (list[str]): Target keys absent from the source that were
            filled in (only BN ``num_batches_tracked`` counters).
        missing (list[str]): Target keys of the model the source lacks.
        unexpected (list[str]): Converted keys the model does not have.
        shape_mismatch (list[str]): ``key: source shape vs model shape``.
    """

    def __init__(self):
        self.mapped: List[Tuple[str, str]] = []
        self.unmapped: List[str] = []
        self.filled: List[str] = []
        self.missing: List[str] = []
        self.unexpected: List[str] = []
        self.shape_mismatch: List[str] = []

    @property
    def ok(self) -> bool:
        """No problem that would break a ``strict=True`` load."""
        return not (self.unmapped or self.missing or self.unexpected
                    or self.shape_mismatch)

    def summary(self) -> str:
        lines = [f'mapped {len(self.mapped)} keys']
        for name in ('unmapped', 'filled', 'missing', 'unexpected',
                     'shape_mismatch'):
            items = getattr(self, name)
            if items:
                lines.append(f'{name} ({len(items)}):')
                lines.extend(f'  {item}' for item in items)
        return '\n'.join(lines)


def extract_state_dict(checkpoint: Mapping) -> 'OrderedDict[str, Tensor]':
    """The state dict inside a checkpoint file's content.

    Accepts a bare state dict, ``{'state_dict': ...}`` (MMPose 0.x/1.x,
    the original's ``checkpoint.pth``) and strips DataParallel's
    ``module.`` prefix (the original trains under ``nn.DataParallel``).
    """
    if not isinstance(checkpoint, Mapping):
        raise TypeError('a checkpoint must be a dict, got a '
                        f'{type(checkpoint).__name__}')
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, Mapping):
        raise TypeError(f'state_dict is a {type(state_dict).__name__}, not a '
                        'dict of tensors')
    out = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(value, Tensor):
            raise TypeError(f'state dict entry {key!r} is a '
                            f'{type(value).__name__}, not a tensor')
        out[key[len('module.'):] if key.startswith('module.') else key] = value
    return out


def _has_warping(keys, source: str) -> bool:
    pattern = (r'^(offset_feats|offsets\d+|deform_conv\d+)\.'
               if source == 'original' else r'^neck\.')
    return any(re.match(pattern, k) for k in keys)


def map_original_key(key: str, warping: bool) -> str:
    """Target key of an original PoseWarper key, or ``''`` if unknown."""
    head = key.split('.', 1)[0]
    if head in ORIGINAL_HRNET_PREFIXES:
        return 'backbone.' + key
    if head == 'final_layer':
        rest = key[len('final_layer'):]
        return ('neck.trans_layer' if warping else 'head.final_layer') + rest
    if head == 'offset_feats':
        return 'neck.' + key
    match = re.match(r'^(offsets|deform_conv)(\d+)(\..+)$', key)
    if match:
        name, index, rest = match.groups()
        if int(index) < 1:
            return ''
        target = 'offset_layers' if name == 'offsets' else 'deform_conv_layers'
        return f'neck.{target}.{int(index) - 1}{rest}'
    return ''


def map_mmpose0x_key(key: str, warping: bool) -> str:
    """Target key of an MMPose 0.x PoseWarper/TopDown key, or ``''``."""
    if key.startswith('backbone.'):
        return key
    if re.match(r'^neck\.(trans_layer|offset_feats|offset_layers|'
                r'deform_conv_layers)\.', key):
        return key
    if key.startswith('keypoint_head.final_layer.') and not warping:
        # TopdownHeatmapSimpleHead without deconv: final_layer.{weight,bias}
        rest = key[len('keypoint_head.final_layer.'):]
        if rest in ('weight', 'bias'):
            return 'head.final_layer.' + rest
    return ''


def convert_state_dict(state_dict: Mapping[str, Tensor], source: str
                       ) -> Tuple['OrderedDict[str, Tensor]', ConversionReport]:
    """Rename the keys of an original or MMPose 0.x state dict.

    Args:
        state_dict (Mapping[str, Tensor]): From :func:`extract_state_dict`.
        source (str): ``'original'`` or ``'mmpose0x'``.

    Returns:
        tuple: The converted state dict (PoseWarper layout when the source
        has the warping part, top-down layout otherwise) and a
        :class:`ConversionReport` with ``mapped`` and ``unmapped`` filled.
    """
    if source not in SOURCES:
        raise ValueError(f'source must be one of {SOURCES}, got {source!r}')
    warping = _has_warping(state_dict.keys(), source)
    mapper = map_original_key if source == 'original' else map_mmpose0x_key
    report = ConversionReport()
    out = OrderedDict()
    for key, value in state_dict.items():
        target = mapper(key, warping)
        if not target:
            report.unmapped.append(key)
            continue
        if target in out:
            raise ValueError(f'two source keys map to {target!r}')
        out[target] = value
        report.mapped.append((key, target))
    return out, report


def check_against(converted: 'OrderedDict[str, Tensor]',
                  model_state: Mapping[str, Tensor],
                  report: ConversionReport) -> 'OrderedDict[str, Tensor]':
    """Compare with a model's ``state_dict()`` and fill BN counters.

    ``num_batches_tracked`` (absent from checkpoints of old PyTorch) is
    filled with 0, the value BatchNorm itself assumes for such files.
    Missing and unexpected keys and shape mismatches are recorded in
    ``report``; nothing is dropped silently.

    Returns:
        OrderedDict: ``converted`` plus the filled counters, in the model's
        key order followed by any unexpected keys.
    """
    out = OrderedDict()
    for key, expected in model_state.items():
        if key in converted:
            value = converted[key]
            if tuple(value.shape) != tuple(expected.shape):
                report.shape_mismatch.append(
                    f'{key}: {tuple(value.shape)} vs model '
                    f'{tuple(expected.shape)}')
            out[key] = value
        elif key.endswith('num_batches_tracked'):
            out[key] = torch.zeros_like(expected)
            report.filled.append(key)
        else:
            report.missing.append(key)
    for key, value in converted.items():
        if key not in model_state:
            report.unexpected.append(key)
            out[key] = value
    return out


def convert_checkpoint(checkpoint: Mapping, source: str,
                       model_state: Mapping[str, Tensor]
                       ) -> Tuple['OrderedDict[str, Tensor]', ConversionReport]:
    """:func:`extract_state_dict`, :func:`convert_state_dict` and
    :func:`check_against` in one call (``report.ok`` tells whether the
    result loads into the model with ``strict=True``)."""
    converted, report = convert_state_dict(
        extract_state_dict(checkpoint), source)
    return check_against(converted, model_state, report), report


def has_warping_part(checkpoint: Mapping, source: str) -> bool:
    """Whether a checkpoint holds the warping module (stage 2)."""
    return _has_warping(extract_state_dict(checkpoint).keys(), source)


__all__ = [
    'ConversionReport', 'SOURCES', 'extract_state_dict', 'convert_state_dict',
    'check_against', 'convert_checkpoint', 'has_warping_part',
    'map_original_key', 'map_mmpose0x_key'
]

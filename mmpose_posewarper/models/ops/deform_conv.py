"""Deformable convolutions for PoseWarper's heatmap warping.

Three interchangeable layers, registered in MMPose's ``MODELS`` so that a
config picks one with ``neck=dict(deform_conv=dict(type=...))``:

* ``PoseWarperDCNv1`` (default): the original's DCNv1 semantics through
  mmcv's compiled ``deform_conv2d``; checkpoint compatible with the original
  and with MMPose 0.x.
* ``PoseWarperDCNv2``: modulated (DCNv2) variant through mmcv's compiled
  ``modulated_deform_conv2d``; the mask is predicted beside the offsets by the
  same offset conv (see :class:`ModulatedDeformConvWarp`).
* ``PoseWarperTVDeformConv``: the same two operations through
  ``torchvision.ops.deform_conv2d``.

All three hold exactly one parameter, ``weight`` of shape
``(out_channels, in_channels, kh, kw)``, like the original ``DeformConv``
(original: lib/deform_conv/modules/deform_conv.py, ``assert not bias``) and
mmcv's ``DeformConv2d``, so state dicts move between them unchanged. The mmcv
layers fall back to torchvision (with a warning, once) when mmcv's compiled op
is missing for the input's device, e.g. a CPU-only mmcv build used on a GPU.
"""
import math
import warnings
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpose.registry import MODELS
from torch import Tensor
from torch.nn.modules.utils import _pair
from torchvision.ops import deform_conv2d as tv_deform_conv2d

try:
    from mmcv.ops import deform_conv2d as mmcv_deform_conv2d
    from mmcv.ops import get_compiling_cuda_version
    from mmcv.ops import modulated_deform_conv2d as mmcv_modulated_deform_conv2d
    HAS_MMCV_OPS = True
except (ImportError, ModuleNotFoundError):  # mmcv-lite: no compiled ops
    HAS_MMCV_OPS = False

IntPair = Union[int, Tuple[int, int]]

_warned_fallback = set()


def mmcv_ops_available(device: torch.device) -> bool:
    """Whether mmcv's compiled deformable conv kernels can run on ``device``.

    Args:
        device (torch.device): The device of the input tensor.

    Returns:
        bool: ``False`` when mmcv has no compiled ops at all, or when the
        tensor is on CUDA but mmcv was built without CUDA kernels.
    """
    if not HAS_MMCV_OPS:
        return False
    if device.type == 'cuda':
        return get_compiling_cuda_version() != 'not available'
    # cpu, and the devices mmcv ships its own kernels for (npu, mlu, musa)
    return True


def _largest_divisor_at_most(n: int, limit: int) -> int:
    """mmcv asserts ``batch % im2col_step == 0``; the step only chunks the
    im2col buffer and does not change the result, so pick one that divides."""
    for step in range(min(n, limit), 0, -1):
        if n % step == 0:
            return step
    return 1


class _DeformConvWarpBase(nn.Module):
    """Common parameter layout and identity init of the warping convs.

    Args:
        in_channels (int): Channels of the warped map (17 heatmaps).
        out_channels (int): Output channels; equal to ``in_channels`` for
            the identity init.
        kernel_size (int | tuple[int, int]): Kernel size. Defaults to 3.
        stride (int | tuple[int, int]): Stride. Defaults to 1.
        padding (int | tuple[int, int]): Zero padding. Defaults to 0.
        dilation (int | tuple[int, int]): Dilation. Defaults to 1.
        deform_groups (int): Offset groups; the original uses one per joint.
            Defaults to 1.
        im2col_step (int): Upper bound of mmcv's im2col chunk. Defaults to
            80 (original: lib/deform_conv/functions/deform_conv.py).
    """

    #: whether forward expects mask logits after the offsets
    modulated = False

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: IntPair = 3,
                 stride: IntPair = 1,
                 padding: IntPair = 0,
                 dilation: IntPair = 1,
                 deform_groups: int = 1,
                 im2col_step: int = 80):
        super().__init__()
        if in_channels % deform_groups:
            raise ValueError(f'in_channels ({in_channels}) must be divisible '
                             f'by deform_groups ({deform_groups})')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.dilation = _pair(dilation)
        self.deform_groups = deform_groups
        self.im2col_step = im2col_step
        # the only parameter, as in the original DeformConv (no bias)
        self.weight = nn.Parameter(
            torch.empty(out_channels, in_channels, *self.kernel_size))
        self.reset_parameters()

    @property
    def kernel_points(self) -> int:
        return self.kernel_size[0] * self.kernel_size[1]

    @property
    def offset_channels(self) -> int:
        """Channels the offset conv must predict for this layer: ``2·dg·kh·kw``
        offsets, plus ``dg·kh·kw`` mask logits when modulated."""
        per_point = 3 if self.modulated else 2
        return per_point * self.deform_groups * self.kernel_points

    def reset_parameters(self) -> None:
        """Uniform init as the original DeformConv.reset_parameters; the
        warping neck overwrites it with :meth:`init_identity`."""
        stdv = 1. / math.sqrt(self.in_channels * self.kernel_points)
        nn.init.uniform_(self.weight, -stdv, stdv)

    @torch.no_grad()
    def init_identity(self) -> None:
        """Weight 1 at the centre tap from channel k to channel k, 0
        elsewhere: with zero offsets the layer returns its input.

        original: lib/models/pose_hrnet.py L736-742 (``filler``).
        """
        if self.in_channels != self.out_channels:
            raise ValueError('identity init needs in_channels == out_channels,'
                             f' got {self.in_channels} -> {self.out_channels}')
        self.weight.zero_()
        kh, kw = self.kernel_size
        idx = torch.arange(self.out_channels, device=self.weight.device)
        self.weight[idx, idx, kh // 2, kw // 2] = 1.0

    def _split(self, offset: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        if offset.dim() != 4 or offset.size(1) != self.offset_channels:
            raise ValueError(
                f'{self.__class__.__name__} expects an offset tensor of shape '
                f'(N, {self.offset_channels}, H, W), got {tuple(offset.shape)}')
        if not self.modulated:
            return offset, None
        num_offsets = 2 * self.deform_groups * self.kernel_points
        # Mask = 2·sigmoid(logit): the offset conv is zero-initialised, so the
        # mask starts at exactly 1 and the warp stays the identity at init
        # (DCNv2's plain sigmoid would start at 0.5 and halve the heatmaps).
        mask = 2.0 * torch.sigmoid(offset[:, num_offsets:])
        return offset[:, :num_offsets].contiguous(), mask.contiguous()

    def _check_input(self, x: Tensor) -> None:
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(
                f'{self.__class__.__name__} expects input of shape '
                f'(N, {self.in_channels}, H, W), got {tuple(x.shape)}')

    def _torchvision(self, x: Tensor, offset: Tensor,
                     mask: Optional[Tensor]) -> Tensor:
        return tv_deform_conv2d(
            x,
            offset,
            self.weight,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            mask=mask)

    def _mmcv(self, x: Tensor, offset: Tensor,
              mask: Optional[Tensor]) -> Tensor:
        if mask is None:
            step = _largest_divisor_at_most(x.size(0), self.im2col_step)
            return mmcv_deform_conv2d(x, offset, self.weight, self.stride,
                                      self.padding, self.dilation, 1,
                                      self.deform_groups, False, step)
        return mmcv_modulated_deform_conv2d(x, offset, mask, self.weight, None,
                                            self.stride, self.padding,
                                            self.dilation, 1,
                                            self.deform_groups)

    def extra_repr(self) -> str:
        return (f'{self.in_channels}, {self.out_channels}, kernel_size='
                f'{self.kernel_size}, stride={self.stride}, padding='
                f'{self.padding}, dilation={self.dilation}, deform_groups='
                f'{self.deform_groups}, modulated={self.modulated}')


class _MMCVDeformConvWarp(_DeformConvWarpBase):
    """mmcv's compiled op, torchvision where mmcv cannot run."""

    def forward(self, x: Tensor, offset: Tensor) -> Tensor:
        """Sample ``x`` at the positions shifted by ``offset``.

        Args:
            x (Tensor): Map to warp, shape (N, in_channels, H, W).
            offset (Tensor): Output of the offset conv, shape
                (N, :attr:`offset_channels`, H_out, W_out); mmcv's layout
                ``[y0, x0, y1, x1, ...]`` per deform group (torchvision uses
                the same), followed by the mask logits when modulated.

        Returns:
            Tensor: Warped map, shape (N, out_channels, H_out, W_out).
        """
        self._check_input(x)
        offset, mask = self._split(offset)
        if mmcv_ops_available(x.device):
            return self._mmcv(x, offset, mask)
        key = (self.__class__.__name__, x.device.type)
        if key not in _warned_fallback:
            _warned_fallback.add(key)
            warnings.warn(
                f'{self.__class__.__name__}: mmcv has no compiled deformable '
                f'conv for device {x.device.type!r}; using torchvision.ops.'
                'deform_conv2d instead (same result, see tests/test_models/'
                'test_ops/test_deform_conv_agreement.py).')
        return self._torchvision(x, offset, mask)


@MODELS.register_module(name='PoseWarperDCNv1')
class DeformConvWarp(_MMCVDeformConvWarp):
    """DCNv1 as in the original PoseWarper (mmcv ``deform_conv2d``).

    See :class:`_DeformConvWarpBase` for the arguments.
    """
    modulated = False


@MODELS.register_module(name='PoseWarperDCNv2')
class ModulatedDeformConvWarp(_MMCVDeformConvWarp):
    """Modulated DCNv2 variant (mmcv ``modulated_deform_conv2d``).

    Not in the original. The offset conv predicts ``3·dg·kh·kw`` channels:
    the first ``2·dg·kh·kw`` are the DCNv1 offsets (same layout, so a DCNv1
    offset conv's weights fill them), the last ``dg·kh·kw`` are mask logits,
    turned into ``mask = 2·sigmoid(logit)`` so that the zero-initialised
    offset conv gives mask 1 and the identity warp at init.

    See :class:`_DeformConvWarpBase` for the arguments.
    """
    modulated = True


class ModulationByArgument(_DeformConvWarpBase):
    """A warping layer of either semantics, chosen by ``modulated``; the
    subclass's :meth:`_sample` computes the deformable conv.

    Args:
        modulated (bool): DCNv2 semantics (mask logits after the offsets, as
            :class:`ModulatedDeformConvWarp`) instead of DCNv1.
            Defaults to ``False``.
        **kwargs: See :class:`_DeformConvWarpBase`.
    """

    def __init__(self, *args, modulated: bool = False, **kwargs):
        # before the base's __init__: the offset channels depend on it
        self.modulated = modulated
        super().__init__(*args, **kwargs)

    def forward(self, x: Tensor, offset: Tensor) -> Tensor:
        """See :meth:`_MMCVDeformConvWarp.forward`."""
        self._check_input(x)
        offset, mask = self._split(offset)
        return self._sample(x, offset, mask)

    def _sample(self, x: Tensor, offset: Tensor,
                mask: Optional[Tensor]) -> Tensor:
        raise NotImplementedError


@MODELS.register_module(name='PoseWarperTVDeformConv')
class TorchvisionDeformConvWarp(ModulationByArgument):
    """``torchvision.ops.deform_conv2d`` with the parameter layout of the
    mmcv layers: a fallback for environments without mmcv's compiled ops.

    See :class:`ModulationByArgument` for the arguments.
    """

    def _sample(self, x: Tensor, offset: Tensor,
                mask: Optional[Tensor]) -> Tensor:
        return self._torchvision(x, offset, mask)

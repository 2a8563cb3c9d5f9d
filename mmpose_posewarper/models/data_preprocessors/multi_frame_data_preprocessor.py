"""Batching and normalisation of multi-frame top-down crops."""
import math
from typing import List, Optional, Sequence, Union

from mmengine.model.utils import stack_batch
from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class MultiFramePoseDataPreprocessor(PoseDataPreprocessor):
    """:class:`PoseDataPreprocessor` for ``(F, 3, H, W)`` samples.

    ``PackPoseInputs`` stacks a sample's frames into an ``(F, 3, H, W)``
    uint8 tensor; MMEngine's ``ImgDataPreprocessor`` only accepts
    ``(3, H, W)`` images. This one converts BGR to RGB and normalises each
    frame, pads ``H, W`` (if ``pad_size_divisor`` asks for it) and stacks the
    batch into ``(B, F, 3, H, W)``. A ``(3, H, W)`` sample is one frame.

    Args:
        mean (Sequence[float], optional): Per-channel mean (after the
            channel conversion). Defaults to ``None``.
        std (Sequence[float], optional): Per-channel std. Defaults to
            ``None``.
        pad_size_divisor (int): Pad ``H, W`` to a multiple of this.
            Defaults to 1.
        pad_value (float | int): Padding value. Defaults to 0.
        bgr_to_rgb (bool): Convert BGR to RGB. Defaults to ``False``.
        rgb_to_bgr (bool): Convert RGB to BGR. Defaults to ``False``.
        non_blocking (bool): Non-blocking device transfer. Defaults to
            ``False``.
        batch_augments (list, optional): Not supported (MMPose's batch
            augmentations are single-frame); must be ``None``.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 pad_size_divisor: int = 1,
                 pad_value: Union[float, int] = 0,
                 bgr_to_rgb: bool = False,
                 rgb_to_bgr: bool = False,
                 non_blocking: Optional[bool] = False,
                 batch_augments: Optional[List[dict]] = None):
        if batch_augments is not None:
            raise ValueError('MultiFramePoseDataPreprocessor does not support '
                             'batch_augments (they are single-frame)')
        super().__init__(
            mean=mean,
            std=std,
            pad_size_divisor=pad_size_divisor,
            pad_value=pad_value,
            bgr_to_rgb=bgr_to_rgb,
            rgb_to_bgr=rgb_to_bgr,
            non_blocking=non_blocking)

    def _frames(self, sample: Tensor) -> Tensor:
        """One sample as normalised float ``(F, 3, H, W)``."""
        if sample.dim() == 3:
            sample = sample.unsqueeze(0)
        if sample.dim() != 4 or sample.size(1) != 3:
            raise ValueError('expected a sample of shape (F, 3, H, W) or '
                             f'(3, H, W), got {tuple(sample.shape)}')
        if self._channel_conversion:
            sample = sample[:, [2, 1, 0]]
        sample = sample.float()
        if self._enable_normalize:
            sample = (sample - self.mean) / self.std
        return sample

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise, pad and stack a batch.

        Args:
            data (dict): ``inputs`` (a list of ``(F, 3, H, W)`` tensors from
                ``pseudo_collate`` or one ``(B, F, 3, H, W)`` tensor) and
                ``data_samples``.
            training (bool): Unused (no batch augmentation).

        Returns:
            dict: ``inputs`` ``(B, F, 3, H, W)`` float and ``data_samples``
            with ``batch_input_shape`` and ``pad_shape`` set.
        """
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, Tensor):
            inputs = list(inputs)
        if not isinstance(inputs, (list, tuple)) or not inputs:
            raise TypeError('inputs must be a non-empty list of tensors or a '
                            f'(B, F, 3, H, W) tensor, got {type(inputs)}')
        frames = [self._frames(sample) for sample in inputs]
        num_frames = {f.size(0) for f in frames}
        if len(num_frames) != 1:
            raise ValueError('all samples of a batch need the same number of '
                             f'frames, got {sorted(num_frames)}')
        # stack_batch pads every dim but the first (frames) at the end
        batch = stack_batch(frames, self.pad_size_divisor, self.pad_value)
        data_samples = data.get('data_samples')
        if data_samples is not None:
            batch_input_shape = tuple(batch.shape[-2:])
            div = self.pad_size_divisor
            for sample, sample_frames in zip(data_samples, frames):
                h, w = sample_frames.shape[-2:]
                sample.set_metainfo({
                    'batch_input_shape': batch_input_shape,
                    'pad_shape': (math.ceil(h / div) * div,
                                  math.ceil(w / div) * div)
                })
        return {'inputs': batch, 'data_samples': data_samples}

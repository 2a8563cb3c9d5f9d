"""Run the model's convolutions in channels-last memory format."""
import torch
from mmengine.hooks import Hook

from mmpose.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's weights to ``torch.channels_last`` before a run.

    Convolutions whose weight is channels-last take oneDNN's (CPU) and
    cuDNN's NHWC kernels and pass the format on to their outputs, which is
    faster for the main job's small HRNet on CPU (docs/benchmark.md). The
    values computed are the same up to float rounding. Parameters keep their identity (``Module.to``
    swaps their data), so an optimizer built before the hook still holds
    them; checkpoints load into them unchanged.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)

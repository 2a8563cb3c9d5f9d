"""Building a PoseWarper model for inference."""
from pathlib import Path
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> nn.Module:
    """:func:`mmpose.apis.init_model` with this package registered and
    MMEngine checkpoints loadable under torch>=2.6.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint to load. Defaults to ``None``
            (the config's initialisation).
        device (str): Device to put the model on. Defaults to ``'cpu'``
            (MMPose defaults to ``'cuda:0'``).
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` and ``dataset_meta``.

    Raises:
        CheckpointError: a local checkpoint is missing, empty, truncated,
            corrupted or not a PyTorch checkpoint (``utils.checkpoint``).
    """
    # registers the models, datasets and transforms the config names
    import mmpose_posewarper  # noqa: F401
    from mmpose.apis import init_model as mmpose_init_model

    from ..utils import allow_mmengine_checkpoints, check_checkpoint_file
    allow_mmengine_checkpoints()
    if checkpoint is not None and '://' not in str(checkpoint):
        # torch does not verify the zip CRCs: a damaged file would load as
        # wrong weights without an error
        check_checkpoint_file(str(checkpoint))
    return mmpose_init_model(
        config, checkpoint=checkpoint, device=device, cfg_options=cfg_options)

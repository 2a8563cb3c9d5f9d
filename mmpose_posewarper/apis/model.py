"""Building a pose model and loading a checkpoint that must fit it.

The one place where the tools, the demo, the benchmarks and the Python API
get a model. MMPose's ``init_model`` loads checkpoints non-strictly: a
checkpoint of another model (e.g. a single-frame stage-1 model where a
PoseWarper is configured) only logs a list of missing keys, and the tool then
runs with random weights. Here a checkpoint that does not hold every weight of
the model, with its shape, is a :class:`CheckpointMismatchError`.
"""
import copy
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log

from ..utils.checkpoint import (CheckpointMismatchError, check_checkpoint_file,
                                checked_weights, load_checkpoint_file)

#: The metainfo of a config that names no dataset: this package's models are
#: PoseTrack18 models (MMPose would fall back to COCO's names and skeleton).
DEFAULT_DATASET_META = dict(from_file='configs/_base_/datasets/posetrack18.py')

__all__ = [
    'init_model', 'load_checked_checkpoint', 'CheckpointMismatchError',
    'DEFAULT_DATASET_META'
]


def _is_remote(checkpoint: str) -> bool:
    return '://' in str(checkpoint)


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               require_warping: bool = False) -> nn.Module:
    """:func:`mmpose.apis.init_model` with this package registered, MMEngine
    checkpoints loadable under torch>=2.6, and the checkpoint checked.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint to load (a path or a URL).
            Defaults to ``None`` (the config's initialisation).
        device (str): Device to put the model on. Defaults to ``'cpu'``
            (MMPose defaults to ``'cuda:0'``).
        cfg_options (dict, optional): Overrides merged into the config.
        require_warping (bool): The model must be a PoseWarper (a neck with
            ``heatmaps`` and ``warp``), as label propagation needs. Checked
            before the checkpoint is loaded. Defaults to False.

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg`` and
        ``dataset_meta`` (from the checkpoint, else the config, else
        PoseTrack18's).

    Raises:
        CheckpointError: a local checkpoint is missing, empty, truncated,
            corrupted or not a PyTorch checkpoint (``utils.checkpoint``).
        CheckpointMismatchError: a weight of the model is not in the
            checkpoint, or has another shape there.
        TypeError: ``require_warping`` and the config builds no PoseWarper.
    """
    # registers the models, datasets and transforms the config names
    import mmpose_posewarper  # noqa: F401
    from mmpose.apis import init_model as mmpose_init_model
    from mmpose.apis.inference import dataset_meta_from_config
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    if checkpoint is not None and not _is_remote(checkpoint):
        # before the model is built: a damaged file is found at once (torch
        # does not verify the zip CRCs, it would load as wrong weights)
        check_checkpoint_file(str(checkpoint))
    if not isinstance(config, Config):
        config = Config.fromfile(config)
    if cfg_options is not None:
        config.merge_from_dict(cfg_options)
    # built on CPU: the checkpoint is loaded (and checked) before any device
    # transfer
    model = mmpose_init_model(config, None, device='cpu')
    if dataset_meta_from_config(config) is None:
        model.dataset_meta = parse_pose_metainfo(dict(DEFAULT_DATASET_META))
    neck = getattr(model, 'neck', None)
    if require_warping and not (callable(getattr(neck, 'warp', None))
                                and callable(getattr(neck, 'heatmaps', None))):
        raise TypeError(
            f'label propagation needs a PoseWarper model (a neck with '
            f'heatmaps() and warp()), but the config builds '
            f'{type(model).__name__} with neck {type(neck).__name__}')
    if checkpoint is not None:
        load_checked_checkpoint(model, str(checkpoint))
    model.to(device)
    model.eval()
    return model


def _read_checkpoint(checkpoint: str) -> Any:
    if _is_remote(checkpoint):
        from mmengine.runner.checkpoint import _load_checkpoint

        from ..utils.checkpoint import allow_mmengine_checkpoints
        allow_mmengine_checkpoints()
        return _load_checkpoint(checkpoint, map_location='cpu')
    # integrity (zip CRCs) first: a damaged file must not load as weights
    return load_checkpoint_file(checkpoint)


def load_checked_checkpoint(model: nn.Module, checkpoint: str) -> None:
    """Load ``checkpoint`` into ``model``, requiring every weight of the model
    to be in it with the right shape.

    Entries the model does not have are logged and ignored.
    ``model.dataset_meta`` is taken from the checkpoint's meta when present.

    Raises:
        CheckpointError: a missing, empty, truncated or corrupted file, named.
        CheckpointMismatchError: the checkpoint does not fit the model (names
            how many weights are missing or have other shapes, examples).
    """
    ckpt = _read_checkpoint(checkpoint)
    state = checked_weights(ckpt, checkpoint, model)
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        print_log(
            f'checkpoint {checkpoint}: ignored {len(result.unexpected_keys)} '
            f'entries that belong to no weight of {type(model).__name__} '
            f'(e.g. {", ".join(result.unexpected_keys[:3])})',
            logger='current',
            level=30)
    meta = ckpt.get('meta')
    if isinstance(meta, Mapping) and meta.get('dataset_meta'):
        model.dataset_meta = copy.deepcopy(meta['dataset_meta'])

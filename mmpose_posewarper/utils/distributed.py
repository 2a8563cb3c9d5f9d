"""Distributed training on machines without a GPU.

MMEngine's PyTorch launcher always calls ``torch.cuda.set_device`` and wraps
the model in DDP with ``device_ids=[LOCAL_RANK]``; both fail on a CPU-only
machine. Here the process group is started with gloo before the Runner is
built (MMEngine then skips its own ``init_dist``) and DDP is told to wrap a
CPU module. With a GPU nothing is changed, so nccl stays the default.
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log

#: Launchers that start one process per rank.
DISTRIBUTED_LAUNCHERS = ('pytorch', 'slurm', 'mpi')


def use_cpu_distributed(cfg: Config) -> bool:
    """Whether ``cfg`` asks for distributed training on a machine without
    CUDA devices."""
    return (cfg.get('launcher', 'none') in DISTRIBUTED_LAUNCHERS
            and not torch.cuda.is_available())


def setup_cpu_distributed(cfg: Config) -> None:
    """Start a gloo process group and configure DDP for CPU modules.

    Only acts when :func:`use_cpu_distributed` holds. Reads the rank and world
    size from the environment that ``torchrun`` (``--launcher pytorch``) sets.

    Args:
        cfg (Config): The full runner config; ``env_cfg.dist_cfg`` and
            ``model_wrapper_cfg`` are updated in place.
    """
    if not use_cpu_distributed(cfg):
        return
    launcher = cfg.launcher
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without a GPU is not supported; use '
            '`torchrun --nproc_per_node N tools/train.py CONFIG --launcher '
            'pytorch` for multi-process CPU training.')
    missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
               if k not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher pytorch needs the environment variables {missing}: '
            'start the script with torchrun.')
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        kwargs = {k: v for k, v in dist_cfg.items() if k != 'timeout'}
        if 'timeout' in dist_cfg:
            from datetime import timedelta
            kwargs['timeout'] = timedelta(seconds=dist_cfg['timeout'])
        torch_dist.init_process_group(**kwargs)
    wrapper_cfg = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    # DDP rejects device_ids for CPU modules; MMEngine's default sets them.
    wrapper_cfg['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper_cfg
    print_log(
        f'No CUDA device: distributed {launcher} run on CPU with backend '
        f"'{dist_cfg['backend']}' (rank {torch_dist.get_rank()} of "
        f'{torch_dist.get_world_size()})',
        logger='current')

"""Check that data-parallel ranks end training with the same weights."""
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import all_gather, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS


@HOOKS.register_module()
class RankConsistencyHook(Hook):
    """After training, compare every parameter across ranks.

    DDP keeps replicas identical only if every rank applies the same
    averaged gradients; a backend or wrapper misconfiguration shows up as
    diverged weights. The hook gathers all parameters from all ranks and
    raises when any differs by more than ``atol``.

    Args:
        atol (float): Largest allowed absolute difference. Defaults to 0.
        dump_state (bool): Also save each rank's parameters to
            ``work_dir/rank{r}_params.pth`` for inspection. Defaults to False.
    """

    priority = 'VERY_LOW'

    def __init__(self, atol: float = 0.0, dump_state: bool = False) -> None:
        self.atol = atol
        self.dump_state = dump_state

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        params = {
            name: p.detach().cpu()
            for name, p in model.named_parameters()
        }
        if self.dump_state:
            torch.save(params,
                       osp.join(runner.work_dir, f'rank{get_rank()}_params.pth'))
        if get_world_size() == 1:
            return
        flat = torch.cat([p.flatten().float() for p in params.values()])
        gathered = all_gather(flat.to(self._device(model)))
        worst: Optional[float] = None
        for other in gathered[1:]:
            diff = (other.cpu() - gathered[0].cpu()).abs().max().item()
            worst = diff if worst is None else max(worst, diff)
        runner.logger.info(
            f'RankConsistencyHook: {get_world_size()} ranks, '
            f'{flat.numel()} parameters, max |difference| {worst:.3g}')
        if worst > self.atol:
            raise RuntimeError(
                f'ranks ended training with different weights (max '
                f'|difference| {worst:.3g} > {self.atol}): check the '
                'distributed backend and the model wrapper')

    @staticmethod
    def _device(model: torch.nn.Module) -> torch.device:
        # nccl gathers CUDA tensors, gloo CPU tensors: follow the model
        return next(model.parameters()).device

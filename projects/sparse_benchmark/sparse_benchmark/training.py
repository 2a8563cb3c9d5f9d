"""Training and testing the benchmark's models with MMEngine's Runner.

The configs in ``projects/sparse_benchmark/configs/`` name placeholder
paths; the job points them at its output directory here and otherwise runs
them as ``tools/train.py`` / ``tools/test.py`` would.
"""
import os.path as osp
from typing import Any, Dict, Optional, Sequence

import torch
from mmengine.config import Config, ConfigDict
from mmengine.runner import Runner

from mmpose_posewarper.utils import prepare_runtime
from mmpose_posewarper.utils.checkpoint import check_initial_weights


def set_job_torch(threads: int) -> None:
    """Torch as every step of the job runs it: ``threads`` CPU threads
    (fixed per run: the numbers depend on it), and new tensors left
    unfilled in deterministic mode.

    The stage configs train deterministically (``randomness``), which also
    fills every new tensor with NaN to expose reads of uninitialised
    memory: a debugging aid that changes no value and slows the CPU
    training steps (docs/benchmark.md).
    """
    torch.set_num_threads(threads)
    torch.utils.deterministic.fill_uninitialized_memory = False


def _datasets(dataset_cfg: ConfigDict) -> Sequence[ConfigDict]:
    """The leaf dataset configs (the parts of a ConcatDataset)."""
    if dataset_cfg.get('type') == 'ConcatDataset':
        return list(dataset_cfg.datasets)
    return [dataset_cfg]


def stage_config(config: str,
                 work_dir: str,
                 data_root: str,
                 train_ann_files: Sequence[str],
                 test_ann_file: str,
                 val_ann_dir: str,
                 seed: int,
                 load_from: Optional[str] = None,
                 max_iters: Optional[int] = None) -> Config:
    """Load a benchmark config and point it at this run's files.

    Args:
        config (str): Config file of ``projects/sparse_benchmark/configs``.
        work_dir (str): Runner work directory (logs, checkpoints).
        data_root (str): Directory the images' ``file_name`` s are relative
            to (the generated dataset).
        train_ann_files (Sequence[str]): Annotation path of each training
            dataset, in order (one per part of a ConcatDataset; fewer
            train on the first parts only).
        test_ann_file (str): Annotation path of the test dataset.
        val_ann_dir (str): Dense per-video ground truth of the test videos.
        seed (int): ``randomness.seed``.
        load_from (str, optional): Checkpoint to initialise from.
        max_iters (int, optional): Override the training length (and the
            schedule's end with it).

    Returns:
        Config: Ready for :func:`train_stage` / :func:`test_stage`.
    """
    # unformatted: yapf would format each runner's config 3-4 times for
    # its log, dump and checkpoints, 2-3 s a runner (docs/benchmark.md);
    # Config.fromfile ignores its format_python_code for plain configs
    # (MMEngine 0.10), the constructor does not
    loaded = Config.fromfile(config)
    cfg = Config(loaded.to_dict(), cfg_text=loaded.text,
                 filename=loaded.filename,
                 env_variables=loaded.env_variables,
                 format_python_code=False)
    cfg.work_dir = work_dir
    parts = _datasets(cfg.train_dataloader.dataset)
    if len(parts) > len(train_ann_files) and len(train_ann_files) and (
            cfg.train_dataloader.dataset.get('type') == 'ConcatDataset'):
        # the same training on the first datasets only (the augmentation's
        # sparse-only model)
        parts = parts[:len(train_ann_files)]
        cfg.train_dataloader.dataset.datasets = parts
    if len(parts) != len(train_ann_files):
        raise ValueError(f'{config} trains on {len(parts)} datasets, but '
                         f'{len(train_ann_files)} annotation files were given')
    for part, ann_file in zip(parts, train_ann_files):
        part.data_root = data_root
        part.ann_file = ann_file
    cfg.test_dataloader.dataset.data_root = data_root
    cfg.test_dataloader.dataset.ann_file = test_ann_file
    cfg.test_evaluator.ann_dir = val_ann_dir
    cfg.randomness = dict(cfg.get('randomness', {}), seed=seed)
    cfg.load_from = load_from
    if max_iters is not None:
        _set_max_iters(cfg, max_iters)
    cfg.launcher = 'none'
    return cfg


def _set_max_iters(cfg: Config, max_iters: int) -> None:
    """Shorten or lengthen an iteration-based schedule, keeping its shape:
    a warm-up (all schedulers but the last) keeps its length unless that is
    a tenth of the run or more; the last scheduler ends at ``max_iters``."""
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters + 1
    *warmup, last = cfg.param_scheduler
    start = 0
    for sched in warmup:
        sched.end = min(sched.end, max(1, max_iters // 10))
        start = max(start, sched.end)
    last.begin = start if warmup else last.get('begin', 0)
    last.end = max_iters
    if 'T_max' in last:
        last.T_max = max_iters - last.begin
    cfg.default_hooks.checkpoint.interval = max_iters


def train_stage(cfg: Config) -> str:
    """Train with MMEngine's Runner; return the last checkpoint's path."""
    prepare_runtime(cfg)
    runner = Runner.from_cfg(cfg)
    if cfg.get('load_from'):
        # MMEngine would load it non-strictly, NaNs and all
        check_initial_weights(cfg.load_from, runner.model,
                              cfg.get('load_from_new_weights', ()))
    runner.train()
    ckpt = osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    if not osp.isfile(ckpt):
        raise FileNotFoundError(f'training ended without writing {ckpt}')
    return ckpt


def test_stage(cfg: Config, checkpoint: str,
               overrides: Optional[Dict[str, Any]] = None) -> Dict[str, float]:
    """Evaluate ``checkpoint`` on the config's test set (``runner.test``).

    Args:
        cfg (Config): A config from :func:`stage_config`.
        checkpoint (str): Weights to test.
        overrides (dict, optional): ``merge_from_dict`` options, e.g. other
            frame offsets for the test dataset.

    Returns:
        dict: The metrics (``posetrack/AP`` ...).
    """
    cfg = cfg.copy()
    if overrides:
        cfg.merge_from_dict(overrides)
    cfg.load_from = checkpoint
    cfg.resume = False
    # testing needs no optimiser or training data
    cfg.train_dataloader = None
    cfg.train_cfg = None
    cfg.optim_wrapper = None
    cfg.param_scheduler = None
    prepare_runtime(cfg)
    runner = Runner.from_cfg(cfg)
    return dict(runner.test())

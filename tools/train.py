"""Train a PoseWarper (or any MMPose) model from an MMEngine config.

Usage mirrors MMPose's ``tools/train.py``::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]
    torchrun --nproc_per_node 2 tools/train.py CONFIG --launcher pytorch
    mim train mmpose_posewarper CONFIG

On a machine without a GPU the distributed backend switches to gloo and
DDP runs on CPU; with GPUs nothing changes (nccl stays the default).

The checkpoint of ``--resume`` is checked before training: a damaged
(zip CRC), empty or foreign file, one without training state (``meta.epoch``)
or one that does not hold every weight of the configured model (e.g. stage 1
resumed with a stage-2 config) ends the tool with exit code 2 and
``error: --resume: checkpoint PATH: [field: ]problem``.
"""
import argparse
import sys
from typing import List, Optional

from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.runner.checkpoint import find_latest_checkpoint

from mmpose_posewarper.utils import prepare_runtime
from mmpose_posewarper.utils.checkpoint import (CheckpointError,
                                                check_checkpoint_file,
                                                check_checkpoint_fits,
                                                check_initial_weights,
                                                check_training_checkpoint)
from mmpose_posewarper.utils.cli import (add_checkpoint, add_input,
                                         add_output, add_runner_args,
                                         parse_runner_args, run_tool,
                                         set_work_dir)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a pose model')
    add_input(parser, 'config', help='train config file path')
    add_output(parser, '--work-dir', kind='resumable',
               note='MMEngine\'s work dir: logs and checkpoints accumulate '
               '(--resume goes on from them), no set',
               help='the dir to save logs and models')
    add_checkpoint(
        parser, '--resume', kind='training',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CKPT, or without a value from the latest '
        'checkpoint in the work directory')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    add_runner_args(parser, 'train_cfg.max_epochs=2')
    return parse_runner_args(parser, argv)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge CLI arguments into the config (MMPose's rules, except that
    ``--cfg-options`` is applied before ``--no-validate`` so options may
    still name the val settings it removes)."""
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def resume_checkpoint(cfg: Config) -> Optional[str]:
    """The checkpoint ``--resume`` will load (``None`` for a fresh start:
    ``--resume`` without a value and no checkpoint in the work dir)."""
    if not cfg.get('resume'):
        return None
    if cfg.get('load_from'):
        return cfg.load_from
    return find_latest_checkpoint(cfg.work_dir)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    prepare_runtime(cfg)
    resume_from = resume_checkpoint(cfg)
    try:
        start_from = (cfg.load_from if not cfg.get('resume')
                      and cfg.get('load_from')
                      and '://' not in cfg.load_from else None)
        if start_from:
            # the weights a stage starts from (e.g. stage 1 for stage 2)
            check_checkpoint_file(start_from)
        # before anything is built: a damaged, empty or weights-only file
        # is refused with what is wrong (MMEngine would give a bare
        # EOFError/KeyError, or resume from damaged weights without a word)
        shapes = check_training_checkpoint(resume_from) \
            if resume_from else None
        runner = Runner.from_cfg(cfg)
        if shapes is not None:
            check_checkpoint_fits(resume_from, shapes, runner.model)
        if start_from:
            # finite, and a strict fit but where the config says otherwise
            check_initial_weights(start_from, runner.model,
                                  cfg.get('load_from_new_weights', ()))
    except CheckpointError as e:
        where = '--resume' if resume_from else 'load_from'
        print(f'error: {where}: {e}', file=sys.stderr)
        return 2
    runner.train()
    return 0


#: what an interrupted training leaves (run_tool says it)
INTERRUPTED = ('the work dir keeps the checkpoints saved so far; --resume '
               'goes on from the last')

if __name__ == '__main__':
    sys.exit(run_tool(main, interrupted=INTERRUPTED))

"""Evaluate a checkpoint on a config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out metrics.json]
    mim test mmpose_posewarper CONFIG --checkpoint CHECKPOINT

A damaged checkpoint, or one that does not hold every weight of the
configured model (MMEngine would log the missing keys and test random
weights), ends the tool with exit code 2 and ``error: checkpoint PATH: ...``.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile

import mmengine
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmpose_posewarper.utils import check_checkpoint_file, prepare_runtime
from mmpose_posewarper.utils.checkpoint import (CheckpointError,
                                                check_checkpoint_fits,
                                                checkpoint_weight_shapes)
from mmpose_posewarper.utils.cli import (add_runner_args, parse_runner_args,
                                         set_work_dir)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save evaluation logs')
    parser.add_argument('--out', help='file to save the metric results to')
    parser.add_argument(
        '--dump', help='dump predictions to a pickle file (.pkl)')
    add_runner_args(parser, 'test_dataloader.batch_size=1')
    return parse_runner_args(parser)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge CLI arguments into the config (same rules as MMPose)."""
    # missing, empty, truncated or corrupted (zip CRC) files are refused
    # with what is wrong; torch itself would load damaged weights silently
    check_checkpoint_file(args.checkpoint)
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    set_work_dir(cfg, args.work_dir, args.config)
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must name a .pkl file, got {args.dump}')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = [*evaluators, dump_metric]
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


class SaveMetricHook(Hook):
    """Write the test metrics to a file once testing ends."""

    def __init__(self, out_file: str) -> None:
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics=None) -> None:
        if metrics is not None:
            # beside the file, then renamed: never a half-written file
            directory = osp.dirname(osp.abspath(self.out_file))
            os.makedirs(directory, exist_ok=True)
            ext = osp.splitext(self.out_file)[1] or '.json'
            fd, tmp = tempfile.mkstemp(
                prefix=f'.{osp.basename(self.out_file)}.staging-'
                f'{os.getpid()}-',
                suffix='.tmp',
                dir=directory)
            os.close(fd)
            try:
                mmengine.dump(metrics, tmp, file_format=ext[1:])
                os.replace(tmp, self.out_file)
            finally:
                if osp.exists(tmp):
                    os.remove(tmp)


def main() -> int:
    args = parse_args()
    try:
        cfg = merge_args(Config.fromfile(args.config), args)
        prepare_runtime(cfg)
        runner = Runner.from_cfg(cfg)
        check_checkpoint_fits(args.checkpoint,
                              checkpoint_weight_shapes(args.checkpoint),
                              runner.model)
    except CheckpointError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    if args.out:
        runner.register_hook(SaveMetricHook(args.out), 'LOWEST')
    runner.test()
    return 0


if __name__ == '__main__':
    sys.exit(main())

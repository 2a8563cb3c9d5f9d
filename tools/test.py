"""Evaluate a checkpoint on a config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out metrics.json]
    mim test mmpose_posewarper CONFIG --checkpoint CHECKPOINT

A damaged checkpoint, one with NaN or infinite weights, or one that does
not hold every weight of the configured model (MMEngine would log the
missing keys and test random weights), ends the tool with exit code 2 and ``error: checkpoint PATH: ...``.
``--out`` and ``--dump`` are one output set (``utils.output.OutputSet``):
checked first (an existing file is refused unless ``--overwrite``; the
config or checkpoint itself always), written when testing ends; an error or
Ctrl-C leaves neither.
"""
import argparse
import os
import os.path as osp
import sys
from contextlib import ExitStack
from typing import List, Optional

import mmengine
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmpose_posewarper.utils import check_checkpoint_file, prepare_runtime
from mmpose_posewarper.utils.checkpoint import check_initial_weights
from mmpose_posewarper.utils.cli import (add_checkpoint, add_input,
                                         add_output, add_runner_args,
                                         parse_runner_args, run_tool,
                                         set_work_dir)
from mmpose_posewarper.utils.output import OutputSet


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    add_input(parser, 'config', help='test config file path')
    add_checkpoint(parser, 'checkpoint', help='checkpoint file')
    add_output(parser, '--work-dir', kind='resumable',
               note='MMEngine\'s work dir: a log folder per run, no set',
               help='the dir to save evaluation logs')
    add_output(parser, '--out', kind='file',
               help='file to save the metric results to')
    add_output(parser, '--dump', kind='file',
               help='dump predictions to a pickle file (.pkl)')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace an existing --out / --dump file (default: refuse)')
    add_runner_args(parser, 'test_dataloader.batch_size=1')
    args = parse_runner_args(parser, argv)
    if args.dump is not None and not args.dump.endswith(('.pkl', '.pickle')):
        parser.error(f'--dump {args.dump}: must name a .pkl file')
    return args


def merge_args(cfg: Config, args: argparse.Namespace,
               dump: Optional[str] = None) -> Config:
    """Merge CLI arguments into the config (same rules as MMPose);
    ``dump``: where ``DumpResults`` writes (``--dump``'s staged file).
    ``--cfg-options`` is applied first, so that it may name the config's own
    ``test_evaluator`` fields before ``--dump`` makes it a list."""
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    set_work_dir(cfg, args.work_dir, args.config)
    if args.dump is not None:
        dump_metric = dict(type='DumpResults', out_file_path=dump or args.dump)
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = [*evaluators, dump_metric]
    return cfg


class SaveMetricHook(Hook):
    """Write the test metrics to a file once testing ends (a staged file of
    the run's output set: it appears when the run ends)."""

    def __init__(self, out_file: str) -> None:
        self.out_file = out_file

    def after_test_epoch(self, runner, metrics=None) -> None:
        if metrics is not None:
            ext = osp.splitext(self.out_file)[1] or '.json'
            mmengine.dump(metrics, self.out_file, file_format=ext[1:])


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    # missing, empty, truncated or corrupted (zip CRC) files are refused
    # with what is wrong; torch itself would load damaged weights silently
    check_checkpoint_file(args.checkpoint)
    cfg = Config.fromfile(args.config)
    # --out and --dump: checked now (existing, an input), written as one set
    # when testing ends (an error or Ctrl-C leaves neither); only the first
    # rank writes them
    first_rank = int(os.environ.get('RANK', '0')) == 0
    files = [(option, path) for option, path in (('--out', args.out),
                                                 ('--dump', args.dump))
             if path and first_rank]
    outputs = [
        OutputSet(osp.dirname(osp.abspath(path)), names=[osp.basename(path)],
                  overwrite=args.overwrite,
                  inputs=[args.config, args.checkpoint], option=option)
        for option, path in files
    ]
    with ExitStack() as stack:
        staged = {option: stack.enter_context(output).path(
            osp.basename(path)) for output, (option, path) in zip(
                outputs, files)}
        cfg = merge_args(cfg, args, staged.get('--dump'))
        prepare_runtime(cfg)
        runner = Runner.from_cfg(cfg)
        # the one check of the weights a model runs with: finite values
        # (a diverged training's NaN would be scored), every weight of the
        # model with its shape (MMEngine would log the missing ones and
        # test random weights)
        check_initial_weights(args.checkpoint, runner.model)
        if '--out' in staged:
            runner.register_hook(SaveMetricHook(staged['--out']), 'LOWEST')
        runner.test()
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

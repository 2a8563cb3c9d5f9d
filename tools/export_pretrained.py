"""Ship a pretraining run's checkpoint, with its provenance, in the
sparse-benchmark project.

    python tools/export_pretrained.py work_dirs/pretrain_hrnet-small_synthetic-stills_128x96 \
        --command "python tools/generate_synthetic_posetrack.py ..." \
        --command "python tools/train.py projects/sparse_benchmark/configs/pretrain_..." \
        --overwrite   # replaces the shipped checkpoint

Writes ``projects/sparse_benchmark/checkpoints/<name>.pth`` (weights and
dataset meta only: a few MB) and ``<name>.json`` (commands, iterations,
training time, machine, learning curve, val mAP, sha256) as one output set
(an existing one is replaced only with ``--overwrite``); see
:mod:`projects.sparse_benchmark.sparse_benchmark.pretrained`.
"""
import argparse
import json
import os.path as osp
import sys
from typing import List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_posewarper.utils.checkpoint import last_checkpoint  # noqa: E402
from mmpose_posewarper.utils.cli import (add_checkpoint,  # noqa: E402
                                         add_input, add_output,
                                         int_at_least, run_tool)
from mmpose_posewarper.utils.json_file import read_json  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.pretrained import (  # noqa: E402,E501
    CHECKPOINT_DIR, CONTINUES_SCHEMA, PRETRAINED_NAME, export_pretrained,
    learning_curve_markdown)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_input(parser, 'work_dir', kind='dir',
              help='the pretraining run\'s work dir')
    add_checkpoint(parser, '--checkpoint',
                        help='checkpoint to ship (default: the work dir\'s '
                        'last_checkpoint)')
    parser.add_argument('--command', action='append', default=[],
                        help='a command that produced it (repeat, in order)')
    parser.add_argument('--name', default=PRETRAINED_NAME)
    add_output(parser, '--out-dir', kind='files_in', default=CHECKPOINT_DIR,
               help='where <name>.pth and <name>.json go (default: '
               'projects/sparse_benchmark/checkpoints/)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing <name>.pth / <name>.json '
                        '(e.g. the shipped one)')
    parser.add_argument('--log-interval', type=int_at_least(1), default=100,
                        help='the run\'s logger interval')
    parser.add_argument('--notes')
    add_input(parser, '--continues', metavar='JSON', kind='json',
                        note='read whole before the export: it may be the '
                        'provenance the export replaces (same name)',
                        help='provenance of the exported checkpoint the run '
                        'started from (load_from): iterations, curve, time '
                        'and commands then count from its first run')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    checkpoint = args.checkpoint
    if checkpoint is None:
        try:
            checkpoint = last_checkpoint(args.work_dir)
        except FileNotFoundError as e:
            print(f'{e}; pass --checkpoint', file=sys.stderr)
            return 2
    continues = None
    if args.continues:
        # read before the export may overwrite it (same name)
        continues = read_json(args.continues, what='--continues',
                              expect=dict, schema=CONTINUES_SCHEMA)
    provenance = export_pretrained(
        checkpoint, args.work_dir, args.command, name=args.name,
        checkpoint_dir=args.out_dir, log_interval=args.log_interval,
        notes=args.notes, continues=continues, overwrite=args.overwrite)
    print(learning_curve_markdown(provenance['learning_curve']))
    print(json.dumps({k: provenance[k] for k in
                      ('checkpoint', 'sha256', 'iterations', 'val_mAP')}))
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

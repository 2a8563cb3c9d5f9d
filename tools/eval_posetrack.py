"""Evaluate PoseTrack18 predictions with the official PoseTrack AP.

Gives the numbers of ``python -m poseval.evaluate -g GT_DIR/ -p PRED_DIR/ -e``
without poseval. Prints poseval's AP table and, as the last line, one JSON
object with the keys Head, Shou, Elb, Wri, Hip, Knee, Ankl and Total (AP in
percent; null where poseval prints nan).

usage: python tools/eval_posetrack.py GT_DIR PRED_DIR
"""
import argparse
import json
import math
import sys

from mmpose_posewarper.evaluation.functional.posetrack_ap import (
    POSEVAL_GROUPS, evaluate_posetrack_dirs, format_table)
from mmpose_posewarper.utils.cli import add_input


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='PoseTrack multi-person pose estimation AP (equal to '
        'the official poseval evaluateAP)')
    add_input(
        parser, 'gt_dir', kind='json_or_dir',
        help='directory of per-video PoseTrack18 GT files')
    add_input(
        parser, 'pred_dir', kind='json_or_dir',
        help='directory of per-video PoseTrack18 prediction files, named '
        'as the GT files')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        result = evaluate_posetrack_dirs(args.gt_dir, args.pred_dir)
    except (OSError, ValueError) as e:
        # bad directories or malformed files: the message names the file
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'# evaluated frames: {result["num_frames"]}')
    print('Average Precision (AP) metric:')
    print(format_table(result['ap']))
    print('Precision at the lowest score, total: %.1f; recall: %.1f' %
          (result['precision'][-1], result['recall'][-1]))
    summary = {
        key: (None if math.isnan(result[key]) else result[key])
        for key in list(POSEVAL_GROUPS) + ['Total']
    }
    print(json.dumps(summary))
    return 0


if __name__ == '__main__':
    from mmpose_posewarper.utils.cli import run_tool
    sys.exit(run_tool(main))

"""Publish a main-job run: copy its results into docs/results/ and rewrite
README's results table from them.

    python tools/publish_results.py work_dirs/sparse_benchmark
    python tools/publish_results.py --seeds work_dirs/seeds   # --seeds 0 1 2
    python tools/publish_results.py --augmentation-bound work_dirs/seeds

The README table is then exactly the run's ``results.md`` (made from its
``results.json``); ``tests/test_sparse_benchmark/test_report.py`` checks that
README and ``docs/results/`` agree.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmpose_posewarper.sparse_benchmark.augmentation_bound import \
    publish_augmentation_bound  # noqa: E402
from mmpose_posewarper.sparse_benchmark.report import (  # noqa: E402
    publish_results, publish_seeds)
from mmpose_posewarper.utils.cli import run_tool  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('run_dir', help='--out of a finished run')
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        '--seeds', action='store_true',
        help='run_dir is the --out of a finished --seeds run: publish its '
        'seeds.json / seeds.md and README\'s several-seed tables')
    what.add_argument(
        '--augmentation-bound', action='store_true',
        help='publish run_dir\'s augmentation_bound.json / .md '
        '(run_sparse_benchmark.py --augmentation-bound) and README\'s table')
    parser.add_argument('--to', default=osp.join(ROOT, 'docs', 'results'))
    parser.add_argument('--readme', default=osp.join(ROOT, 'README.md'))
    args = parser.parse_args(argv)
    publish = (publish_seeds if args.seeds else publish_augmentation_bound
               if args.augmentation_bound else publish_results)
    for path in publish(args.run_dir, args.to, args.readme):
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

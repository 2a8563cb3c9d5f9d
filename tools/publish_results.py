"""Publish a main-job run: copy its results into docs/results/ and rewrite
README's results table from them.

    python tools/publish_results.py work_dirs/sparse_benchmark
    python tools/publish_results.py --seeds work_dirs/seeds   # --seeds 0 1 2

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

from mmpose_posewarper.sparse_benchmark.report import (  # noqa: E402
    publish_results, publish_seeds)
from mmpose_posewarper.utils.cli import run_tool  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('run_dir', help='--out of a finished run')
    parser.add_argument(
        '--seeds', action='store_true',
        help='run_dir is the --out of a finished --seeds run: publish its '
        'seeds.json / seeds.md and README\'s several-seed tables')
    parser.add_argument('--to', default=osp.join(ROOT, 'docs', 'results'))
    parser.add_argument('--readme', default=osp.join(ROOT, 'README.md'))
    args = parser.parse_args(argv)
    publish = publish_seeds if args.seeds else publish_results
    for path in publish(args.run_dir, args.to, args.readme):
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

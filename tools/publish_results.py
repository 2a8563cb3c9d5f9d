"""Publish a main-job run: copy its results into docs/results/ and rewrite
the tables made from them (README's headline table, the several-seed,
effort and label-budget tables of docs/sparse_benchmark.md).

    python tools/publish_results.py work_dirs/sparse_benchmark
    python tools/publish_results.py --seeds work_dirs/seeds   # --seeds 0 1 2
    python tools/publish_results.py --effort work_dirs/seeds
    python tools/publish_results.py --label-budgets work_dirs/seeds

README's table is then exactly the run's ``results.md`` (made from its
``results.json``), and each table of docs/sparse_benchmark.md is made from
its JSON in docs/results/;
``tests/test_projects/test_sparse_benchmark/test_report.py`` and
``test_seeds.py`` check that they agree.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmpose_posewarper.utils.cli import (add_input,  # noqa: E402
                                         add_output, run_tool)
from projects.sparse_benchmark.sparse_benchmark.effort import \
    publish_effort  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.label_budgets import \
    publish_label_budgets  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.report import (  # noqa: E402
    publish_results, publish_seeds)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_input(parser, 'run_dir', kind='dir', help='--out of a finished run')
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        '--seeds', action='store_true',
        help='run_dir is the --out of a finished --seeds run: publish its '
        'seeds.json / seeds.md and the several-seed tables of --doc')
    what.add_argument(
        '--effort', action='store_true',
        help='publish the effort measurement (run_sparse_benchmark.py '
        '--effort) of run_dir\'s seeds (or of run_dir): '
        'docs/results/effort.json, effort.png and its table in --doc')
    what.add_argument(
        '--label-budgets', action='store_true',
        help='publish the label budgets (run_sparse_benchmark.py '
        '--label-budgets) of run_dir\'s seeds (or of run_dir): '
        'docs/results/label_budgets.json and its table in --doc')
    add_output(parser, '--to', kind='files_in',
               default=osp.join(ROOT, 'docs', 'results'),
               help='where the run\'s files go (default: docs/results/; '
               'its published files are replaced, others kept)')
    add_output(
        parser, '--readme', kind='rewritten', default=osp.join(ROOT, 'README.md'),
        help='the file whose headline results table a run rewrites')
    add_output(
        parser, '--doc', kind='rewritten', default=osp.join(ROOT, 'docs', 'sparse_benchmark.md'),
        help='the file whose several-seed (--seeds), effort (--effort) or '
        'label-budget (--label-budgets) tables are rewritten')
    args = parser.parse_args(argv)
    if args.seeds:
        copied = publish_seeds(args.run_dir, args.to, args.doc)
    elif args.effort:
        copied = publish_effort(args.run_dir, args.to, args.doc)
    elif args.label_budgets:
        copied = publish_label_budgets(args.run_dir, args.to, args.doc)
    else:
        copied = publish_results(args.run_dir, args.to, args.readme)
    for path in copied:
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

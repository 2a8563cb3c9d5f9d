"""The main job: PoseWarper's comparisons on sparsely labeled synthetic
videos, end to end on CPU.

    python tools/run_sparse_benchmark.py --out work_dirs/sparse_benchmark
    python tools/run_sparse_benchmark.py --out /tmp/sb --quick

Generates the videos, trains the single-frame estimator (stage 1) and
PoseWarper (stage 2) on labels kept every 7th frame, compares label
propagation, augmentation and temporal aggregation, and writes
``DIR/results.json``, ``DIR/results.md``, ``DIR/results.png`` and
``DIR/propagation_strip.jpg`` (see ``docs/sparse_benchmark.md``).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_posewarper.sparse_benchmark import (  # noqa: E402
    BenchmarkSettings, run_sparse_benchmark)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--quick', action='store_true',
                        help='small data, 64x48 crops, short training '
                        '(about 3 minutes; for the tests)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch CPU threads (fixed for repeatable runs)')
    parser.add_argument('--workers', type=int, default=2,
                        help='data generator processes')
    parser.add_argument('--device', default=None,
                        help='torch device for propagation (default: cuda '
                        'if available, else cpu)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    run_sparse_benchmark(
        BenchmarkSettings(out_dir=args.out, quick=args.quick, seed=args.seed,
                          threads=args.threads, workers=args.workers,
                          device=args.device))
    return 0


if __name__ == '__main__':
    sys.exit(main())

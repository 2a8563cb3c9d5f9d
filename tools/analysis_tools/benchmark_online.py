"""Online (causal) vs offline aggregation with the main job's trained
models: mAP and time per frame on the val videos, peak RSS on a long clip.

    # after README command 1 (tools/run_sparse_benchmark.py)
    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_online.py
    # + peak RSS per mode on a generated 2000-frame clip
    python tools/generate_synthetic_posetrack.py --out work_dirs/long_clip \\
        --train-videos 0 --val-videos 1 --frames 2000 2000 --size 128 96
    OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_online.py \\
        --long-clip work_dirs/long_clip

Prints a table and, as its last line, one JSON object. What is measured and
how: ``projects/speed_benchmark/speed_benchmark/online.py`` (its docstring).
"""
import os.path as osp
import sys

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmpose_posewarper.utils.cli import run_tool  # noqa: E402
from projects.speed_benchmark.speed_benchmark.online import \
    main  # noqa: E402

if __name__ == '__main__':
    sys.exit(run_tool(main))

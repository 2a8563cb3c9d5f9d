"""Speed of PoseWarper video inference: cached temporal aggregation against
the recompute baseline, on real frames, all measured in one run.

    # HRNet-W48 384x288, 8 frames, 1 thread
    python tools/analysis_tools/benchmark.py
    # tiny HRNet at 64x48, 5 frames, 1 thread
    python tools/analysis_tools/benchmark.py --quick
    python tools/analysis_tools/benchmark.py --help   # every option

Prints a table and, as its last line, one JSON object (``single_frame_s``,
``recompute_s``, ``cached_s``, ``backbone_s``, ``warp_pair_s``,
``peak_rss_mb``, ``dcn_mmcv_s``, ``dcn_torchvision_s`` and more). What is
measured and how: ``projects/speed_benchmark/`` (its README and the
docstring of its ``speed_benchmark`` package).
"""
import os.path as osp
import sys

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmpose_posewarper.utils.cli import run_tool  # noqa: E402
from projects.speed_benchmark.speed_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(run_tool(main))

"""Deprecated: moved to ``tools/analysis_tools/benchmark_online.py``.

This path forwards to it (same arguments, same exit code) for one
release; see docs/changelog.md.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_posewarper.utils.cli import run_moved_script  # noqa: E402

if __name__ == '__main__':
    run_moved_script(__file__)

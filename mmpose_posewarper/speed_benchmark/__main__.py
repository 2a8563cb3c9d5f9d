"""``python -m mmpose_posewarper.speed_benchmark``: the speed benchmark (and
its child processes, ``--method``); see
``tools/analysis_tools/benchmark.py``."""
import sys

from .runner import main

sys.exit(main())

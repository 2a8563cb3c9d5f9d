"""``python -m projects.speed_benchmark.speed_benchmark`` (from the
repository root): the speed benchmark (and its child processes,
``--method``); see ``tools/analysis_tools/benchmark.py``."""
import sys

from .runner import main

sys.exit(main())

"""Speed of PoseWarper video inference: cached temporal aggregation against
the recompute baseline, on real frames, all measured in one run.

    # HRNet-W48 384x288, 8 frames, 1 thread
    python tools/analysis_tools/benchmark.py
    # tiny HRNet at 64x48, 5 frames, 1 thread
    python tools/analysis_tools/benchmark.py --quick

Per output frame, for one person with the same box on every frame of
``../shared/data/posetrack18/videos/000001_mpiinew_test`` (played forward and
back to the requested length):

(a) ``single``: MMPose single-frame top-down (``inference_topdown``) with the
    same HRNet and 1x1 heatmap conv (the stage-1 model);
(b) ``recompute``: :func:`inference_posewarper` with ``use_cache=False``:
    the model's ``test_step`` on 5 crops per frame, as the original;
(c) ``cached``: :func:`inference_posewarper` (the default path), and
    ``cached_opt``: the same on :func:`optimize_for_inference`'s rewrite;
(d) ``backbone`` alone (one crop, heatmap conv included) and ``warp_pair``
    alone (one ``neck.warp``): ``backbone + 4 x warp_pair`` is the floor of
    the exact method.

(a)-(d) are timed *paired*: in one process, frame by frame in turn, so a
shared machine's load hits all of them alike and the ratios hold. Peak RSS
is measured separately, one subprocess per method (``ru_maxrss`` of a
process that builds that model and runs it on the first 6 frames, enough
for the cache to hold a full window; Python, torch and the model included).
Further measurements, each paired with its baseline: candidate speed-ups
below the floor (batched warps, BN folding, channels-last; with their effect
on the results), mmcv's and torchvision's deformable conv at the warping
shapes (forward, forward+backward), and a stage-2 training iteration.
Multiply-accumulates (MACs) of every conv, deformable conv and linear layer
are counted by forward hooks during the timed runs. All models get the same
seeded random weights, scaled like a trained model's, so (b) and (c) are
compared point by point. The last line printed is one JSON object.

Modules: :mod:`.settings` (command line, models, constants), :mod:`.inputs`
(frames and seeded models), :mod:`.meters` (time, MACs, memory),
:mod:`.measurements` (what each child process measures), :mod:`.report`
(summary, table, JSON) and :mod:`.runner` (the parent process).
"""
from .report import summarize
from .runner import main
from .settings import JSON_KEYS, METHODS, parse_args

__all__ = ['main', 'parse_args', 'summarize', 'JSON_KEYS', 'METHODS']

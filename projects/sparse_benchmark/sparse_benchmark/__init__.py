"""The sparse-label benchmark: PoseWarper's comparisons, end to end, on CPU.

``python tools/run_sparse_benchmark.py --out DIR [--quick]`` generates
synthetic PoseTrack18-format videos (:mod:`..synthetic`, the project's
generator), keeps the labels of every 7th frame, trains a small
single-frame top-down estimator on them (stage 1) and PoseWarper's warping
on (labeled, unlabeled) frame pairs (stage 2), then measures, with the
package's (``mmpose_posewarper``) poseval-equivalent PoseTrack AP:

* propagation (val videos, unlabeled frames within ±3 of a labeled frame):
  PoseWarper vs optical flow vs copying the nearest labeled pose vs the
  single-frame estimator run on the unlabeled frame;
* augmentation (the original's protocol): the pretrained estimator
  fine-tuned on one labeled frame per train video vs on it + PoseWarper's
  labels within ±3 vs on it + optical flow's vs on it + the true poses of
  the same people (same iterations), on the val videos;
* aggregation: single-frame inference vs PoseWarper's temporal aggregation
  over 5 frames, on the val videos;
* the domain gap: the pretrained estimator on the val videos imaged and
  dressed as the pretraining stills and as they are.

Modules: :mod:`.data` (generation, sparse labels), :mod:`.training`
(MMEngine Runner per stage), :mod:`.baselines` (flow, copy, single frame),
:mod:`.propagation_eval` (pairs, controls, scoring), :mod:`.report`
(table, plot, picture strip); the job: :mod:`.settings` (what a run does),
:mod:`.run_folder` (its folder, what may be reused), :mod:`.job_log`,
:mod:`.steps` (its steps), :mod:`.run_results` (what it writes at its
end), :mod:`.job` (one seed), :mod:`.seeds` (several);
measurements on top of it: :mod:`.quality` (propagation vs stage-1 quality),
:mod:`.label_budgets` (augmentation at N labeled frames per video),
:mod:`.effort` (a simulated annotator), :mod:`.fusion_sweep` (two-sided
fusion settings).
"""
from .job import run_sparse_benchmark
from .seeds import run_seeds
from .settings import CONFIGS, RESULT_KEYS, BenchmarkSettings
from .steps import SparseBenchmark

__all__ = [
    'CONFIGS', 'RESULT_KEYS', 'BenchmarkSettings', 'SparseBenchmark',
    'run_seeds', 'run_sparse_benchmark'
]

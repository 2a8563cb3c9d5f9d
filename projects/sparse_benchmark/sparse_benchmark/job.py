"""The main job, one seed: :func:`run_sparse_benchmark` claims the run
folder, records the settings and runs :class:`~.steps.SparseBenchmark`'s
steps in order, timed and logged."""
import json
import time
from typing import Any, Dict

import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.apis.model import init_model
from mmpose_posewarper.utils.atomic_file import write_json_atomic

from .job_log import LOGGER, job_log, timed
from .run_folder import claim_run_folder, settings_record
from .run_results import write_run_report
from .settings import BenchmarkSettings
from .steps import SparseBenchmark
from .training import set_job_torch


def run_sparse_benchmark(settings: BenchmarkSettings,
                         overwrite: bool = False) -> Dict[str, Any]:
    """Generate, train, propagate, evaluate; write the results.

    The pretrained checkpoint must fit stage 1's model exactly, with
    finite weights (``CheckpointError`` otherwise). A folder that holds a
    run made with other settings is refused
    (``ValueError`` naming them) unless ``overwrite``, which first removes
    that run's results (its trained stages stay, reused where unchanged):
    results are never left beside the settings of another run.

    Args:
        settings (BenchmarkSettings): What to run and where.
        overwrite (bool): Run into a folder made with other settings.

    Returns:
        dict: The content of ``DIR/results.json``.
    """
    if settings.pretrained is not None:
        # a damaged, foreign or diverged checkpoint is refused before its
        # sha256 is recorded or anything trains on it
        init_model(settings.config('single_frame'), settings.pretrained)
    claim_run_folder(settings, overwrite)
    start = time.perf_counter()
    with job_log(settings.path('benchmark.log')):
        return _run_steps(settings, start)


def _run_steps(settings: BenchmarkSettings, start: float) -> Dict[str, Any]:
    set_job_torch(settings.threads)
    np.random.seed(settings.seed)
    job = SparseBenchmark(settings)
    # what this run did, beside its results
    write_json_atomic(settings.path('settings.json'),
                      settings_record(settings))
    print_log(f'sparse benchmark: {"quick" if settings.quick else "default"} '
              f'run, seed {settings.seed}, device {job.device}, '
              f'{settings.threads} torch threads, out {settings.out_dir}',
              logger=LOGGER)
    steps = [
        ('generate synthetic videos', job.generate),
        ('sparse labels', job.make_labels),
        ('train single-frame estimator (stage 1)', job.train_single_frame),
        ('train PoseWarper (stage 2)', job.train_posewarper),
        ('propagation comparison (val)', job.compare_propagation),
        ('augmentation labels (train)', job.augmentation_labels),
        ('augmentation: train single-frame estimators', job.train_augmented),
        ('evaluate models (val)', job.evaluate_models),
    ]
    for step, fn in steps:
        with timed(step, job.timings):
            fn()
    results = write_run_report(job, time.perf_counter() - start)
    print_log(json.dumps(results), logger=LOGGER)
    return results

"""The job over several seeds: :func:`run_seeds` runs it once per seed and
summarises each number's spread (:func:`spread`)."""
import os.path as osp
from dataclasses import replace
from typing import Any, Dict, Sequence

import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)
from mmpose_posewarper.utils.json_file import read_json

from .job import run_sparse_benchmark
from .report import RESULTS_SCHEMA, flat_numbers, goal_margins, seeds_table
from .run_folder import check_finished_run
from .settings import BenchmarkSettings


def spread(values: Sequence[float]) -> Dict[str, float]:
    """Mean, sample standard deviation (0 for one value), min and max of a
    number over seeds, rounded to 2 decimals."""
    values = np.asarray(values, dtype=np.float64)
    return dict(
        mean=round(float(values.mean()), 2),
        std=round(float(values.std(ddof=1)), 2) if len(values) > 1 else 0.0,
        min=round(float(values.min()), 2),
        max=round(float(values.max()), 2))


def run_seeds(settings: BenchmarkSettings, seeds: Sequence[int],
              overwrite: bool = False) -> Dict[str, Any]:
    """Run the job once per seed (data, training and all) into
    ``DIR/seed_<seed>/`` and summarise: ``DIR/seeds.json`` holds each
    seed's results, its numbers flattened (with each goal's margin,
    :func:`~.report.goal_margins`, as ``goal.<name>``) and, per number,
    the mean, sample standard deviation, min and max; ``DIR/seeds.md`` the
    tables (:func:`~.report.seeds_table`). A seed whose run finished
    (its ``results.json`` exists) is not run again, so an interrupted
    multi-seed run goes on where it stopped; one made with other settings
    or another pretrained checkpoint is refused (``ValueError``) unless
    ``overwrite`` (see :func:`run_sparse_benchmark`).

    Returns:
        dict: The content of ``DIR/seeds.json``.
    """
    per_seed = {}
    for seed in seeds:
        one = replace(settings, seed=seed,
                      out_dir=settings.path(f'seed_{seed}'))
        done = one.path('results.json')
        if osp.isfile(done):
            try:
                check_finished_run(one)
            except ValueError:
                if not overwrite:
                    raise
            else:
                per_seed[seed] = read_json(done, expect=dict,
                                           schema=RESULTS_SCHEMA)
                print_log(f'seed {seed}: reusing the finished run in '
                          f'{one.out_dir}', logger='current')
                continue
        per_seed[seed] = run_sparse_benchmark(one, overwrite)
    numbers = {}
    for seed, r in per_seed.items():
        numbers[seed] = flat_numbers(r)
        numbers[seed].update({f'goal.{name}': margin for name, margin
                              in goal_margins(numbers[seed]).items()})
    names = sorted(set.intersection(*(set(n) for n in numbers.values())))
    summary = {name: spread([numbers[seed][name] for seed in seeds])
               for name in names}
    out = dict(seeds=list(seeds), summary=summary,
               per_seed={str(s): r for s, r in per_seed.items()},
               numbers={str(s): n for s, n in numbers.items()})
    write_json_atomic(settings.path('seeds.json'), out)
    write_text_atomic(settings.path('seeds.md'), seeds_table(out))
    return out

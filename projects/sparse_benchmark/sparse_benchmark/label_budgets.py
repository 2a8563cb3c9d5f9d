"""The augmentation at several label budgets: N labeled frames per train
video (the original's N = 1, 2, 4).

The job trains the augmentation's estimators at one budget
(``BenchmarkSettings.labels_per_video``, 1 by default);
:func:`run_label_budgets` repeats that step on a finished run at each
budget asked for, with the run's trained PoseWarper, and with the sources
of added labels ``--augmentation-labels`` names (e.g. ``optical_flow``
beside the default run's ``posewarper ground_truth``):

    python tools/run_sparse_benchmark.py --out DIR --label-budgets 1 2 4
    python tools/run_sparse_benchmark.py --out DIR --seeds 0 1 2 --label-budgets 1 2 4
    python tools/run_sparse_benchmark.py --out DIR --label-budgets 1 \
        --augmentation-labels posewarper ground_truth optical_flow

Each budget's files, work dirs and markers lie apart
(``DIR/*/<N>_per_video/``), so finished budgets are reused, the run's own
included. ``DIR/label_budgets.json`` holds per budget the manual people and
the augmentation's scores of every source measured so far (a measurement
adds its budgets and sources to the earlier ones of the same run);
``DIR/label_budgets.md`` is its table.
"""
import os.path as osp
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)
from mmpose_posewarper.utils.json_file import json_field, read_json

from .job_log import LOGGER, job_log
from .report import ROWS, seed_runs, write_collected
from .run_folder import (AUGMENTATION_SETTINGS, check_finished_run,
                         check_same_settings, settings_record)
from .run_results import augmentation_results
from .steps import SparseBenchmark
from .training import set_job_torch


def _measure(settings: Any, budget: int) -> Dict[str, Any]:
    one = replace(settings, labels_per_video=budget)
    job = SparseBenchmark(one)
    job.make_labels()
    job.load_trained(('single_frame', 'posewarper'))
    job.augmentation_labels()
    job.train_augmented()
    job.model_scores = {stage: job.score(stage)
                        for stage in job.augmentation_stages()}
    people = job.per_video_people
    scores = augmentation_results(job.model_scores)
    print_log(f'{budget} labeled frame(s) per video, {people} people: ' +
              ', '.join(f'{k} {v:.1f}' for k, v in scores.items()),
              logger=LOGGER)
    return dict(manual_people=people, scores=scores)


def run_label_budgets(settings: Any,
                      budgets: Sequence[int]) -> Dict[str, Any]:
    """The augmentation of the finished run in ``settings.out_dir`` at each
    of ``budgets`` labeled frames per train video.

    Returns:
        dict: The content of ``DIR/label_budgets.json``: ``settings`` and
        ``budgets``: N -> ``manual_people`` and ``scores`` (the keys of
        results.json's ``augmentation``).
    """
    if not budgets or min(budgets) < 1:
        raise ValueError(f'label budgets must be >= 1, got {list(budgets)}')
    # the run's budget and sources need not be those measured here
    check_finished_run(settings, ignore=AUGMENTATION_SETTINGS)
    set_job_torch(settings.threads)
    np.random.seed(settings.seed)
    path = settings.path('label_budgets.json')
    measured: Dict[str, Any] = {}
    if osp.isfile(path):
        # earlier measurements of this run: kept, the new ones added
        done = read_json(path, expect=dict)
        check_same_settings(done.get('settings'), settings, path,
                            ignore=AUGMENTATION_SETTINGS)
        measured = json_field(done, 'budgets', dict, path=path)
    with job_log(settings.path('label_budgets.log')):
        for n in budgets:
            one = _measure(settings, n)
            old = measured.get(str(n), {}).get('scores', {})
            measured[str(n)] = dict(one, scores=dict(old, **one['scores']))
    result = dict(settings=settings_record(settings), budgets=measured)
    write_json_atomic(path, result)
    write_text_atomic(settings.path('label_budgets.md'),
                      budgets_table(budget_rows(result)))
    return result


def budget_rows(result: Mapping[str, Any]
                ) -> List[Tuple[str, int, Mapping[str, float]]]:
    """``(seed, N, scores)`` rows of one or several ``label_budgets.json``
    (a list of them for several seeds)."""
    results = result if isinstance(result, list) else [result]
    return [(str(r['settings']['seed']), int(n), b['scores'])
            for r in results for n, b in sorted(r['budgets'].items(),
                                                 key=lambda kv: int(kv[0]))]


def budgets_table(rows: Sequence[Tuple[str, int, Mapping[str, float]]]
                  ) -> str:
    """Markdown: one row per seed and budget, each augmentation's mAP and
    its gain over the sparse-only estimator."""
    keys = [key for section, key, _ in ROWS if section == 'augmentation'
            and any(key in scores for _, _, scores in rows)]
    head = ['seed', 'labeled frames per video'] + [f'`{k}`' for k in keys]
    head += [f'`{k}` − sparse only' for k in keys if k != 'sparse_only']
    lines = ['| ' + ' | '.join(head) + ' |', '|---|' + '---:|' * (len(head) - 1)]
    for seed, n, scores in rows:
        cells = [f'{scores[k]:.1f}' if k in scores else '-' for k in keys]
        cells += [f'{scores[k] - scores["sparse_only"]:+.1f}'
                  if k in scores else '-' for k in keys if k != 'sparse_only']
        lines.append(f'| {seed} | {n} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


#: markers around the label-budget table in docs/sparse_benchmark.md
DOC_BEGIN = ('<!-- sparse-benchmark-label-budgets: begin '
             '(tools/publish_results.py --label-budgets) -->')
DOC_END = '<!-- sparse-benchmark-label-budgets: end -->'


def published_block(results_dir: str) -> str:
    """The doc block of published label budgets: :func:`budgets_table` of
    ``label_budgets.json`` (seed -> a run's ``label_budgets.json``)."""
    published = read_json(osp.join(results_dir, 'label_budgets.json'),
                          expect=dict)
    return budgets_table(budget_rows(list(published.values())))


def publish_label_budgets(seeds_dir: str, dest: str,
                          doc: Optional[str] = None) -> List[str]:
    """Collect each seed's ``label_budgets.json`` (or ``seeds_dir``'s own)
    into ``dest/label_budgets.json`` and, with ``doc``, rewrite that file's
    label-budget block from it.

    Returns:
        list: The files written.
    """
    runs = seed_runs(seeds_dir, 'label_budgets.json',
                     'tools/run_sparse_benchmark.py --label-budgets')
    measured = {seed: read_json(osp.join(run, 'label_budgets.json'),
                                expect=dict) for seed, run in runs.items()}
    return write_collected(dest, {'label_budgets.json': measured}, doc,
                           budgets_table(budget_rows(list(measured.values()))),
                           (DOC_BEGIN, DOC_END), inputs=list(runs.values()))

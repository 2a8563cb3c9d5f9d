"""What limits augmentation: the same retraining with true labels.

Retraining the single-frame estimator on sparse + PoseWarper-propagated
labels can gain at most what perfect labels of the same people would give.
:func:`run_augmentation_bound` measures that bound on a finished run: it
trains the augmented stage once more (same config, initialisation and
iterations) on the sparse labels + the generator's ground truth of every
person PoseWarper labeled (same frames and track ids, true joints and
visibility) and scores it on the val videos as the job scores its models.

    python tools/run_sparse_benchmark.py --out DIR --augmentation-bound
    python tools/run_sparse_benchmark.py --out DIR --seeds 0 1 2 --augmentation-bound

``DIR/augmentation_bound.json`` holds, per seed, the run's ``sparse_only``
and ``sparse_plus_propagated`` and the new ``sparse_plus_ground_truth``;
``DIR/augmentation_bound.md`` is its table. A run must have finished
(``results.json``) with the same settings; a measured seed is reused.
"""
import json
import os.path as osp
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.logging import print_log

from ..datasets.posetrack_io import load_posetrack_dir, write_json_atomic
from ..utils.atomic_file import write_text_atomic
from . import data as bdata
from .report import copy_and_rewrite
from .steps import (LOGGER, SparseBenchmark, check_finished_run,
                    check_same_settings, job_log, settings_record, spread)
from .training import test_stage, train_stage

Videos = Dict[str, Dict[str, Any]]


def ground_truth_of_propagated(
        propagated: Mapping[str, Mapping[str, Any]],
        gt: Mapping[str, Mapping[str, Any]]) -> Tuple[Videos, int]:
    """The dense ground truth of the people a propagation labeled.

    Propagation carries every person of the labeled frame to its
    neighbours, also to a frame the person is not in (not yet entered, or
    gone): such a person has no ground truth, and perfect labels have no
    person there.

    Args:
        propagated (Mapping): Video name -> propagated video (the job's
            ``propagated_train/annotations``: manual labels plus people
            marked ``is_labeled: false``).
        gt (Mapping): Video name -> densely labeled video (same frames).

    Returns:
        tuple: Video name -> copy of the ground-truth video that keeps only
        the annotations whose ``(image_id, track_id)`` a propagated person
        has; and how many propagated people are not in their frame.

    Raises:
        ValueError: A propagated video has no ground truth.
    """
    out, absent = {}, 0
    for name, video in propagated.items():
        if name not in gt:
            raise ValueError(f'propagated video {name!r} has no ground truth')
        wanted = {(a['image_id'], a['track_id'])
                  for a in video['annotations']
                  if a.get('is_labeled', True) is False}
        kept = [a for a in gt[name]['annotations']
                if (a['image_id'], a['track_id']) in wanted]
        absent += len(wanted) - len(kept)
        out[name] = dict(gt[name], annotations=kept)
    return out, absent


def _measure(settings: Any) -> Dict[str, Any]:
    """The bound of one finished run (``settings.out_dir``): the content of
    its ``augmentation_bound.json``."""
    path = settings.path('augmentation_bound.json')
    if osp.isfile(path):
        with open(path, encoding='utf-8') as f:
            done = json.load(f)
        check_same_settings(done.get('settings'), settings, path)
        print_log(f'augmentation bound: reusing {path}', logger=LOGGER)
        return done
    check_finished_run(settings)
    with open(settings.path('results.json'), encoding='utf-8') as f:
        augmentation = json.load(f)['augmentation']
    torch.set_num_threads(settings.threads)
    np.random.seed(settings.seed)
    job = SparseBenchmark(settings)
    job.make_labels()
    truth, absent = ground_truth_of_propagated(
        load_posetrack_dir(settings.path('propagated_train', 'annotations')),
        job.gt['train'])
    truth_file = settings.path(
        'labels', 'posetrack18_train_ground_truth_of_propagated.json')
    people = bdata.write_coco(truth, truth_file)
    print_log(f'augmentation bound: the ground truth of {people} propagated '
              f'people ({absent} more were propagated to frames they are '
              'not in)', logger=LOGGER)
    cfg = job._stage_cfg('augmented', [job.train_sparse_file, truth_file],
                         load_from=settings.pretrained)
    cfg.work_dir = settings.path('work_dirs', 'augmented_ground_truth')
    score = float(test_stage(cfg, train_stage(cfg))['posetrack/AP'])
    scores = dict(augmentation, sparse_plus_ground_truth=score)
    record = dict(settings=settings_record(settings), people=people,
                  absent_people=absent, scores=scores)
    write_json_atomic(path, record)
    print_log(f'augmentation bound: sparse + ground truth {score:.1f} mAP '
              f'(sparse only {scores["sparse_only"]:.1f}, sparse + '
              f'propagated {scores["sparse_plus_propagated"]:.1f})',
              logger=LOGGER)
    return record


def run_augmentation_bound(settings: Any,
                           seeds: Sequence[int] = ()) -> Dict[str, Any]:
    """Measure the bound on the finished run in ``settings.out_dir`` or, with
    ``seeds``, on each finished ``DIR/seed_<s>`` of :func:`~.steps.run_seeds`.

    Returns:
        dict: The content of ``DIR/augmentation_bound.json`` (with seeds:
        ``per_seed``: seed -> scores; ``summary``: name ->
        :func:`~.steps.spread`; without: ``settings``, ``people``,
        ``absent_people``, ``scores``).
    """
    if not seeds:
        with job_log(settings.path('augmentation_bound.log')):
            result = _measure(settings)
    else:
        per_seed = {}
        for seed in seeds:
            one = replace(settings, seed=seed,
                          out_dir=settings.path(f'seed_{seed}'))
            with job_log(one.path('augmentation_bound.log')):
                per_seed[str(seed)] = _measure(one)['scores']
        summary = {key: spread([s[key] for s in per_seed.values()])
                   for key in per_seed[str(seeds[0])]}
        result = dict(seeds=list(seeds), per_seed=per_seed, summary=summary)
        write_json_atomic(settings.path('augmentation_bound.json'), result)
    write_text_atomic(settings.path('augmentation_bound.md'),
                      bound_table(bound_rows(result)))
    return result


def bound_rows(result: Mapping[str, Any]
               ) -> List[Tuple[str, Mapping[str, float]]]:
    """The table rows of an ``augmentation_bound.json``: one per seed."""
    if 'per_seed' in result:
        return [(f'seed {s}', v) for s, v in result['per_seed'].items()]
    return [(f'seed {result["settings"]["seed"]}', result['scores'])]


#: the table's columns: score key, heading
COLUMNS: Tuple[Tuple[str, str], ...] = (
    ('sparse_only', 'sparse only'),
    ('sparse_plus_propagated', 'sparse + propagated'),
    ('sparse_plus_ground_truth',
     'sparse + ground truth of the propagated people'),
)


def bound_table(rows: Sequence[Tuple[str, Mapping[str, float]]]) -> str:
    """Markdown table: one row per run, each column's mAP, then the two
    margins over sparse only; with several runs a mean ± std row."""
    head = ['run'] + [text for _, text in COLUMNS] + [
        'propagated − sparse only', 'ground truth − sparse only']

    def numbers(s: Mapping[str, float]) -> List[float]:
        return [s[k] for k, _ in COLUMNS] + [
            s['sparse_plus_propagated'] - s['sparse_only'],
            s['sparse_plus_ground_truth'] - s['sparse_only']]

    lines = ['| ' + ' | '.join(head) + ' |',
             '|---|' + '---:|' * (len(head) - 1)]
    table = []
    for label, scores in rows:
        values = numbers(scores)
        table.append(values)
        lines.append(f'| {label} | ' +
                     ' | '.join(f'{v:.1f}' for v in values) + ' |')
    if len(rows) > 1:
        columns = np.array(table).T
        lines.append('| mean ± std | ' + ' | '.join(
            f'{c.mean():.1f} ± {c.std(ddof=1):.1f}' for c in columns) + ' |')
    return '\n'.join(lines) + '\n'


#: README markers around the published bound's table
README_BEGIN = ('<!-- sparse-benchmark-augmentation-bound: begin '
                '(tools/publish_results.py --augmentation-bound) -->')
README_END = '<!-- sparse-benchmark-augmentation-bound: end -->'
PUBLISHED_FILES = ('augmentation_bound.json', 'augmentation_bound.md')


def bound_block(results_dir: str) -> str:
    """The README block of a published bound: :func:`bound_table` of its
    ``augmentation_bound.json``."""
    with open(osp.join(results_dir, 'augmentation_bound.json'),
              encoding='utf-8') as f:
        return bound_table(bound_rows(json.load(f)))


def publish_augmentation_bound(run_dir: str, dest: str,
                               readme: Optional[str] = None) -> List[str]:
    """Copy a measured bound (``augmentation_bound.json`` / ``.md`` of a run
    or of a several-seed run) into ``dest`` and, with ``readme``, rewrite
    that file's bound block from it.

    Returns:
        list: The copied files.
    """
    return copy_and_rewrite(run_dir, dest, PUBLISHED_FILES, readme,
                            bound_block, (README_BEGIN, README_END),
                            'augmentation bound')

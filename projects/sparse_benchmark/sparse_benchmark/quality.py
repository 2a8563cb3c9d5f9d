"""What limits PoseWarper: propagation as a function of the single-frame
estimator's quality.

PoseWarper's offsets come from the difference of the single-frame
estimator's heatmaps of the two frames, so its propagation can only be as
good as those heatmaps let it. For each stage-1 initialisation (pretrained
checkpoints of several strengths, or none), :func:`run_quality_curve`
fine-tunes stage 1 on the sparse labels, scores it on every val frame,
trains stage 2 on top and scores PoseWarper's propagation (total and per
distance to the labeled frame). The baselines that use no model (optical
flow, copying) are scored once, on the same frames.

    python tools/run_sparse_benchmark.py --out DIR --quality none CKPT1 CKPT2

``DIR/quality.json`` holds one entry per initialisation and is rewritten
after each, so an interrupted run goes on with the next missing one (if
it was made with the same settings and stage configs, else it is
refused); ``DIR/quality.md`` is its table. Each point names its own
initialisation, so the job's ``pretrained`` setting is not part of the
curve's settings (a new shipped checkpoint leaves the finished points
valid), while a point is reused only for the same checkpoint bytes.
"""
import os.path as osp
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)
from mmpose_posewarper.utils.json_file import read_json

from .baselines import CopyNearest, OpticalFlowWarp, SingleFrameOnTarget
from .job_log import LOGGER, job_log
from .propagation_eval import (PoseWarperMethod, propagation_pairs,
                               run_propagation, score_by_distance,
                               score_predictions)
from .pretrained import sha256_of
from .run_folder import check_same_settings, settings_record
from .steps import SparseBenchmark
from .training import set_job_torch, test_stage


def _label(checkpoint: Optional[str]) -> str:
    return 'scratch' if checkpoint is None else osp.splitext(
        osp.basename(checkpoint))[0]


def _scores(job: Any, method: Any, pairs: Mapping) -> Dict[str, Any]:
    sparse, gt = job.sparse['val'], job.gt['val']
    progress = ProgressBar(sum(len(v) for v in pairs.values()))
    preds = run_propagation(method, sparse, pairs, job.data_root,
                            progress=progress)
    print()
    return dict(
        total=round(float(score_predictions(preds, gt)['Total']), 1),
        by_distance={
            str(d): round(v, 1)
            for d, v in score_by_distance(preds, gt, pairs).items()
        })


def run_quality_curve(settings: Any,
                      checkpoints: Sequence[Optional[str]]) -> Dict[str, Any]:
    """Propagation mAP per stage-1 initialisation; see the module doc.

    Args:
        settings (BenchmarkSettings): The run (data, seed, stage configs and
            options); its ``pretrained`` is replaced by each checkpoint.
        checkpoints (Sequence): Stage-1 initialisations; ``None`` trains
            stage 1 from random weights.

    Returns:
        dict: The content of ``DIR/quality.json``: ``settings``
        (:func:`~.run_folder.settings_record`), ``baselines`` (method ->
        ``total``, ``by_distance``) and ``points`` (one per checkpoint:
        ``init``, ``checkpoint`` and its ``checkpoint_sha256``,
        ``single_frame_val`` (every val frame), ``single_frame`` and
        ``posewarper`` propagation scores, ``self_posewarper``).
    """
    from mmpose_posewarper.apis.model import init_model
    for checkpoint in checkpoints:
        if checkpoint is not None:
            # a damaged, foreign or diverged checkpoint is refused before
            # the data, the baselines and the points before it (minutes)
            init_model(settings.config('single_frame'), checkpoint)
    set_job_torch(settings.threads)
    np.random.seed(settings.seed)
    with job_log(settings.path('quality.log')):
        # each point replaces the job's stage-1 initialisation with its own
        return _quality_curve(replace(settings, pretrained=None), checkpoints)


def _check_same_checkpoints(done: Mapping[str, Mapping[str, Any]],
                            sha256s: Mapping[Optional[str], Optional[str]],
                            path: str) -> None:
    """Refuse to reuse a finished point for other checkpoint bytes under
    the same label (e.g. ``iter_8000.pth`` of another run)."""
    for checkpoint, sha256 in sha256s.items():
        point = done.get(_label(checkpoint))
        if checkpoint is None or point is None:
            continue
        if point.get('checkpoint_sha256') != sha256:
            raise ValueError(
                f'{path}: point {point["init"]!r} was measured with '
                f'{point["checkpoint"]}, not {checkpoint} (another sha256); '
                'rename the checkpoint or use another --out')


def _quality_curve(settings: Any,
                   checkpoints: Sequence[Optional[str]]) -> Dict[str, Any]:
    path = settings.path('quality.json')
    if osp.isfile(path):
        result = read_json(path, expect=dict)
        # the points measured so far must come from the same data, configs
        # and options as those still to come
        check_same_settings(result.get('settings'), settings, path)
    else:
        result = dict(settings=settings_record(settings), baselines={},
                      points=[])
    done = {p['init']: p for p in result['points']}
    # each file read once: the check and the new points' records share it
    sha256s = {c: None if c is None else sha256_of(c) for c in checkpoints}
    _check_same_checkpoints(done, sha256s, path)
    job = SparseBenchmark(settings)
    job.generate()
    job.make_labels()
    pairs = propagation_pairs(job.sparse['val'], settings.propagate_k)
    if not result['baselines']:
        for method in (OpticalFlowWarp(), CopyNearest()):
            result['baselines'][method.name] = _scores(job, method, pairs)
        write_json_atomic(path, result)
    for checkpoint in checkpoints:
        label = _label(checkpoint)
        if label in done:
            print_log(f'quality: {label} already measured', logger=LOGGER)
            continue
        point = SparseBenchmark(
            replace(settings, pretrained=checkpoint,
                    cfg_options={
                        stage: dict(settings.cfg_options.get(stage, {}),
                                    work_dir=settings.path(
                                        'quality', label, stage))
                        for stage in ('single_frame', 'posewarper')
                    }))
        point.generate()
        point.make_labels()
        point.train_single_frame()
        point.train_posewarper()
        warper = PoseWarperMethod(LabelPropagator(point.load_model('posewarper')))
        self_pairs = propagation_pairs(point.sparse['val'],
                                       settings.propagate_k, to_self=True)
        entry = dict(
            init=label,
            checkpoint=checkpoint,
            checkpoint_sha256=sha256s[checkpoint],
            single_frame_val=round(float(test_stage(
                point.cfg['single_frame'],
                point.ckpt['single_frame'])['posetrack/AP']), 1),
            single_frame=_scores(
                point, SingleFrameOnTarget(point.load_model('single_frame')),
                pairs),
            posewarper=_scores(point, warper, pairs),
            self_posewarper=_scores(point, warper, self_pairs)['total'])
        result['points'].append(entry)
        write_json_atomic(path, result)
        print_log(f'quality {label}: single frame {entry["single_frame_val"]}'
                  f', PoseWarper propagation {entry["posewarper"]["total"]}',
                  logger=LOGGER)
    write_text_atomic(settings.path('quality.md'), quality_table(result))
    return result


def quality_table(result: Mapping[str, Any]) -> str:
    """Markdown table of :func:`run_quality_curve`'s result."""
    distances = sorted({d for p in result['points']
                        for d in p['posewarper']['by_distance']}, key=int)
    head = ['stage-1 init', 'single frame (val, every frame)',
            'PoseWarper propagation'] + [f'PoseWarper ±{d}'
                                         for d in distances]
    lines = ['| ' + ' | '.join(head) + ' |', '|---|' + '---:|' *
             (len(head) - 1)]
    rows: List[List[str]] = []
    # weakest stage 1 first: the rows read as a curve
    for p in sorted(result['points'], key=lambda p: p['single_frame_val']):
        rows.append([f'`{p["init"]}`', f'{p["single_frame_val"]:.1f}',
                     f'{p["posewarper"]["total"]:.1f}'] +
                    [f'{p["posewarper"]["by_distance"].get(d, 0.0):.1f}'
                     for d in distances])
    for name, s in result['baselines'].items():
        rows.append([f'{name} (no model)', '-', f'{s["total"]:.1f}'] +
                    [f'{s["by_distance"].get(d, 0.0):.1f}'
                     for d in distances])
    lines += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(lines) + '\n'

"""Choosing the two-sided fusion by measurement, on train videos.

The two-sided methods' settings (reach of the second source, distance
weights, heatmap- or keypoint-level fusion) are chosen where the job does
not report: on the train videos of a finished run (their dense ground
truth exists; their sparse labels are the ones stage 2 trained on), scored
as the job scores the val videos.

    python tools/run_sparse_benchmark.py --out DIR --fusion-sweep

writes ``DIR/fusion_sweep.json`` and ``fusion_sweep.md``: the mAP of every
setting in :data:`SWEEP` for two-sided PoseWarper and two-sided optical
flow, beside their one-sided rows and interpolation.
"""
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from mmengine.logging import print_log

from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.apis.source_fusion import TwoSidedFusion
from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)

from .baselines import Interpolation, OpticalFlowWarp, TwoSidedKeypoints
from .job_log import LOGGER, job_log
from .propagation_eval import (PoseWarperMethod, TwoSidedPoseWarper,
                               propagation_pairs, run_propagation,
                               run_two_sided, score_by_distance,
                               score_predictions, two_sided_plans)
from .run_folder import check_finished_run
from .steps import SparseBenchmark
from .training import set_job_torch

#: the settings tried: reach of the second source x distance power, and
#: PoseWarper's fusion level
SWEEP = dict(
    second_reach=(None, 5, 4),
    power=(0.0, 1.0, 2.0),
    level=('heatmap', 'keypoint'))


def fusion_settings(method: str,
                    sweep: Mapping[str, Sequence] = SWEEP
                    ) -> List[TwoSidedFusion]:
    """The settings ``sweep`` tries for ``method`` (``posewarper`` tries
    each level, ``optical_flow`` fuses keypoints only)."""
    levels = sweep['level'] if method == 'posewarper' else ('keypoint', )
    return [TwoSidedFusion(second_reach=r, power=p, level=lv)
            for r in sweep['second_reach'] for p in sweep['power']
            for lv in levels]


def label(fusion: TwoSidedFusion) -> str:
    return (f'reach {fusion.second_reach or "any"}, power {fusion.power:g}, '
            f'{fusion.level}')


def run_fusion_sweep(settings: Any, max_videos: int = 12,
                     sweep: Mapping[str, Sequence] = SWEEP) -> Dict[str, Any]:
    """Score every setting of ``sweep`` on the first ``max_videos`` train
    videos of the finished run in ``settings.out_dir``; write
    ``fusion_sweep.json`` and ``fusion_sweep.md`` there.

    Returns:
        dict: ``videos``, ``one_sided`` (method -> mAP), ``interpolation``
        and, per two-sided method, ``[[setting, mAP, by distance], ...]``.
    """
    check_finished_run(settings)
    with job_log(settings.path('fusion_sweep.log')):
        return _run_fusion_sweep(settings, max_videos, sweep)


def _run_fusion_sweep(settings: Any, max_videos: int,
                      sweep: Mapping[str, Sequence]) -> Dict[str, Any]:
    set_job_torch(settings.threads)
    job = SparseBenchmark(settings)
    job.make_labels()
    job.load_trained(('single_frame', 'posewarper'))
    names = sorted(job.sparse['train'])[:max_videos]
    sparse = {n: job.sparse['train'][n] for n in names}
    gt = {n: job.gt['train'][n] for n in names}
    k, root = settings.propagate_k, job.data_root
    pairs = propagation_pairs(sparse, k)
    propagator = LabelPropagator(job.load_model('posewarper'))
    flow = OpticalFlowWarp()

    def scored(preds) -> Tuple[float, Dict[int, float]]:
        return (round(float(score_predictions(preds, gt)['Total']), 2), {
            d: round(v, 2)
            for d, v in score_by_distance(preds, gt, pairs).items()})

    out: Dict[str, Any] = dict(videos=names, one_sided={}, two_sided={})
    for method in (PoseWarperMethod(propagator), flow):
        out['one_sided'][method.name] = scored(
            run_propagation(method, sparse, pairs, root))
    interpolation = Interpolation()
    out['interpolation'] = scored(run_two_sided(
        interpolation, sparse, two_sided_plans(sparse, k, None), root))
    for name in ('posewarper', 'optical_flow'):
        rows = []
        for fusion in fusion_settings(name, sweep):
            method = (TwoSidedPoseWarper(propagator, fusion)
                      if name == 'posewarper' else
                      TwoSidedKeypoints(flow, fusion))
            preds = run_two_sided(method, sparse,
                                  two_sided_plans(sparse, k,
                                                  fusion.second_reach), root)
            total, by_d = scored(preds)
            rows.append([dict(second_reach=fusion.second_reach,
                              power=fusion.power, level=fusion.level),
                         total, by_d])
            print_log(f'fusion sweep, two-sided {name}, {label(fusion)}: '
                      f'{total:.1f} mAP', logger=LOGGER)
        out['two_sided'][name] = rows
    write_json_atomic(settings.path('fusion_sweep.json'), out)
    write_text_atomic(settings.path('fusion_sweep.md'), sweep_table(out))
    print_log('\n' + sweep_table(out), logger=LOGGER)
    return out


def sweep_table(sweep: Dict[str, Any]) -> str:
    """Markdown: every setting's mAP on the train videos, best first."""
    lines = [f'Train videos: {len(sweep["videos"])}.', '',
             '| method | setting | mAP | ±1 | ±2 | ±3 |',
             '|---|---|---:|---:|---:|---:|']

    def cells(by_d):
        return ' | '.join(f'{by_d[d]:.1f}' if d in by_d else '-'
                          for d in (1, 2, 3))

    for name, (total, by_d) in sweep['one_sided'].items():
        by_d = {int(d): v for d, v in by_d.items()}
        lines.append(f'| {name} | one-sided | {total:.1f} | {cells(by_d)} |')
    total, by_d = sweep['interpolation']
    by_d = {int(d): v for d, v in by_d.items()}
    lines.append(f'| interpolation | reach any | {total:.1f} | '
                 f'{cells(by_d)} |')
    for name, rows in sweep['two_sided'].items():
        for setting, total, by_d in sorted(rows, key=lambda r: -r[1]):
            by_d = {int(d): v for d, v in by_d.items()}
            lines.append(f'| two-sided {name} | '
                         f'{label(TwoSidedFusion(**setting))} | '
                         f'{total:.1f} | {cells(by_d)} |')
    return '\n'.join(lines) + '\n'

"""The labeling effort a propagation method saves, measured with a
simulated annotator on the val videos (whose every frame has ground truth).

The annotator labels every ``label_every``-th frame by hand (each placed
joint is one edit); the method propagates those labels to the other frames;
then the annotator reviews frames one at a time, either in the order of the
method's confidence (lowest first: the mean joint score of the frame's
propagated people) or in a random order, and fixes every joint that is
missing or farther from the truth than the PCKh@0.5 threshold (one edit per
joint; a propagated person who is not in the frame costs one edit to
delete). A reviewed frame is labeled: after each batch of reviews the method
propagates again from all labeled frames, so corrections improve their
neighbours. Correct joints are counted over all frames (poseval's 15 joints,
PCKh@0.5, people matched by track id; labeled frames are all correct).
Labeling every frame by hand costs one edit per joint.

    python tools/run_sparse_benchmark.py --out DIR --effort

writes ``DIR/effort.json``, ``effort.md`` (edits to reach 95% and 99%
correct joints per method and order) and ``effort.png`` (edits vs correct
joints) from the finished run's trained models.
"""
import math
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import MMLogger, print_log

from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.apis.propagation_plan import propagation_sources
from mmpose_posewarper.datasets.posetrack_videos import frame_number
from mmpose_posewarper.evaluation.functional.posetrack_ap import (
    DIST_THRESH, POSETRACK18_TO_POSEVAL, head_size)
from mmpose_posewarper.utils.atomic_file import (write_json_atomic,
                                                 write_text_atomic)
from mmpose_posewarper.utils.json_file import read_json

from .baselines import (CopyNearest, Interpolation, OpticalFlowWarp,
                        TwoSidedKeypoints)
from .job_log import LOGGER, job_log
from .propagation_eval import (PoseWarperMethod, TwoSidedPoseWarper,
                               run_two_sided)
from .run_folder import check_finished_run, settings_record
from .steps import SparseBenchmark
from .training import set_job_torch

Videos = Mapping[str, Mapping[str, Any]]
#: the targets of the curve's headline: fractions of correct joints
TARGETS = (0.95, 0.99)


class Truth:
    """The ground truth of one frame, as the annotator checks it.

    Attributes:
        people (dict): track id -> ``(xy (15, 2), has (15,), threshold)``
            in poseval's joints; ``threshold`` is PCKh@0.5 in pixels.
        joints (int): Joints placed in the frame.
    """

    def __init__(self, annotations: Sequence[Mapping[str, Any]],
                 name: str) -> None:
        self.people: Dict[Any, Tuple[np.ndarray, np.ndarray, float]] = {}
        for ann in annotations:
            kp = np.asarray(ann['keypoints'], np.float64)[POSETRACK18_TO_POSEVAL]
            has = ~np.all(kp == 0, axis=1)
            thr = DIST_THRESH * head_size(ann.get('bbox_head'), name)
            self.people[ann['track_id']] = (kp[:, :2], has, thr)
        self.joints = int(sum(has.sum() for _, has, _ in self.people.values()))

    def check(self, predicted: Sequence[Mapping[str, Any]]) -> Tuple[int, int]:
        """Correct joints of ``predicted`` people, and the edits that make
        the frame right (missing or wrong joints, people to delete)."""
        by_track = {p['track_id']: p for p in predicted}
        correct = 0
        for track, (xy, has, thr) in self.people.items():
            pred = by_track.get(track)
            if pred is None:
                continue
            kp = np.asarray(pred['keypoints'], np.float64)[POSETRACK18_TO_POSEVAL]
            placed = kp[:, 2] > 0
            near = np.linalg.norm(kp[:, :2] - xy, axis=1) <= thr
            correct += int((has & placed & near).sum())
        extra = sum(1 for track in by_track if track not in self.people)
        return correct, self.joints - correct + extra


def _logger() -> str:
    """The job's logger inside :func:`run_effort`, else MMEngine's
    current one (the measurement used on its own)."""
    return LOGGER if MMLogger.check_instance_created(LOGGER) else 'current'


def frame_confidence(predicted: Sequence[Mapping[str, Any]]) -> float:
    """The method's confidence in a frame: the mean joint score of its
    propagated people (-1 for a frame without any: reviewed first)."""
    scores = [np.asarray(p['scores'])[np.asarray(p['keypoints'])[:, 2] > 0]
              for p in predicted]
    scores = [s for s in scores if len(s)]
    return float(np.mean(np.concatenate(scores))) if scores else -1.0


class Propagations:
    """A method's propagated people per ``(video, frame, sources)``,
    computed in batches and kept (every review order reuses them). A
    two-sided method (one with a ``fusion``,
    :class:`~mmpose_posewarper.apis.source_fusion.TwoSidedFusion`) takes
    both labeled neighbours within its reach, a one-sided one the
    nearest."""

    def __init__(self, method: Any, videos: Videos, img_root: str,
                 k: int) -> None:
        self.method, self.videos, self.img_root = method, videos, img_root
        self.k = k
        self.cache: Dict[Tuple[str, int, int, Optional[int]], list] = {}

    def plan(self, name: str, labeled: Sequence[int]
             ) -> Dict[int, Tuple[int, Optional[int]]]:
        frames = [frame_number(img) for img in self.videos[name]['images']]
        return propagation_sources(labeled, frames, self.k,
                                   getattr(self.method, 'fusion', None))

    def predict(self, labeled: Mapping[str, Sequence[int]]
                ) -> Dict[str, Dict[int, list]]:
        """Video -> unlabeled frame -> propagated people, from the
        ``labeled`` frames of each video (frames out of reach: none)."""
        plans = {name: self.plan(name, frames)
                 for name, frames in labeled.items()}
        todo = {name: {t: src for t, src in plan.items()
                       if (name, t) + src not in self.cache}
                for name, plan in plans.items()}
        todo = {name: plan for name, plan in todo.items() if plan}
        if todo:
            new = run_two_sided(self.method, self.videos, todo, self.img_root)
            for name, frames in new.items():
                for t, people in frames.items():
                    self.cache[(name, t) + todo[name][t]] = people
        return {name: {t: self.cache[(name, t) + src]
                       for t, src in plan.items()}
                for name, plan in plans.items()}


def simulate(propagations: Propagations, truth: Mapping[str, Dict[int, Truth]],
             label_every: int, order: str, batch: int = 1, seed: int = 0,
             stop_at: float = max(TARGETS)) -> Dict[str, Any]:
    """One annotator's session (see the module docstring).

    Args:
        propagations (Propagations): The method.
        truth (Mapping): Video -> frame -> :class:`Truth`.
        label_every (int): The hand-labeled frames are ``t % label_every
            == 0``.
        order (str): ``'confidence'`` (least confident frame first, as the
            method scores it after the last batch) or ``'random'``.
        batch (int): Frames reviewed between two propagations.
        seed (int): The random order's seed.
        stop_at (float): Stop once this fraction of joints is correct.

    Returns:
        dict: ``curve`` (``[edits, fraction correct]`` after the keyframes
        and after every review), ``edits_to`` (target -> edits, ``None``
        if never reached) and ``reviewed`` frames.
    """
    if order not in ('confidence', 'random'):
        raise ValueError(f"order must be 'confidence' or 'random', got "
                         f'{order!r}')
    if batch < 1:
        raise ValueError(f'batch must be >= 1, got {batch}')
    total = sum(f.joints for frames in truth.values() for f in frames.values())
    labeled = {name: sorted(t for t in frames if t % label_every == 0)
               for name, frames in truth.items()}
    edits = sum(truth[name][t].joints for name, ts in labeled.items()
                for t in ts)
    rng = np.random.default_rng(seed)
    queue = [(name, t) for name in sorted(truth) for t in sorted(truth[name])
             if t % label_every]
    random_order = [queue[i] for i in rng.permutation(len(queue))]

    def state():
        preds = propagations.predict(labeled)
        done = {(name, t) for name, ts in labeled.items() for t in ts}
        correct = {(name, t): (frame.joints if (name, t) in done else
                               frame.check(preds[name].get(t, []))[0])
                   for name in truth for t, frame in truth[name].items()}
        return preds, correct

    preds, correct = state()
    n_correct = sum(correct.values())
    curve = [[edits, n_correct / total]]
    reviewed = 0
    while n_correct < stop_at * total:
        done = {(n, t) for n, ts in labeled.items() for t in ts}
        left = [key for key in (random_order if order == 'random' else queue)
                if key not in done]
        if not left:
            break
        if order == 'confidence':
            left.sort(key=lambda key: frame_confidence(
                preds[key[0]].get(key[1], [])))
        for name, t in left[:batch]:
            frame = truth[name][t]
            edits += frame.check(preds[name].get(t, []))[1]
            n_correct += frame.joints - correct[(name, t)]
            correct[(name, t)] = frame.joints
            labeled[name] = sorted(labeled[name] + [t])
            reviewed += 1
            curve.append([edits, n_correct / total])
            if n_correct >= stop_at * total:
                break
        preds, correct = state()
        n_correct = sum(correct.values())
        curve.append([edits, n_correct / total])
    return dict(curve=curve, reviewed=reviewed,
                edits_to={str(goal): first_edits(curve, goal)
                          for goal in TARGETS})


def first_edits(curve: Sequence[Sequence[float]], goal: float
                ) -> Optional[int]:
    """The fewest edits after which the fraction correct reaches ``goal``
    (``None`` if it never does)."""
    for edits, frac in curve:
        if frac >= goal - 1e-12:
            return int(edits)
    return None


def ground_truth(videos: Videos) -> Dict[str, Dict[int, Truth]]:
    """Video -> frame -> :class:`Truth` of densely labeled ``videos``."""
    out = {}
    for name, video in videos.items():
        people: Dict[Any, list] = {img['id']: [] for img in video['images']}
        for ann in video['annotations']:
            people[ann['image_id']].append(ann)
        out[name] = {frame_number(img): Truth(people[img['id']],
                                              f'{name} frame '
                                              f'{frame_number(img)}')
                     for img in video['images']}
    return out


def measure_effort(methods: Mapping[str, Propagations], gt_videos: Videos,
                   label_every: int, batch: int = 1, seed: int = 0
                   ) -> Dict[str, Any]:
    """:func:`simulate` every method in both orders, and hand labeling.

    Returns:
        dict: ``total_joints``, ``hand`` (target -> edits), and per method
        and order the :func:`simulate` result.
    """
    truth = ground_truth(gt_videos)
    total = sum(f.joints for frames in truth.values() for f in frames.values())
    out: Dict[str, Any] = dict(
        total_joints=total, label_every=label_every, batch=batch,
        hand={str(goal): int(math.ceil(goal * total)) for goal in TARGETS},
        methods={})
    for name, propagations in methods.items():
        out['methods'][name] = {
            order: simulate(propagations, truth, label_every, order,
                            batch=batch, seed=seed)
            for order in ('confidence', 'random')
        }
        print_log(f'effort {name}: ' + ', '.join(
            f'{order} order {int(100 * float(g))}% after '
            f'{r["edits_to"][g]} edits'
            for order, r in out['methods'][name].items()
            for g in r['edits_to']), logger=_logger())
    return out


def effort_table(effort: Mapping[str, Any]) -> str:
    """Markdown: edits to reach each target per method and order, and what
    the confidence order saves against hand labeling every frame."""
    goals = [str(g) for g in TARGETS]
    pct = [f'{float(g) * 100:g}%' for g in goals]
    head = ' | '.join(f'edits to {p} (confidence order)' for p in pct) + \
        ' | ' + ' | '.join(f'edits to {p} (random order)' for p in pct)
    lines = [f'| method | {head} | saved at {pct[0]} vs by hand |',
             '|---|' + '---:|' * (2 * len(goals) + 1)]

    def cell(value):
        return '-' if value is None else f'{value:,}'

    hand = effort['hand']
    for name, orders in effort['methods'].items():
        conf, rand = orders['confidence'], orders['random']
        first = conf['edits_to'][goals[0]]
        saved = ('-' if first is None else
                 f'{100 * (1 - first / hand[goals[0]]):.0f}%')
        lines.append(f'| `{name}` | ' + ' | '.join(
            cell(conf['edits_to'][g]) for g in goals) + ' | ' + ' | '.join(
                cell(rand['edits_to'][g]) for g in goals) + f' | {saved} |')
    lines.append('| label every frame by hand | ' + ' | '.join(
        cell(hand[g]) for g in goals) + ' | ' + ' | '.join(
            cell(hand[g]) for g in goals) + ' | 0% |')
    lines.append('')
    lines.append(f'{effort["total_joints"]:,} joints in the val videos; '
                 f'every {effort["label_every"]}th frame labeled first, '
                 f'propagation rerun after every {effort["batch"]} reviewed '
                 'frames.')
    return '\n'.join(lines) + '\n'


def effort_plot(effort: Mapping[str, Any], path: str) -> None:
    """Edits vs % correct joints, one line per method and order."""
    import matplotlib
    matplotlib.use('Agg')  # files only, no display
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for i, (name, orders) in enumerate(effort['methods'].items()):
        for order, style in (('confidence', '-'), ('random', ':')):
            curve = np.asarray(orders[order]['curve'], np.float64)
            ax.plot(curve[:, 0], 100 * curve[:, 1], style,
                    color=colors[i % len(colors)],
                    label=f'{name} ({order})')
    total = effort['total_joints']
    ax.plot([0, total], [0, 100], '--', color='black',
            label='label every frame by hand')
    for goal in TARGETS:
        ax.axhline(100 * goal, color='gray', lw=0.5)
    ax.set_xlabel('edits (joints placed or fixed)')
    ax.set_ylabel('% correct joints (PCKh@0.5), all val frames')
    ax.set_ylim(50, 100.5)
    ax.set_xlim(0, total)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run_effort(settings: Any, batch: int = 1) -> Dict[str, Any]:
    """The effort of each method on the finished run in
    ``settings.out_dir``; writes ``effort.json``, ``effort.md`` and
    ``effort.png`` there."""
    check_finished_run(settings)
    with job_log(settings.path('effort.log')):
        return _run_effort(settings, batch)


def _run_effort(settings: Any, batch: int) -> Dict[str, Any]:
    set_job_torch(settings.threads)
    job = SparseBenchmark(settings)
    job.make_labels()
    job.load_trained(('single_frame', 'posewarper'))
    propagator = LabelPropagator(job.load_model('posewarper'))
    flow = OpticalFlowWarp()
    gt, root = job.gt['val'], job.data_root
    methods = {
        method.name: Propagations(method, gt, root, settings.propagate_k)
        for method in (
            PoseWarperMethod(propagator),
            TwoSidedPoseWarper(propagator, settings.two_sided_posewarper),
            flow,
            TwoSidedKeypoints(flow, settings.two_sided_optical_flow),
            Interpolation(), CopyNearest())
    }
    effort = measure_effort(methods, gt, settings.label_every, batch=batch,
                            seed=settings.seed)
    effort['settings'] = settings_record(settings)
    write_json_atomic(settings.path('effort.json'), effort)
    table = effort_table(effort)
    write_text_atomic(settings.path('effort.md'), table)
    effort_plot(effort, settings.path('effort.png'))
    print_log('\n' + table, logger=LOGGER)
    return effort


#: markers around the effort tables in docs/sparse_benchmark.md
DOC_BEGIN = ('<!-- sparse-benchmark-effort: begin '
             '(tools/publish_results.py --effort) -->')
DOC_END = '<!-- sparse-benchmark-effort: end -->'


def effort_summary_table(efforts: Mapping[str, Mapping[str, Any]]) -> str:
    """Markdown over seeds (``efforts``: seed -> :func:`measure_effort`
    result): edits to reach each target per method, confidence and random
    order, each seed and the mean, with hand labeling's."""
    seeds = sorted(efforts, key=int)
    methods = list(efforts[seeds[0]]['methods'])
    head = ' | '.join(f'seed {s}' for s in seeds)
    lines = []
    for goal in (str(g) for g in TARGETS):
        pct = f'{float(goal) * 100:g}%'
        lines += [f'| edits to {pct} correct joints | order | {head} | mean |',
                  '|---|---|' + '---:|' * (len(seeds) + 1)]
        for name in methods:
            for order in ('confidence', 'random'):
                values = [efforts[s]['methods'][name][order]['edits_to'][goal]
                          for s in seeds]
                mean = ('-' if None in values else
                        f'{np.mean(values):,.0f}')
                cells = ' | '.join('-' if v is None else f'{v:,}'
                                   for v in values)
                lines.append(f'| `{name}` | {order} | {cells} | {mean} |')
        hand = [efforts[s]['hand'][goal] for s in seeds]
        lines.append('| label every frame by hand | - | ' + ' | '.join(
            f'{v:,}' for v in hand) + f' | {np.mean(hand):,.0f} |')
        lines.append('')
    batches = sorted({efforts[s]['batch'] for s in seeds})
    lines.append('Joints in the val videos: ' + ', '.join(
        f'{efforts[s]["total_joints"]:,}' for s in seeds) + '; propagation '
        f'rerun after every {", ".join(map(str, batches))} reviewed '
        'frame(s).')
    return '\n'.join(lines) + '\n'


def publish_effort(seeds_dir: str, dest: str,
                   doc: Optional[str] = None) -> list:
    """Collect each ``seeds_dir/seed_<s>/effort.json`` (or ``seeds_dir``'s
    own, as seed of its run) into ``dest/effort.json``, copy the first
    seed's plot to ``dest/effort.png`` and, with ``doc``, rewrite that
    file's effort block from them.

    Returns:
        list: The files written.
    """
    from .report import seed_runs, write_collected
    runs = seed_runs(seeds_dir, 'effort.json',
                     'tools/run_sparse_benchmark.py --effort')
    efforts = {seed: read_json(osp.join(run, 'effort.json'), expect=dict)
               for seed, run in runs.items()}
    first = runs[min(runs, key=int)]
    # one set: the plot is checked with the rest before anything is written
    return write_collected(dest, {'effort.json': efforts}, doc,
                           effort_summary_table(efforts),
                           (DOC_BEGIN, DOC_END),
                           copies={'effort.png': osp.join(first,
                                                          'effort.png')},
                           inputs=list(runs.values()))

"""The main job: PoseWarper's comparisons on sparsely labeled synthetic
videos, end to end on CPU.

    python tools/run_sparse_benchmark.py --out work_dirs/sparse_benchmark
    python tools/run_sparse_benchmark.py --out /tmp/sb --quick

Generates the videos, trains the single-frame estimator (stage 1) and
PoseWarper (stage 2) on labels kept every 7th frame, compares label
propagation, augmentation and temporal aggregation, and writes
``DIR/results.json``, ``DIR/results.md``, ``DIR/results.png`` and
``DIR/propagation_strip.jpg`` (see docs/sparse_benchmark.md).
"""
import argparse
import os.path as osp
import sys
from dataclasses import replace
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_posewarper.utils.atomic_file import write_text_atomic  # noqa: E402
from mmpose_posewarper.utils.cli import (add_checkpoint,  # noqa: E402
                                         add_output, int_at_least, run_tool)
from projects.sparse_benchmark.sparse_benchmark import (  # noqa: E402
    BenchmarkSettings, run_seeds, run_sparse_benchmark)
from projects.sparse_benchmark.sparse_benchmark.effort import \
    run_effort  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.fusion_sweep import \
    run_fusion_sweep  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.label_budgets import (  # noqa: E402,E501
    budget_rows, budgets_table, run_label_budgets)
from projects.sparse_benchmark.sparse_benchmark.pretrained import \
    pretrained_checkpoint  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.quality import \
    run_quality_curve  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.settings import (  # noqa: E402
    AUGMENTATION_LABELS, check_iters, check_stages)
from projects.sparse_benchmark.synthetic.generator import WARDROBES  # noqa: E402
from projects.sparse_benchmark.synthetic.imaging import LOOKS  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_output(parser, '--out', required=True, kind='resumable',
               note='the main job\'s resumable folder (OUT/steps/*.json '
               'markers; a folder of other settings is refused), no set',
               help='output directory')
    parser.add_argument('--quick', action='store_true',
                        help='small data, 64x48 crops, short training '
                        '(about 3 minutes; for the tests)')
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument('--seed', type=int_at_least(0), default=0)
    seeds.add_argument('--seeds', type=int_at_least(0), nargs='+',
                       help='run once per seed into OUT/seed_<s>/ and write '
                       'the mean and spread to OUT/seeds.json and seeds.md '
                       '(a finished seed is reused if made with the same '
                       'settings and stage configs, else refused)')
    parser.add_argument('--threads', type=int_at_least(1), default=2,
                        help='torch CPU threads (fixed for repeatable runs: '
                        'the numbers depend on it)')
    parser.add_argument('--workers', type=int_at_least(1), default=2,
                        help='data generator processes')
    parser.add_argument('--device', default=None,
                        help='torch device for propagation (default: cuda '
                        'if available, else cpu)')
    add_checkpoint(
        parser, '--quality', nargs='+', metavar='INIT',
        note='also the words "shipped" and "none"; every checkpoint is '
        'checked by the loader of --pretrained before the long work',
        help='instead of the job: propagation vs single-frame quality, one '
        'point per stage-1 initialisation (a checkpoint, "shipped" or '
        '"none" for random weights); writes OUT/quality.json and '
        'quality.md (finished points are reused if made with the same '
        'settings and stage configs, else refused)')
    parser.add_argument(
        '--look', choices=LOOKS, default='video',
        help='how the train and val videos are imaged: "video" (default) '
        'differs from the pretraining stills as video frames differ from '
        'photos; "stills" as the pretraining stills (the benchmark before '
        '2026-12-07)')
    parser.add_argument(
        '--wardrobe', choices=WARDROBES, default=None,
        help='what the train and val videos\' people wear: "suits" '
        '(default; "stills" with --quick), one-piece suits the pretraining '
        'stills\' people never wear; "stills" as the stills\' people (the '
        'benchmark of the video look\'s first runs, 2026-12-07)')
    parser.add_argument(
        '--labels-per-video', type=int_at_least(1), default=1, metavar='N',
        help='augmentation: labeled frames per train video from which '
        'labels are propagated (the original\'s N; default: %(default)s)')
    parser.add_argument(
        '--augmentation-labels', nargs='+', metavar='SOURCE',
        choices=sorted(AUGMENTATION_LABELS),
        default=['posewarper', 'ground_truth', 'optical_flow'],
        help='augmentation: the sources of added labels, one estimator '
        'each (default: %(default)s; also two_sided_posewarper)')
    parser.add_argument(
        '--label-budgets', type=int_at_least(1), nargs='+', metavar='N',
        help='after the job (OUT, or each seed of --seeds): the '
        'augmentation once per budget of N labeled frames per train video '
        '(e.g. 1 2 4, as the original); writes OUT/label_budgets.json and '
        '.md (finished budgets are reused)')
    parser.add_argument(
        '--effort', action='store_true',
        help='after the job (OUT, or each seed of --seeds): a simulated '
        'annotator labels every 7th val frame, each method propagates, the '
        'annotator reviews frames least confident first (and in random '
        'order) and fixes wrong joints; writes OUT/effort.json, .md, .png '
        '(edits to reach 95%% and 99%% correct joints)')
    parser.add_argument(
        '--effort-batch', type=int_at_least(1), default=1, metavar='N',
        help='with --effort: frames reviewed between two propagations '
        '(default: %(default)s)')
    parser.add_argument(
        '--fusion-sweep', action='store_true',
        help='after the job (OUT): score the two-sided methods\' fusion '
        'settings on train videos (where the defaults are chosen); writes '
        'OUT/fusion_sweep.json and .md')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='run into a folder that holds a run made with other settings: '
        'its results are removed first (trained stages whose settings and '
        'inputs are unchanged are still reused); without it such a folder '
        'is refused')
    init = parser.add_mutually_exclusive_group()
    init.add_argument('--from-scratch', action='store_true',
                      help='train the single-frame stages from random '
                      'weights instead of fine-tuning the shipped '
                      'pretrained estimator (for comparison)')
    add_checkpoint(init, '--pretrained', metavar='CKPT',
                      help='fine-tune this checkpoint instead of the '
                      'shipped one')
    parser.add_argument(
        '--iters', nargs='+', default=[], metavar='STAGE=N',
        help='training iterations of a stage (single_frame, posewarper, '
        'augmented), e.g. --iters posewarper=450')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], metavar='STAGE:KEY=VALUE',
        help='override a stage config, as tools/train.py --cfg-options, '
        'e.g. posewarper:optim_wrapper.optimizer.lr=1e-4')
    args = parser.parse_args(argv)
    if sum(map(bool, (args.quality, args.effort, args.fusion_sweep,
                      args.label_budgets))) > 1:
        parser.error('--quality, --effort, --fusion-sweep and '
                     '--label-budgets are separate measurements; run them '
                     'one at a time')
    if args.quality and (args.pretrained or args.from_scratch):
        parser.error('--quality names each point\'s stage-1 initialisation '
                     '(a checkpoint, "shipped" or "none"); --pretrained and '
                     '--from-scratch do not apply to it')
    try:
        args.iters = _iters(args.iters)
        args.cfg_options = _stage_options(args.cfg_options)
        check_iters(args.iters, '--iters')
        check_stages(args.cfg_options, '--cfg-options')
    except ValueError as e:
        parser.error(str(e))
    return args


def _pairs(items: List[str], sep: str):
    for item in items:
        key, found, value = item.partition(sep)
        if not found or not key or not value:
            raise ValueError(f'expected KEY{sep}VALUE, got {item!r}')
        yield key, value


def _iters(items: List[str]) -> Dict[str, int]:
    """``STAGE=N`` strings -> stage -> iterations."""
    iters = {}
    for stage, value in _pairs(items, '='):
        try:
            iters[stage] = int(value)
        except ValueError:
            raise ValueError(f'--iters: {stage}={value}: expected an integer '
                             'number of iterations') from None
    return iters


def _stage_options(items: List[str]) -> Dict[str, Dict]:
    """``STAGE:KEY=VALUE`` strings -> stage -> options, the values parsed
    as MMEngine's ``DictAction`` parses ``--cfg-options``."""
    from mmengine.config import DictAction
    options: Dict[str, Dict] = {}
    for item, value in _pairs(items, '='):
        stage, found, key = item.partition(':')
        if not found or not stage or not key:
            raise ValueError(f'expected STAGE:KEY=VALUE, got {item!r}')
        options.setdefault(stage, {})[key] = DictAction._parse_iterable(value)
    return options


#: what an interrupted job leaves (utils.cli.run_tool says it)
INTERRUPTED = ('OUT keeps every finished step: the generated data once '
               'complete, and each step with a marker in OUT/steps/ that '
               'records what it depended on and its results (trained '
               'stages, the propagation comparison, augmentation labels, '
               "each model's score); results.json is written only at the "
               'end; rerunning the same command goes on from the finished '
               'steps')


def _each_seed(settings: BenchmarkSettings, seeds: Optional[List[int]]):
    """The settings of OUT's run, or of each seed's run of --seeds."""
    if not seeds:
        return [settings]
    return [replace(settings, seed=seed, out_dir=settings.path(f'seed_{seed}'))
            for seed in seeds]


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    settings = BenchmarkSettings(
        out_dir=args.out, quick=args.quick, seed=args.seed,
        threads=args.threads, workers=args.workers, device=args.device,
        iters=args.iters, cfg_options=args.cfg_options, look=args.look,
        wardrobe=args.wardrobe,
        labels_per_video=args.labels_per_video,
        augmentation_labels=tuple(args.augmentation_labels),
        pretrained=(None if args.from_scratch else args.pretrained
                    or 'shipped'))
    if args.quality:
        run_quality_curve(settings, [
            None if init == 'none' else
            pretrained_checkpoint() if init == 'shipped' else init
            for init in args.quality
        ])
    elif args.fusion_sweep:
        run_fusion_sweep(settings)
    elif args.label_budgets:
        measured = [run_label_budgets(one, args.label_budgets)
                    for one in _each_seed(settings, args.seeds)]
        if args.seeds:
            write_text_atomic(settings.path('label_budgets.md'),
                              budgets_table(budget_rows(measured)))
    elif args.effort:
        for one in _each_seed(settings, args.seeds):
            run_effort(one, batch=args.effort_batch)
    elif args.seeds:
        run_seeds(settings, args.seeds, overwrite=args.overwrite)
    else:
        run_sparse_benchmark(settings, overwrite=args.overwrite)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main, interrupted=INTERRUPTED))

"""The sparse benchmark's steps, in order, and the job that runs them.

``DIR`` (``--out``) after a run::

    DIR/data/                      generated videos (dense ground truth)
    DIR/labels/{train,val}_sparse/ per-video files, labels every k-th frame
    DIR/labels/*.json              COCO-style: sparse train, dense val
    DIR/work_dirs/<stage>/         MMEngine work dirs (logs, checkpoints)
    DIR/propagation/<method>/      propagated val labels per method
                                   (and per control: self/*, shuffled/*)
    DIR/data_stills_look/          the val videos in the pretraining
                                   stills' look (the domain gap's control)
    DIR/labels/posetrack18_train_<N>_per_video.json
                                   the augmentation's manual labels: N
                                   labeled frames per train video
    DIR/propagated_train/<N>_per_video/<source>.json
                                   labels added to them, per source
                                   (PoseWarper, ground truth, ...), and
                                   per video in <source>/
    DIR/results.json               the numbers (keys in RESULT_KEYS, and
                                   propagation_by_distance: method ->
                                   distance to the labeled frame -> mAP)
    DIR/controls.json              sanity controls, step timings
    DIR/settings.json              the run's BenchmarkSettings and the
                                   sha256 of the pretrained checkpoint
                                   and of each stage config
    DIR/results.md, results.png    table, plot
    DIR/propagation_strip.jpg      one propagated sequence, GT vs methods
    DIR/benchmark.log              this job's log

With several seeds (:func:`run_seeds`), one such directory per seed,
``DIR/seed_<s>/``, and ``DIR/seeds.json`` / ``DIR/seeds.md`` (mean and
spread of every number).
"""
import copy
import hashlib
import json
import logging
import os
import os.path as osp
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple)

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger, print_log
from mmengine.logging.logger import MMFormatter
from mmengine.utils import ProgressBar

from ..apis.model import init_model as load_pose_model
from ..apis.propagation import LabelPropagator, propagate_video
from ..apis.source_fusion import TwoSidedFusion
from ..datasets.posetrack_io import write_json_atomic, write_posetrack_video
from ..datasets.posetrack_videos import frame_number, videos_to_coco
from ..synthetic import SyntheticConfig
from ..synthetic.imaging import LOOKS
from ..utils.atomic_file import write_text_atomic
from ..utils.json_file import read_json
from . import data as bdata
from .baselines import (CopyNearest, Interpolation, OpticalFlowWarp,
                        SingleFrameOnTarget, TwoSidedKeypoints)
from .pretrained import pretrained_checkpoint, sha256_of
from .propagation_eval import (PoseWarperMethod, TwoSidedPoseWarper,
                               prediction_videos, propagated_videos,
                               propagation_pairs,
                               run_propagation, run_two_sided,
                               score_by_distance, score_predictions,
                               shuffled_frame_source, two_sided_plans)
from .report import (STRIP_METHODS, bar_plot, flat_numbers, goal_margins,
                     markdown_table, picture_strip, seeds_table)
from .training import set_job_torch, stage_config, test_stage, train_stage

_PACKAGE = osp.dirname(osp.dirname(osp.abspath(__file__)))
# the repository's configs/ (a checkout), or their copy inside an installed
# package (setup.py's .mim, as for `mim train`)
CONFIG_DIR = next(
    (d for d in (osp.join(osp.dirname(_PACKAGE), 'configs', 'sparse_benchmark'),
                 osp.join(_PACKAGE, '.mim', 'configs', 'sparse_benchmark'))
     if osp.isdir(d)),
    osp.join(osp.dirname(_PACKAGE), 'configs', 'sparse_benchmark'))
#: the configs of each run size
CONFIGS = dict(
    default=dict(
        single_frame='single-frame_hrnet-small_sparse_128x96.py',
        augmented='single-frame_hrnet-small_sparse+propagated_128x96.py',
        posewarper='posewarper_hrnet-small_sparse_128x96.py'),
    quick=dict(
        single_frame='quick/single-frame_hrnet-tiny_sparse_64x48.py',
        augmented='quick/single-frame_hrnet-tiny_sparse+propagated_64x48.py',
        posewarper='quick/posewarper_hrnet-tiny_sparse_64x48.py'))
#: the stages a run trains (the keys of ``iters`` and ``cfg_options``)
STAGES = tuple(CONFIGS['default'])


def check_stages(names: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` if a name in ``names`` is not a stage."""
    unknown = set(names) - set(STAGES)
    if unknown:
        raise ValueError(f'{what} for unknown stages {sorted(unknown)}; the '
                         f'stages are {sorted(STAGES)}')


#: results.json: section -> its keys (each a PoseTrack Total AP, percent)
RESULT_KEYS = dict(
    propagation=('posewarper', 'optical_flow', 'copy_nearest',
                 'single_frame', 'interpolation', 'two_sided_posewarper',
                 'two_sided_optical_flow'),
    augmentation=('sparse_only', 'sparse_plus_propagated',
                  'sparse_plus_ground_truth'),
    aggregation=('single_frame', 'temporal'),
    # only with a pretrained checkpoint: it on the val videos in the
    # pretraining stills' look and in the videos' own
    domain_gap=('pretrained_stills_look', 'pretrained'))
#: the augmentation's sources of added labels -> its results.json key; the
#: default run trains the first two (``BenchmarkSettings
#: .augmentation_labels``), the ground truth being that of the people
#: PoseWarper labeled
AUGMENTATION_LABELS = dict(
    posewarper='sparse_plus_propagated',
    ground_truth='sparse_plus_ground_truth',
    optical_flow='sparse_plus_optical_flow',
    two_sided_posewarper='sparse_plus_two_sided')
LOGGER = 'sparse_benchmark'
#: the two-sided methods' fusion: each method's best setting on 12 train
#: videos of the seed-0 run (``--fusion-sweep``), not on the val videos the
#: job reports
TWO_SIDED_DEFAULTS = dict(
    posewarper=TwoSidedFusion(second_reach=None, power=1.0, level='keypoint'),
    optical_flow=TwoSidedFusion(second_reach=5, power=1.0, level='keypoint'))


@dataclass
class BenchmarkSettings:
    """What a run does.

    Attributes:
        out_dir: Output directory ``DIR``.
        quick: Small data, tiny crops, short training (the test suite's run).
        seed: Seeds the generator and every training run.
        label_every: Labels are kept on frames ``t % label_every == 0``.
        propagate_k: Propagation distance ``K`` (frames within ``±K``).
        train_videos: Train videos to generate; ``None``: 36 for a default
            run, 8 for a quick one (the generator's own defaults are 12 and
            4). A single-frame estimator trained from scratch on every 7th
            frame needs many: val AP 3.2 with 12 videos, 9.8 with 48.
        val_videos: Val videos to generate; ``None``: 8 for a default run
            (the pretraining's learning curve is measured on the same 8),
            2 for a quick one.
        workers: Generator processes (the data does not depend on it).
        threads: torch CPU threads (fixed, so that runs repeat exactly:
            the thread count sets the order of float sums). 2 on an idle
            2-core machine, beside the data worker: 40 training iterations
            took 32.5 s vs 40.5 s with 1 thread (stage 1) and 39.1 s vs
            57.3 s (stage 2); on a loaded machine 1 can be faster.
        device: ``None`` picks CUDA when present, else CPU.
        config_dir: Where the stage configs are.
        configs: Overrides of the config file names (keys of ``CONFIGS``).
        iters: Overrides of each stage's ``max_iters`` (e.g. for tests).
        cfg_options: Per stage, ``Config.merge_from_dict`` options applied
            to its config (experiments, e.g. ``{'posewarper':
            {'optim_wrapper.optimizer.lr': 1e-4}}``).
        pretrained: Checkpoint the single-frame stages (stage 1 and the
            augmented one) fine-tune, as the paper fine-tunes a COCO
            HRNet; ``'shipped'`` (default) is the package's pretrained
            estimator (:mod:`.pretrained`, sha256-checked), ``None`` trains
            from scratch. Quick runs default to ``None`` (their tiny model
            has no pretrained weights).
        min_joint_score: Augmentation keeps a propagated joint only if its
            score (warped heatmap maximum) is above this, as the original's
            script (0.2).
        look: How the train and val videos are imaged
            (``synthetic.imaging``): ``'video'`` (default) differs from
            the pretraining stills as video frames differ from photos;
            ``'stills'`` is the stills' look (the benchmark before
            2026-12-07).
        labels_per_video: The augmentation's manual labels: this many
            labeled frames per train video (the original's N; 1 as its
            main augmentation figure), from which the sources of
            ``augmentation_labels`` propagate to ``±propagate_k``.
        augmentation_labels: Sources of added labels, each one more
            estimator trained (keys of ``AUGMENTATION_LABELS``;
            ``ground_truth`` needs ``posewarper``, whose people it labels).
        two_sided_posewarper, two_sided_optical_flow: How each two-sided
            method fuses its two sources (reach of the second source,
            distance weights; chosen on train videos, docs/experiments.md).
    """

    out_dir: str
    quick: bool = False
    seed: int = 0
    label_every: int = 7
    propagate_k: int = 3
    train_videos: Optional[int] = None
    val_videos: Optional[int] = None
    workers: int = 2
    threads: int = 2
    device: Optional[str] = None
    config_dir: str = CONFIG_DIR
    configs: Dict[str, str] = field(default_factory=dict)
    iters: Dict[str, int] = field(default_factory=dict)
    cfg_options: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    pretrained: Optional[str] = 'shipped'
    min_joint_score: float = 0.2
    two_sided_posewarper: TwoSidedFusion = field(
        default_factory=lambda: TWO_SIDED_DEFAULTS['posewarper'])
    two_sided_optical_flow: TwoSidedFusion = field(
        default_factory=lambda: TWO_SIDED_DEFAULTS['optical_flow'])
    look: str = 'video'
    labels_per_video: int = 1
    augmentation_labels: Tuple[str, ...] = ('posewarper', 'ground_truth')

    def __post_init__(self) -> None:
        if self.look not in LOOKS:
            raise ValueError(f'look must be one of {LOOKS}, got '
                             f'{self.look!r}')
        if self.labels_per_video < 1:
            raise ValueError('labels_per_video must be >= 1, got '
                             f'{self.labels_per_video}')
        self.augmentation_labels = tuple(self.augmentation_labels)
        unknown = set(self.augmentation_labels) - set(AUGMENTATION_LABELS)
        if unknown:
            raise ValueError(f'augmentation labels {sorted(unknown)} unknown; '
                             f'choose from {sorted(AUGMENTATION_LABELS)}')
        if ('ground_truth' in self.augmentation_labels
                and 'posewarper' not in self.augmentation_labels):
            raise ValueError("augmentation label source 'ground_truth' is "
                             "that of the people 'posewarper' labels; add "
                             "'posewarper'")
        for name in ('two_sided_posewarper', 'two_sided_optical_flow'):
            value = getattr(self, name)
            if isinstance(value, Mapping):  # from a settings record
                setattr(self, name, TwoSidedFusion(**value))
        # the stage configs join annotation paths to the data root: a
        # relative DIR would be counted twice
        self.out_dir = osp.abspath(self.out_dir)
        if self.quick and self.pretrained == 'shipped':
            self.pretrained = None
        if self.pretrained == 'shipped':
            self.pretrained = pretrained_checkpoint()
        elif self.pretrained is not None and not osp.isfile(self.pretrained):
            raise FileNotFoundError(
                f'pretrained checkpoint {self.pretrained} does not exist')
        check_stages(self.iters, 'iters')
        check_stages(self.cfg_options, 'cfg_options')

    def config(self, stage: str) -> str:
        name = self.configs.get(
            stage, CONFIGS['quick' if self.quick else 'default'][stage])
        return osp.join(self.config_dir, name)

    def path(self, *parts: str) -> str:
        return osp.join(self.out_dir, *parts)


@contextmanager
def timed(step: str, timings: Dict[str, float]) -> Iterator[None]:
    """Log a step's start and end and record its wall time."""
    print_log(f'---- {step} ----', logger=LOGGER)
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 1)
    print_log(f'{step}: {timings[step]:.1f} s', logger=LOGGER)


class SparseBenchmark:
    """Runs the benchmark's steps; see :func:`run_sparse_benchmark`."""

    def __init__(self, settings: BenchmarkSettings) -> None:
        self.s = settings
        self.device = settings.device or ('cuda' if torch.cuda.is_available()
                                          else 'cpu')
        self.timings: Dict[str, float] = {}
        self.data_root = settings.path('data')
        self.ckpt: Dict[str, str] = {}
        self.cfg: Dict[str, Any] = {}
        #: stages reused from an earlier run in the same folder
        self.reused: List[str] = []

    # -- data ---------------------------------------------------------------
    def generate(self) -> None:
        config = (SyntheticConfig.quick(self.s.seed) if self.s.quick else
                  SyntheticConfig(seed=self.s.seed))
        train_videos = self.s.train_videos or (8 if self.s.quick else 36)
        val_videos = self.s.val_videos or (2 if self.s.quick else 8)
        config = replace(config, num_train_videos=train_videos,
                         num_val_videos=val_videos, look=self.s.look)
        bdata.generate_data(self.data_root, config, workers=self.s.workers,
                            logger=LOGGER)
        if self.s.pretrained is not None and self.s.look != 'stills':
            # the same val videos (scenes, people, motion, ground truth)
            # imaged as the pretraining stills are
            bdata.generate_data(
                self.s.path('data_stills_look'),
                replace(config, num_train_videos=0, look='stills'),
                workers=self.s.workers, logger=LOGGER)

    def make_labels(self) -> None:
        """Dense GT -> sparse per-video files and COCO-style files."""
        self.gt = {split: bdata.load_split(self.data_root, split)
                   for split in ('train', 'val')}
        self.sparse = {
            split: {name: bdata.sparse_video(v, self.s.label_every)
                    for name, v in self.gt[split].items()}
            for split in ('train', 'val')
        }
        for split in ('train', 'val'):
            bdata.write_videos(self.sparse[split],
                               self.s.path('labels', f'{split}_sparse'))
        self.train_sparse_file = self.s.path('labels',
                                             'posetrack18_train_sparse.json')
        self.val_dense_file = self.s.path('labels',
                                          'posetrack18_val_dense.json')
        n_train = bdata.write_coco(self.sparse['train'],
                                   self.train_sparse_file, people='manual')
        self.per_video = {
            name: bdata.labels_per_video(v, self.s.labels_per_video)
            for name, v in self.sparse['train'].items()}
        self.per_video_file = self.s.path(
            'labels', f'posetrack18_train_{self.budget}.json')
        self.per_video_people = bdata.write_coco(
            self.per_video, self.per_video_file, people='manual')
        n_val = bdata.write_coco(self.gt['val'], self.val_dense_file)
        print_log(f'labels every {self.s.label_every}th frame: {n_train} '
                  f'labeled people in {len(self.gt["train"])} train videos; '
                  f'{n_val} people in {len(self.gt["val"])} val videos; '
                  f'augmentation: {self.s.labels_per_video} labeled frame(s) '
                  f'per train video, {self.per_video_people} people',
                  logger=LOGGER)

    def _stage_cfg(self, stage: str, train_files, load_from=None,
                   run: Optional[str] = None):
        cfg = stage_config(
            self.s.config(stage),
            work_dir=self.s.path('work_dirs', run or stage),
            data_root=self.data_root,
            train_ann_files=train_files,
            test_ann_file=self.val_dense_file,
            val_ann_dir=osp.join(self.data_root, 'annotations', 'val'),
            seed=self.s.seed,
            load_from=load_from,
            max_iters=self.s.iters.get(stage))
        if load_from is None and cfg.get('scratch_lr') is not None:
            # the config's rate is for fine-tuning pretrained weights
            cfg.optim_wrapper.optimizer.lr = cfg.scratch_lr
        if self.s.cfg_options.get(stage):
            cfg.merge_from_dict(self.s.cfg_options[stage])
        return cfg

    # -- training -----------------------------------------------------------
    def stage_cfg(self, stage: str):
        """The MMEngine config ``stage`` trains with (after
        :meth:`make_labels`; the augmentation's after
        :meth:`augmentation_labels`). Stages: ``single_frame``,
        ``posewarper`` and the augmentation's runs of the ``augmented``
        config, ``sparse_only`` and ``augmented_<source>`` per source of
        ``augmentation_labels``."""
        if stage == 'single_frame':
            return self._stage_cfg('single_frame', [self.train_sparse_file],
                                   load_from=self.s.pretrained)
        if stage == 'posewarper':
            cfg = self._stage_cfg('posewarper', ['annotations/train/'],
                                  load_from=self.ckpt['single_frame'])
            # the pair dataset reads the dense per-video files and keeps
            # every k-th frame's labels itself (the same rule as make_labels)
            cfg.train_dataloader.dataset.sparse_cfg = dict(
                mode='every_k', k=self.s.label_every, phase=0)
            cfg.test_dataloader.dataset.ann_file = 'annotations/val/'
            return cfg
        # the same config, initialisation and iterations for each: the
        # sparse-only model trains on its first dataset only
        files = [self.per_video_file]
        if stage != 'sparse_only':
            files.append(self.added_files[self._source(stage)])
        return self._stage_cfg('augmented', files,
                               load_from=self.s.pretrained,
                               run=self.run_name(stage))

    def _source(self, stage: str) -> str:
        source = stage[len('augmented_'):]
        if not stage.startswith('augmented_') or source not in (
                self.s.augmentation_labels):
            raise ValueError(f'no stage {stage!r} in this run; its stages: '
                             f'{", ".join(self.augmentation_stages())}')
        return source

    @property
    def budget(self) -> str:
        """The augmentation's label budget as a folder name: its files,
        work dirs and markers are apart per budget."""
        return f'{self.s.labels_per_video}_per_video'

    def run_name(self, stage: str) -> str:
        """Where ``stage`` trains and leaves its marker, under
        ``work_dirs/`` and ``steps/``."""
        if stage in ('single_frame', 'posewarper'):
            return stage
        return osp.join(self.budget, stage)

    def augmentation_stages(self) -> List[str]:
        """The augmentation's trainings, sparse only first."""
        return ['sparse_only'] + [f'augmented_{source}' for source in
                                  self.s.augmentation_labels]

    def _stage_inputs(self, stage: str) -> list:
        """The files a stage's training reads beside the generated data
        (which the settings determine)."""
        if stage == 'single_frame':
            return [self.train_sparse_file]
        if stage == 'posewarper':
            return [self.ckpt.get('single_frame')]
        files = [getattr(self, 'per_video_file', None)]
        if stage != 'sparse_only':
            files.append(getattr(self, 'added_files', {}).get(
                self._source(stage)))
        return files

    def _stage_record(self, stage: str) -> Optional[Dict[str, Any]]:
        """What a stage's training depends on (``None`` while an input is
        not there yet): the settings but where things lie and how the
        comparison fuses two sources, and the sha256 of its input files."""
        inputs = self._stage_inputs(stage)
        if any(p is None or not osp.isfile(p) for p in inputs):
            return None
        return dict(
            stage=stage,
            settings=self._stage_settings(stage, settings_record(self.s)),
            inputs={osp.relpath(p, self.s.out_dir): sha256_of(p)
                    for p in inputs})

    def _stage_settings(self, stage: str,
                        record: Mapping[str, Any]) -> Dict[str, Any]:
        """The settings of a :func:`settings_record` that ``stage``'s
        training depends on: not where things lie, not what only the
        comparison or the other stages use (of the per-stage settings, its
        own config's entry; stage 2 depends on stage 1 through its input
        checkpoint's sha256)."""
        config = stage if stage in STAGES else 'augmented'
        out = {}
        for key, value in record.items():
            if key in _LOCATIONS + _NOT_TRAINING:
                continue
            if key in _PER_STAGE and isinstance(value, Mapping):
                value = value.get(config)
            out[key] = value
        return out

    def finished_stage(self, stage: str) -> Optional[str]:
        """The checkpoint of ``stage`` if this folder holds one trained with
        the same settings and inputs (its marker
        ``DIR/steps/<stage>.json`` says so and the checkpoint's sha256
        agrees), else ``None``."""
        marker = self.s.path('steps', f'{self.run_name(stage)}.json')
        if not osp.isfile(marker):
            return None
        done = read_json(marker, expect=dict)
        ckpt = self.s.path(done.get('checkpoint', ''))
        record = self._stage_record(stage)
        if record is not None and isinstance(done.get('settings'), Mapping):
            # a marker may hold settings a stage does not depend on
            done = dict(done, settings=self._stage_settings(
                stage, done['settings']))
        if (record is None or any(done.get(k) != record[k] for k in record)
                or not osp.isfile(ckpt)
                or sha256_of(ckpt) != done.get('checkpoint_sha256')):
            return None
        return ckpt

    def _train(self, stage: str) -> None:
        self.cfg[stage] = self.stage_cfg(stage)
        ckpt = self.finished_stage(stage)
        if ckpt is not None:
            print_log(f'{stage}: reusing {ckpt}, trained here with the same '
                      'settings and inputs (DIR/steps/%s.json)'
                      % self.run_name(stage), logger=LOGGER)
            self.reused.append(stage)
        else:
            ckpt = train_stage(self.cfg[stage])
            record = self._stage_record(stage)
            if record is not None:  # else its inputs cannot be fingerprinted
                write_json_atomic(
                    self.s.path('steps', f'{self.run_name(stage)}.json'),
                    dict(record,
                         checkpoint=osp.relpath(ckpt, self.s.out_dir),
                         checkpoint_sha256=sha256_of(ckpt)))
        self.ckpt[stage] = ckpt

    def train_single_frame(self) -> None:
        """Stage 1: the single-frame estimator on the sparse labels."""
        self._train('single_frame')

    def train_posewarper(self) -> None:
        """Stage 2: PoseWarper's warping on pairs, stage 1 frozen."""
        self._train('posewarper')

    def train_augmented(self) -> None:
        """The augmentation's estimators: on the per-video manual labels
        alone, and on them plus each source's added labels."""
        for stage in self.augmentation_stages():
            self._train(stage)

    def load_trained(self, stages: Sequence[str] = ('single_frame',
                                                    'posewarper')) -> None:
        """Use the trained ``stages`` of a finished run in this folder
        (after :meth:`make_labels`); ``FileNotFoundError`` if one is
        missing or was made with other settings."""
        for stage in stages:
            self.cfg[stage] = self.stage_cfg(stage)
            ckpt = self.finished_stage(stage)
            if ckpt is None:
                raise FileNotFoundError(
                    f'{self.s.path("steps", stage + ".json")}: no {stage} '
                    f'stage trained with these settings in {self.s.out_dir}; '
                    'run the job there first')
            self.ckpt[stage] = ckpt

    # -- propagation --------------------------------------------------------
    def load_model(self, stage: str):
        """The trained model of ``stage`` (after training it or
        :meth:`load_trained`)."""
        return load_pose_model(self.cfg[stage], self.ckpt[stage],
                               device=self.device,
                               require_warping=stage == 'posewarper')

    def compare_propagation(self) -> None:
        """All methods propagate the val videos' sparse labels to the
        frames within ±K; scored against the dense ground truth. The
        controls (see :mod:`.propagation_eval`) run PoseWarper and the flow
        baseline on the labeled frames themselves and on frames taken from
        another video."""
        propagator = LabelPropagator(self.load_model('posewarper'))
        warper = PoseWarperMethod(propagator)
        flow = OpticalFlowWarp()
        methods = [
            warper, flow, CopyNearest(),
            SingleFrameOnTarget(self.load_model('single_frame'))
        ]
        two_sided = [
            Interpolation(),
            TwoSidedPoseWarper(propagator, self.s.two_sided_posewarper),
            TwoSidedKeypoints(flow, self.s.two_sided_optical_flow)
        ]
        sparse, gt = self.sparse['val'], self.gt['val']
        pairs = propagation_pairs(sparse, self.s.propagate_k)
        self_pairs = propagation_pairs(sparse, self.s.propagate_k,
                                       to_self=True)
        other_video = shuffled_frame_source(sparse, self.data_root)
        runs = [(m.name, m, pairs, None) for m in methods]
        for method in (warper, flow):
            runs += [(f'self/{method.name}', method, self_pairs, None),
                     (f'shuffled/{method.name}', method, pairs, other_video)]
        runs += [(m.name, m, two_sided_plans(sparse, self.s.propagate_k,
                                             m.fusion.second_reach), 'both')
                 for m in two_sided]
        total = sum(sum(len(v) for v in run[2].values()) for run in runs)
        print_log(f'propagating to {sum(len(v) for v in pairs.values())} '
                  f'frames of {len(pairs)} val videos with '
                  f'{len(methods) + len(two_sided)} methods, and the '
                  'controls', logger=LOGGER)
        progress = ProgressBar(total)
        self.propagated: Dict[str, Any] = {}
        self.propagation_scores: Dict[str, float] = {}
        for name, method, method_pairs, source in runs:
            if source == 'both':
                preds = run_two_sided(method, sparse, method_pairs,
                                      self.data_root, progress=progress)
            else:
                preds = run_propagation(method, sparse, method_pairs,
                                        self.data_root, target_frame=source,
                                        progress=progress)
            self.propagated[name] = preds
            self.propagation_scores[name] = float(
                score_predictions(preds, gt)['Total'])
            for vname, video in prediction_videos(preds, gt).items():
                write_posetrack_video(
                    self.s.path('propagation', name, f'{vname}.json'), video)
        print()
        for name, value in self.propagation_scores.items():
            print_log(f'propagation {name}: {value:.1f} mAP', logger=LOGGER)
        # what the distance to the labeled frame costs each method
        self.propagation_by_distance = {
            m.name: score_by_distance(self.propagated[m.name], gt, pairs)
            for m in methods + two_sided
        }
        for name, values in self.propagation_by_distance.items():
            print_log(f'propagation {name} by distance: ' + ', '.join(
                f'±{d}: {v:.1f}' for d, v in values.items()), logger=LOGGER)

    def augmentation_labels(self) -> None:
        """The labels each source adds to the per-video manual labels: its
        poses on the frames within ±K of them (the original's augmentation
        script: PoseWarper's, joints scoring above ``min_joint_score``);
        ``ground_truth``: the true poses of the people PoseWarper labeled
        (what perfect propagation would add)."""
        videos = self.per_video
        self.added_files: Dict[str, str] = {}
        added: Dict[str, Any] = {}
        for source in self.s.augmentation_labels:
            if source == 'ground_truth':
                out, absent = bdata.ground_truth_of_propagated(
                    added['posewarper'], self.gt['train'])
                print_log(f'ground truth: {absent} people PoseWarper '
                          'propagated are not in their frame', logger=LOGGER)
            elif source == 'optical_flow':
                pairs = propagation_pairs(videos, self.s.propagate_k)
                preds = run_propagation(
                    OpticalFlowWarp(), videos, pairs, self.data_root,
                    progress=ProgressBar(sum(map(len, pairs.values()))))
                print()
                out = propagated_videos(preds, videos, pairs)
            else:
                out = self._propagate_train(
                    videos, self.s.two_sided_posewarper
                    if source == 'two_sided_posewarper' else None)
            added[source] = out
            for name, video in out.items():
                write_posetrack_video(
                    self.s.path('propagated_train', self.budget, source,
                                f'{name}.json'), video)
            if source != 'ground_truth':
                out = {name: bdata.keep_confident_joints(
                    video, self.s.min_joint_score)
                       for name, video in out.items()}
            path = self.s.path('propagated_train', self.budget,
                               f'{source}.json')
            coco = videos_to_coco(out, people=(
                'all' if source == 'ground_truth' else 'propagated'))
            write_json_atomic(path, coco)
            self.added_files[source] = path
            print_log(f'{source}: {len(coco["annotations"])} people on '
                      f'{len(coco["images"])} train frames added to the '
                      'per-video manual labels', logger=LOGGER)

    def _propagate_train(self, videos: Mapping[str, Any],
                         two_sided: Optional[TwoSidedFusion]
                         ) -> Dict[str, Any]:
        """PoseWarper's labels of ``videos`` with the jobs API
        (``tools/propagate_labels.py``'s core)."""
        propagator = LabelPropagator(self.load_model('posewarper'))
        from ..apis.propagation import count_propagation_targets
        progress = ProgressBar(
            count_propagation_targets(videos, self.s.propagate_k))
        out = {
            name: propagate_video(propagator, video, self.data_root,
                                  k=self.s.propagate_k, name=name,
                                  progress=progress, two_sided=two_sided)
            for name, video in sorted(videos.items())
        }
        print()
        return out

    # -- evaluation ---------------------------------------------------------
    def evaluate_models(self) -> None:
        """Single-frame models and temporal aggregation on every val frame
        (ground-truth boxes)."""
        self.model_scores = {
            stage: self.test(stage)
            for stage in ['single_frame', 'posewarper'] +
            self.augmentation_stages()
        }
        if self.s.pretrained is not None:
            # the domain gap: the pretrained estimator before fine-tuning,
            # on the val videos and on the same videos in the stills' look
            self.model_scores['pretrained'] = self.test(
                'single_frame', self.s.pretrained)
            stills = self.s.path('data_stills_look')
            if osp.isdir(stills):
                self.model_scores['pretrained_stills_look'] = self.test(
                    'single_frame', self.s.pretrained, data_root=stills)
        for name, value in self.model_scores.items():
            print_log(f'val {name}: {value:.1f} mAP', logger=LOGGER)

    # -- report -------------------------------------------------------------
    def test(self, stage: str, checkpoint: Optional[str] = None,
             data_root: Optional[str] = None) -> float:
        """mAP on every val frame (ground-truth boxes) of ``stage``'s
        config with its trained checkpoint (or ``checkpoint``), on the val
        videos (or their copy under ``data_root``)."""
        cfg = self.cfg[stage]
        if data_root is not None:
            cfg = copy.deepcopy(cfg)
            cfg.test_dataloader.dataset.data_root = data_root
        return float(test_stage(cfg, checkpoint or self.ckpt[stage])
                     ['posetrack/AP'])

    def augmentation_results(self) -> Dict[str, float]:
        """results.json's ``augmentation`` from the scored stages."""
        m = self.model_scores
        augmentation = dict(sparse_only=m['sparse_only'])
        augmentation.update({key: m[f'augmented_{source}']
                             for source, key in AUGMENTATION_LABELS.items()
                             if f'augmented_{source}' in m})
        return augmentation

    def results(self, wall_seconds: float) -> Dict[str, Any]:
        p, m = self.propagation_scores, self.model_scores
        augmentation = self.augmentation_results()
        domain_gap = {k: m[k] for k in RESULT_KEYS['domain_gap'] if k in m}
        return dict(
            propagation={k: p[k] for k in RESULT_KEYS['propagation']},
            augmentation=augmentation,
            aggregation=dict(single_frame=m['single_frame'],
                             temporal=m['posewarper']),
            **(dict(domain_gap=domain_gap) if domain_gap else {}),
            propagation_by_distance={
                method: {str(d): v for d, v in values.items()}
                for method, values in self.propagation_by_distance.items()
            },
            wall_seconds=round(wall_seconds, 1))

    def controls(self) -> Dict[str, Dict[str, float]]:
        """``self_propagation`` / ``shuffled_frames`` -> method -> mAP."""
        p = self.propagation_scores
        return {
            control: {m: p[f'{key}/{m}'] for m in ('posewarper', 'optical_flow')}
            for control, key in (('self_propagation', 'self'),
                                 ('shuffled_frames', 'shuffled'))
        }

    def strip(self) -> str:
        """Picture strip of the first val video: its first labeled frame
        with people and the K frames after it."""
        name = sorted(self.sparse['val'])[0]
        sparse = self.sparse['val'][name]
        labeled = [frame_number(img) for img in sparse['images']
                   if img.get('is_labeled')]
        frames_with_people = {
            frame_number(img) for img in sparse['images']
            if any(a['image_id'] == img['id'] for a in sparse['annotations'])
        }
        s = next((t for t in labeled if t in frames_with_people), labeled[0])
        nframes = len(sparse['images'])
        frames = [t for t in range(s, s + self.s.propagate_k + 1)
                  if t < nframes]
        src = [dict(a) for a in sparse['annotations']
               if frame_number(next(i for i in sparse['images']
                                    if i['id'] == a['image_id'])) == s]
        preds = {}
        for method in STRIP_METHODS:
            frames_pred = dict(self.propagated[method].get(name, {}))
            frames_pred[s] = src  # the labeled frame shows its labels
            preds[method] = frames_pred
        path = self.s.path('propagation_strip.jpg')
        scale = 2.0 if self.s.quick else 1.0
        picture_strip(self.gt['val'][name], preds, frames, self.data_root,
                      path, source_frame=s, scale=scale)
        return path

    def write_report(self, wall_seconds: float) -> Dict[str, Any]:
        results = self.results(wall_seconds)
        write_json_atomic(self.s.path('results.json'), results)
        controls = self.controls()
        write_json_atomic(self.s.path('controls.json'),
                          dict(controls, timings=self.timings,
                               reused_stages=self.reused))
        table = markdown_table(results, controls, self.reused)
        write_text_atomic(self.s.path('results.md'), table)
        bar_plot(results, self.s.path('results.png'))
        self.strip()
        print_log('\n' + table, logger=LOGGER)
        return results


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
        load_pose_model(settings.config('single_frame'), settings.pretrained)
    claim_run_folder(settings, overwrite)
    start = time.perf_counter()
    with job_log(settings.path('benchmark.log')):
        return _run_steps(settings, start)


#: what a finished run writes at its end (``write_report``)
RESULT_FILES = ('results.json', 'controls.json', 'results.md',
                'results.png', 'propagation_strip.jpg')


def claim_run_folder(settings: BenchmarkSettings, overwrite: bool) -> None:
    """Make ``settings.out_dir`` this run's: refuse a folder whose
    ``settings.json`` records other settings unless ``overwrite``, and then
    remove that run's results before this run's settings are written."""
    path = settings.path('settings.json')
    if not osp.isfile(path):
        return
    try:
        check_same_settings(read_json(path, expect=dict), settings, path)
    except ValueError as e:
        if not overwrite:
            raise ValueError(f'{e}; or pass --overwrite (overwrite=True) to '
                             'replace its results (unchanged trained stages '
                             'are reused)') from None
        for name in RESULT_FILES:
            if osp.isfile(settings.path(name)):
                os.remove(settings.path(name))


@contextmanager
def job_log(path: str) -> Iterator[None]:
    """Log the job's messages (logger ``sparse_benchmark``) to ``path`` too.

    A handler per run: MMLogger keeps the first ``log_file`` of a name, and
    :func:`run_seeds` runs the job several times in one process.
    """
    os.makedirs(osp.dirname(path), exist_ok=True)
    logger = MMLogger.get_instance(LOGGER, log_level='INFO')
    log_file = logging.FileHandler(path, 'w', encoding='utf-8')
    log_file.setFormatter(MMFormatter(color=False,
                                      datefmt='%Y/%m/%d %H:%M:%S'))
    logger.addHandler(log_file)
    try:
        yield
    finally:
        logger.removeHandler(log_file)
        log_file.close()


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
    results = job.write_report(time.perf_counter() - start)
    print_log(json.dumps(results), logger=LOGGER)
    return results


def stage_config_sha256(path: str) -> str:
    """sha256 of a stage config as MMEngine reads it (``_base_`` files
    merged), so that an edited config file, or a base it inherits, counts
    as other settings; comments and formatting do not."""
    content = json.dumps(Config.fromfile(path).to_dict(), sort_keys=True,
                         default=repr)
    return hashlib.sha256(content.encode('utf-8')).hexdigest()


def settings_record(settings: BenchmarkSettings) -> Dict[str, Any]:
    """What ``settings.json`` holds: the settings as JSON gives them back,
    the pretrained checkpoint's sha256 (a checkpoint replaced under the
    same path makes another run) and each stage config's
    (:func:`stage_config_sha256`: a config changed under the same name
    does too)."""
    record = json.loads(json.dumps(asdict(settings)))
    record['pretrained_sha256'] = (None if settings.pretrained is None else
                                   sha256_of(settings.pretrained))
    record['stage_configs_sha256'] = {
        stage: stage_config_sha256(settings.config(stage))
        for stage in STAGES}
    return record


#: settings that only say where something lies (see check_same_settings)
_LOCATIONS = ('out_dir', 'pretrained', 'config_dir')
#: settings held per stage config (keys of ``CONFIGS``)
_PER_STAGE = ('iters', 'cfg_options', 'stage_configs_sha256')
#: the augmentation's label budget and sources: measured apart per value
#: (``label_budgets``), each in folders of its own
AUGMENTATION_SETTINGS = ('labels_per_video', 'augmentation_labels')
#: settings that change what a trained stage is compared with or which
#: stages train, not how one trains (its label files' sha256 stand for the
#: augmentation's)
_NOT_TRAINING = ('two_sided_posewarper',
                 'two_sided_optical_flow') + AUGMENTATION_SETTINGS


def check_same_settings(stored: Optional[Mapping[str, Any]],
                        settings: BenchmarkSettings, path: str,
                        ignore: Sequence[str] = ()) -> None:
    """Raise ``ValueError`` naming ``path`` unless ``stored`` (a
    :func:`settings_record`, ``None`` if missing) records ``settings``
    (but the settings named in ``ignore``): finished work is reused only
    when it was made the same way."""
    wanted = settings_record(settings)
    stored = stored or {}
    # where things are is not what they are: a run may be copied or moved,
    # and the sha256s stand for the checkpoint's bytes and the configs'
    # content wherever they lie
    differs = sorted(k for k in wanted if k not in _LOCATIONS + tuple(ignore)
                     and stored.get(k) != wanted[k])
    if differs:
        raise ValueError(
            f'{path}: the finished work in {settings.out_dir} was made with '
            f'other settings ({", ".join(differs)} differ or are missing); '
            'move the directory away to run it again')


def check_finished_run(settings: BenchmarkSettings,
                       ignore: Sequence[str] = ()) -> None:
    """Refuse to reuse a finished run made with other settings (but
    those named in ``ignore``; ``ValueError``) or a run that has not
    finished (``FileNotFoundError``)."""
    if not osp.isfile(settings.path('results.json')):
        raise FileNotFoundError(
            f'{settings.path("results.json")}: no finished run in '
            f'{settings.out_dir}; run the job there first')
    path = settings.path('settings.json')
    stored = read_json(path, expect=dict) if osp.isfile(path) else None
    check_same_settings(stored, settings, path, ignore)


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
                per_seed[seed] = read_json(done, expect=dict)
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

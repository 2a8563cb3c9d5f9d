"""What a sparse-benchmark run does: :class:`BenchmarkSettings`, the
stage configs of each run size (``CONFIGS``, ``STAGES``) and the keys of
the numbers a run reports (``RESULT_KEYS``, ``AUGMENTATION_LABELS``)."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from mmpose_posewarper.apis.source_fusion import TwoSidedFusion

from ..synthetic.generator import WARDROBES
from ..synthetic.imaging import LOOKS
from .pretrained import pretrained_checkpoint

#: the project's stage configs (projects/sparse_benchmark/configs/ of the
#: checkout: projects are not installed with the package)
CONFIG_DIR = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                      'configs')
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


def check_iters(iters: Mapping[str, int], what: str) -> None:
    """Raise ``ValueError`` unless ``iters`` maps stages to >= 1
    iteration."""
    check_stages(iters, what)
    short = [f'{k}={v}' for k, v in iters.items() if v < 1]
    if short:
        raise ValueError(f'{what}: {", ".join(short)}: a stage trains >= 1 '
                         'iteration')


#: results.json: section -> its keys (each a PoseTrack Total AP, percent)
RESULT_KEYS = dict(
    propagation=('posewarper', 'optical_flow', 'copy_nearest',
                 'single_frame', 'interpolation', 'two_sided_posewarper',
                 'two_sided_optical_flow'),
    augmentation=('sparse_only', 'sparse_plus_propagated',
                  'sparse_plus_optical_flow', 'sparse_plus_ground_truth'),
    aggregation=('single_frame', 'temporal'),
    # only with a pretrained checkpoint: it on the val videos imaged and
    # dressed as the pretraining stills and as they are
    domain_gap=('pretrained_stills_look', 'pretrained'))
#: the augmentation's sources of added labels -> its results.json key; the
#: default run trains the first three (``BenchmarkSettings
#: .augmentation_labels``), the ground truth being that of the people
#: PoseWarper labeled
AUGMENTATION_LABELS = dict(
    posewarper='sparse_plus_propagated',
    ground_truth='sparse_plus_ground_truth',
    optical_flow='sparse_plus_optical_flow',
    two_sided_posewarper='sparse_plus_two_sided')
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
            HRNet; ``'shipped'`` (default) is the project's pretrained
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
        wardrobe: What the train and val videos' people wear
            (``synthetic.generator.WARDROBES``): ``'suits'``, one-piece
            suits the pretraining stills' people never wear; ``'stills'``
            as the stills' people (the benchmark of the video look's
            first runs, 2026-12-07). ``None`` (default): suits, and the
            stills' clothes for quick runs (no pretrained model, so no
            domain gap to bridge; their tiny model trained from scratch
            in 100 iterations warps too coarsely on suits for the
            other-video control to drop).
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
    wardrobe: Optional[str] = None
    labels_per_video: int = 1
    augmentation_labels: Tuple[str, ...] = ('posewarper', 'ground_truth',
                                            'optical_flow')

    def __post_init__(self) -> None:
        if self.look not in LOOKS:
            raise ValueError(f'look must be one of {LOOKS}, got '
                             f'{self.look!r}')
        if self.wardrobe is None:
            self.wardrobe = 'stills' if self.quick else 'suits'
        if self.wardrobe not in WARDROBES:
            raise ValueError(f'wardrobe must be one of {WARDROBES}, got '
                             f'{self.wardrobe!r}')
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
        check_iters(self.iters, 'iters')
        check_stages(self.cfg_options, 'cfg_options')

    def config(self, stage: str) -> str:
        name = self.configs.get(
            stage, CONFIGS['quick' if self.quick else 'default'][stage])
        return osp.join(self.config_dir, name)

    def path(self, *parts: str) -> str:
        return osp.join(self.out_dir, *parts)


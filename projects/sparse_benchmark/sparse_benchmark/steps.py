"""The main job's steps: :class:`SparseBenchmark`, one method per step
(data, sparse labels, training, the propagation comparison, the
augmentation's labels, evaluation, report), each writing into the run
folder (:mod:`.run_folder`); :func:`~.job.run_sparse_benchmark` runs them
in order."""
import copy
import os.path as osp
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from mmpose_posewarper.apis.label_propagator import LabelPropagator
from mmpose_posewarper.apis.model import init_model
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_video,
                                                     write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_videos import videos_to_coco
from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.json_file import read_json

from ..synthetic import SyntheticConfig
from . import data as bdata
from .baselines import (CopyNearest, Interpolation, OpticalFlowWarp,
                        SingleFrameOnTarget, TwoSidedKeypoints)
from .job_log import LOGGER
from .propagation_eval import (PoseWarperMethod, TwoSidedPoseWarper,
                               prediction_videos, propagate_videos,
                               propagated_videos, propagation_pairs,
                               run_propagation, run_two_sided,
                               score_by_distance, score_predictions,
                               shuffled_frame_source, two_sided_plans)
from .run_folder import (AUGMENTATION_SETTINGS, COMPARISON_SETTINGS,
                         finished_step, marked_checkpoint, stage_marker,
                         stage_record, step_record, write_stage_marker,
                         write_step_marker)
from .settings import STAGES, BenchmarkSettings
from .training import stage_config, test_stage, train_stage


class SparseBenchmark:
    """Runs the benchmark's steps; see :func:`~.job.run_sparse_benchmark`."""

    def __init__(self, settings: BenchmarkSettings) -> None:
        self.s = settings
        self.device = settings.device or ('cuda' if torch.cuda.is_available()
                                          else 'cpu')
        self.timings: Dict[str, float] = {}
        self.data_root = settings.path('data')
        self.ckpt: Dict[str, str] = {}
        self.cfg: Dict[str, Any] = {}
        #: stages and steps reused from an earlier run in the same folder
        self.reused: List[str] = []

    # -- data ---------------------------------------------------------------
    def generate(self) -> None:
        config = (SyntheticConfig.quick(self.s.seed) if self.s.quick else
                  SyntheticConfig(seed=self.s.seed))
        train_videos = self.s.train_videos or (8 if self.s.quick else 36)
        val_videos = self.s.val_videos or (2 if self.s.quick else 8)
        config = replace(config, num_train_videos=train_videos,
                         num_val_videos=val_videos, look=self.s.look,
                         wardrobe=self.s.wardrobe)
        bdata.generate_data(self.data_root, config, workers=self.s.workers,
                            logger=LOGGER)
        if self.s.pretrained is not None and (
                self.s.look, self.s.wardrobe) != ('stills', 'stills'):
            # the same val videos (scenes, people, motion, ground truth)
            # imaged and dressed as the pretraining stills are
            bdata.generate_data(
                self.s.path('data_stills_look'),
                replace(config, num_train_videos=0, look='stills',
                        wardrobe='stills'),
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
        not there yet): :func:`~.run_folder.stage_record`."""
        return stage_record(self.s, stage, self._stage_inputs(stage))

    def finished_stage(self, stage: str) -> Optional[str]:
        """The checkpoint of ``stage`` if this folder holds one trained with
        the same settings and inputs (its marker
        ``DIR/steps/<stage>.json`` says so and the checkpoint's sha256
        agrees), else ``None``."""
        marker = stage_marker(self.s, self.run_name(stage))
        if not osp.isfile(marker):
            return None
        return marked_checkpoint(self.s, stage,
                                 read_json(marker, expect=dict),
                                 self._stage_record(stage))

    def _train(self, stage: str) -> None:
        self.cfg[stage] = self.stage_cfg(stage)
        ckpt = self.finished_stage(stage)
        if ckpt is not None:
            self._reusing(self.run_name(stage), f'{stage}: {ckpt}')
        else:
            ckpt = train_stage(self.cfg[stage])
            record = self._stage_record(stage)
            if record is not None:  # else its inputs cannot be fingerprinted
                write_stage_marker(self.s, self.run_name(stage), record, ckpt)
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
        return init_model(self.cfg[stage], self.ckpt[stage],
                          device=self.device,
                          require_warping=stage == 'posewarper')

    def compare_propagation(self) -> None:
        """All methods propagate the val videos' sparse labels to the
        frames within ±K; scored against the dense ground truth. The
        controls (see :mod:`.propagation_eval`) run PoseWarper and the flow
        baseline on the labeled frames themselves and on frames taken from
        another video."""
        record = step_record(self.s, 'propagation',
                             ('single_frame', 'posewarper'),
                             [self.ckpt['single_frame'],
                              self.ckpt['posewarper']],
                             unused=AUGMENTATION_SETTINGS)
        done = finished_step(self.s, 'propagation', record)
        if done is not None:
            self._reusing('propagation', 'the propagation comparison')
            self.propagation_scores = done['scores']
            self.propagation_by_distance = {
                method: {int(d): v for d, v in values.items()}
                for method, values in done['by_distance'].items()}
        else:
            self._compare_propagation(record)
        for name, value in self.propagation_scores.items():
            print_log(f'propagation {name}: {value:.1f} mAP', logger=LOGGER)
        for name, values in self.propagation_by_distance.items():
            print_log(f'propagation {name} by distance: ' + ', '.join(
                f'±{d}: {v:.1f}' for d, v in values.items()), logger=LOGGER)

    def _compare_propagation(self, record: Optional[Mapping[str, Any]]
                             ) -> None:
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
        propagated: Dict[str, Any] = {}
        self.propagation_scores: Dict[str, float] = {}
        written = []
        for name, method, method_pairs, source in runs:
            if source == 'both':
                preds = run_two_sided(method, sparse, method_pairs,
                                      self.data_root, progress=progress)
            else:
                preds = run_propagation(method, sparse, method_pairs,
                                        self.data_root, target_frame=source,
                                        progress=progress)
            propagated[name] = preds
            self.propagation_scores[name] = float(
                score_predictions(preds, gt)['Total'])
            for vname, video in prediction_videos(preds, gt).items():
                written.append(self.s.path('propagation', name,
                                           f'{vname}.json'))
                write_posetrack_video(written[-1], video)
        print()
        # what the distance to the labeled frame costs each method
        self.propagation_by_distance = {
            m.name: score_by_distance(propagated[m.name], gt, pairs)
            for m in methods + two_sided
        }
        write_step_marker(
            self.s, 'propagation', record,
            dict(scores=self.propagation_scores,
                 by_distance={m: {str(d): v for d, v in values.items()}
                              for m, values in
                              self.propagation_by_distance.items()}),
            outputs=written)

    def augmentation_labels(self) -> None:
        """The labels each source adds to the per-video manual labels: its
        poses on the frames within ±K of them (the original's augmentation
        script: PoseWarper's, joints scoring above ``min_joint_score``);
        ``ground_truth``: the true poses of the people PoseWarper labeled
        (what perfect propagation would add). Each source's labels are a
        step of their own
        (``DIR/steps/<N>_per_video/labels_<source>.json``)."""
        self.added_files: Dict[str, str] = {}
        self.added_videos: Dict[str, List[str]] = {}
        for source in self.s.augmentation_labels:
            name = osp.join(self.budget, f'labels_{source}')
            inputs = [self.ckpt['posewarper'], self.per_video_file]
            if source == 'ground_truth':
                # the people PoseWarper's labels hold
                inputs += self._added_videos('posewarper')
            record = step_record(self.s, name, ('posewarper', ),
                                 inputs, unused=('augmentation_labels', ))
            path = self.s.path('propagated_train', self.budget,
                               f'{source}.json')
            counts = finished_step(self.s, name, record)
            if counts is not None:
                self._reusing(name, f'the labels of {source}')
            else:
                counts = self._add_labels(source, path)
                write_step_marker(self.s, name, record, counts, outputs=[
                    path, *(self._label_file(source, video)
                            for video in counts['videos'])])
            self.added_videos[source] = counts['videos']
            self.added_files[source] = path
            print_log(f'{source}: {counts["people"]} people on '
                      f'{counts["frames"]} train frames added to the '
                      'per-video manual labels', logger=LOGGER)

    def _label_file(self, source: str, video: str) -> str:
        """The file of ``source``'s augmentation labels of one video."""
        return self.s.path('propagated_train', self.budget, source,
                           f'{video}.json')

    def _added_videos(self, source: str) -> List[str]:
        """The per-video files of ``source``'s augmentation labels."""
        return [self._label_file(source, video)
                for video in self.added_videos[source]]

    def _add_labels(self, source: str, path: str) -> Dict[str, int]:
        """Propagate (or take) ``source``'s labels of the per-video manual
        labels; write them per video and, filtered, as COCO to ``path``."""
        videos = self.per_video
        if source == 'ground_truth':
            propagated = {
                name: load_posetrack_video(
                    self._label_file('posewarper', name),
                    keypoint_dtype=np.float64)
                for name in self.added_videos['posewarper']}
            out, absent = bdata.ground_truth_of_propagated(
                propagated, self.gt['train'])
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
            out = propagate_videos(
                LabelPropagator(self.load_model('posewarper')), videos,
                self.data_root, self.s.propagate_k,
                self.s.two_sided_posewarper
                if source == 'two_sided_posewarper' else None)
            print()
        for name, video in out.items():
            write_posetrack_video(self._label_file(source, name), video)
        videos_written = sorted(out)
        if source != 'ground_truth':
            out = {name: bdata.keep_confident_joints(
                video, self.s.min_joint_score)
                   for name, video in out.items()}
        coco = videos_to_coco(out, people=(
            'all' if source == 'ground_truth' else 'propagated'))
        write_json_atomic(path, coco)
        return dict(people=len(coco['annotations']),
                    frames=len(coco['images']), videos=videos_written)

    # -- evaluation ---------------------------------------------------------
    def evaluate_models(self) -> None:
        """Single-frame models and temporal aggregation on every val frame
        (ground-truth boxes)."""
        self.model_scores = {
            stage: self.score(stage)
            for stage in ['single_frame', 'posewarper'] +
            self.augmentation_stages()
        }
        if self.s.pretrained is not None:
            # the domain gap: the pretrained estimator before fine-tuning,
            # on the val videos and on them imaged and dressed as the stills
            self.model_scores['pretrained'] = self.score(
                'single_frame', self.s.pretrained, name='pretrained')
            stills = self.s.path('data_stills_look')
            if osp.isdir(stills):
                self.model_scores['pretrained_stills_look'] = self.score(
                    'single_frame', self.s.pretrained, data_root=stills,
                    name='pretrained_stills_look')
        for name, value in self.model_scores.items():
            print_log(f'val {name}: {value:.1f} mAP', logger=LOGGER)

    def score(self, stage: str, checkpoint: Optional[str] = None,
              data_root: Optional[str] = None,
              name: Optional[str] = None) -> float:
        """:meth:`test` as a step of its own, reused while its marker
        ``DIR/steps/scores/<name>.json`` (``name``: the stage's run name)
        records the same checkpoint, config and data."""
        name = osp.join('scores', name or self.run_name(stage))
        record = step_record(
            self.s, name, (stage if stage in STAGES else 'augmented', ),
            [checkpoint or self.ckpt[stage]],
            unused=COMPARISON_SETTINGS + AUGMENTATION_SETTINGS)
        if record is not None:
            record['data'] = osp.relpath(data_root or self.data_root,
                                         self.s.out_dir)
        value = finished_step(self.s, name, record)
        if value is not None:
            self._reusing(name, name)
            return float(value)
        value = self.test(stage, checkpoint, data_root)
        write_step_marker(self.s, name, record, value)
        return value

    def _reusing(self, name: str, what: str) -> None:
        print_log(f'{what}: reused, made in this folder with the same '
                  f'settings and inputs (DIR/steps/{name}.json)',
                  logger=LOGGER)
        self.reused.append(name)

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

"""PoseTrack AP metric (official poseval numbers, without poseval)."""
import os.path as osp
from collections import OrderedDict, defaultdict
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.evaluation.functional import oks_nms, soft_oks_nms
from mmpose.registry import METRICS
from ...datasets.posetrack_io import (NUM_KEYPOINTS, list_posetrack_dir,
                                      load_posetrack_video,
                                      write_posetrack_video)
from ...datasets.posetrack_predictions import predictions_to_videos
from ...utils.output import OutputSet
from ..functional.posetrack_ap import format_table, posetrack_ap


def _frame_key(path: str) -> str:
    """``<video dir>/<frame file>``: identifies a frame whatever the root."""
    parts = osp.normpath(path).replace('\\', '/').split('/')
    return '/'.join(parts[-2:])


@METRICS.register_module()
class PoseTrackAPMetric(BaseMetric):
    """PoseTrack multi-person pose estimation AP, equal to official poseval.

    Collects top-down predictions per frame, rescales and suppresses
    duplicates as MMPose's ``CocoMetric`` does, then scores them against the
    per-video PoseTrack18 ground truth in ``ann_dir`` with
    :func:`~mmpose_posewarper.evaluation.functional.posetrack_ap`, which
    equals poseval's ``evaluateAP``. Every video of ``ann_dir`` is evaluated
    (a video without predictions scores as all misses), as poseval does with
    a complete prediction directory. Works with predictions from GT boxes or
    from detected boxes (many, overlapping instances per frame).

    Args:
        ann_dir (str): Directory of official per-video PoseTrack18 GT files
            (e.g. ``data/posetrack18/annotations/val``).
        score_mode (str): Instance score used for NMS: ``'bbox'``,
            ``'keypoint'`` (mean keypoint score) or ``'bbox_keypoint'`` (bbox
            score x mean of keypoint scores above ``keypoint_score_thr``).
            Defaults to ``'bbox_keypoint'``.
        keypoint_score_thr (float): See ``score_mode``. Defaults to 0.2.
        nms_mode (str): ``'oks_nms'``, ``'soft_oks_nms'`` or ``'none'``.
            Defaults to ``'oks_nms'``.
        nms_thr (float): OKS threshold of the NMS. Defaults to 0.9.
        joint_score_mode (str): Per-joint score that ranks the predicted
            joints for the AP (and is written as ``scores``):
            ``'keypoint'`` (the predicted keypoint score, as the original
            PoseWarper), ``'instance'`` (the instance score for all joints)
            or ``'keypoint_instance'`` (their product). Defaults to
            ``'keypoint'``.
        outfile_prefix (str, optional): If given, the predictions are written
            to the directory ``outfile_prefix`` as one PoseTrack18 file per
            GT video (same names), so poseval itself can be run on them:
            ``python -m poseval.evaluate -g ANN_DIR/ -p OUTFILE_PREFIX/ -e``.
            The files are written as one set (``utils.output.OutputSet``:
            staged, moved into place together, replacing those of an earlier
            evaluation); ``outfile_prefix`` may not be ``ann_dir``.
        format_only (bool): Only write the predictions (needs
            ``outfile_prefix``), return no metrics. Defaults to False.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'posetrack'``.
    """
    default_prefix: Optional[str] = 'posetrack'
    _score_modes = ('bbox', 'keypoint', 'bbox_keypoint')
    _nms_modes = ('oks_nms', 'soft_oks_nms', 'none')
    _joint_score_modes = ('keypoint', 'instance', 'keypoint_instance')

    def __init__(self,
                 ann_dir: str,
                 score_mode: str = 'bbox_keypoint',
                 keypoint_score_thr: float = 0.2,
                 nms_mode: str = 'oks_nms',
                 nms_thr: float = 0.9,
                 joint_score_mode: str = 'keypoint',
                 outfile_prefix: Optional[str] = None,
                 format_only: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        for name, value, choices in (
            ('score_mode', score_mode, self._score_modes),
            ('nms_mode', nms_mode, self._nms_modes),
            ('joint_score_mode', joint_score_mode, self._joint_score_modes),
        ):
            if value not in choices:
                raise ValueError(f'{self.__class__.__name__}: {name} must be '
                                 f'one of {choices}, got {value!r}')
        if not osp.isdir(ann_dir):
            raise NotADirectoryError(
                f'{self.__class__.__name__}: ann_dir {ann_dir!r} is not a '
                'directory of per-video PoseTrack18 files')
        if format_only and outfile_prefix is None:
            raise ValueError(f'{self.__class__.__name__}: format_only needs '
                             'outfile_prefix (where to write)')
        self.ann_dir = ann_dir
        self.score_mode = score_mode
        self.keypoint_score_thr = keypoint_score_thr
        self.nms_mode = nms_mode
        self.nms_thr = nms_thr
        self.joint_score_mode = joint_score_mode
        self.outfile_prefix = outfile_prefix
        self.format_only = format_only

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        """Collect the predicted instances of each sample.

        Args:
            data_batch (Sequence[dict]): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs (as dicts) with
                ``pred_instances`` (``keypoints`` (N, K, 2),
                ``keypoint_scores`` (N, K), optionally ``bbox_scores``),
                ``id``, ``img_id``, ``img_path`` (str, or a list whose index
                0 is the reference frame) and optionally ``gt_instances``
                (``bbox_scores`` from the detector, ``bbox_scales``).
        """
        for sample in data_samples:
            if 'pred_instances' not in sample:
                raise ValueError(f'{self.__class__.__name__}: data sample '
                                 f'{sample.get("id")} has no pred_instances')
            pred = sample['pred_instances']
            keypoints = np.asarray(_to_numpy(pred['keypoints']), np.float64)
            scores = np.asarray(_to_numpy(pred['keypoint_scores']),
                                np.float64)
            if keypoints.ndim != 3 or keypoints.shape[1:] != (
                    NUM_KEYPOINTS, 2) or scores.shape != keypoints.shape[:2]:
                raise ValueError(
                    f'{self.__class__.__name__}: sample {sample.get("id")}: '
                    'pred_instances.keypoints must be (N, 17, 2) and '
                    f'keypoint_scores (N, 17), got {keypoints.shape} and '
                    f'{scores.shape}')
            gt = sample.get('gt_instances', {})
            if 'bbox_scores' in pred:
                bbox_scores = _to_numpy(pred['bbox_scores'])
            elif 'bbox_scores' in gt and len(gt['bbox_scores']) == len(
                    keypoints):
                # top-down on detected boxes: the detector's scores
                bbox_scores = _to_numpy(gt['bbox_scores'])
            else:
                bbox_scores = np.ones(len(keypoints))
            if 'bbox_scales' in gt and len(gt['bbox_scales']) == len(
                    keypoints):
                areas = np.prod(_to_numpy(gt['bbox_scales']), axis=1)
            else:
                areas = None
            img_path = sample.get('img_path')
            if isinstance(img_path, (list, tuple)):
                img_path = img_path[0]  # index 0 = the reference frame
            self.results.append(
                dict(
                    id=sample.get('id'),
                    img_id=sample.get('img_id'),
                    img_path=img_path,
                    keypoints=keypoints,
                    keypoint_scores=scores,
                    bbox_scores=np.asarray(bbox_scores,
                                           np.float64).reshape(-1),
                    areas=areas))

    def _load_gt(self) -> 'OrderedDict[str, dict]':
        """GT videos in poseval's order (name -> (path, video))."""
        videos = OrderedDict()
        for path in list_posetrack_dir(self.ann_dir):
            name = osp.splitext(osp.basename(path))[0]
            videos[name] = (path,
                            load_posetrack_video(
                                path, keypoint_dtype=np.float64))
        return videos

    def _instance_score(self, kpt_scores: np.ndarray,
                        bbox_score: float) -> float:
        """Instance score, as MMPose's CocoMetric (``score_mode``)."""
        if self.score_mode == 'bbox':
            return float(bbox_score)
        if self.score_mode == 'keypoint':
            return float(np.mean(kpt_scores))
        valid = kpt_scores[kpt_scores > self.keypoint_score_thr]
        mean = float(valid.mean()) if len(valid) else 0.0
        return float(bbox_score) * mean

    def _group_predictions(self, results: List[dict],
                           gt_videos: Dict[str, tuple]) -> Dict[Any, list]:
        """Group the predicted instances by GT image id, NMS them and give
        every joint its AP score."""
        ids = {}
        by_frame = {}
        for _, video in gt_videos.values():
            for img in video['images']:
                ids[img['id']] = img['id']
                by_frame[_frame_key(img['file_name'])] = img['id']
        instances = defaultdict(dict)
        for res in results:
            img_id = ids.get(res['img_id'])
            if img_id is None and res['img_path'] is not None:
                img_id = by_frame.get(_frame_key(res['img_path']))
            if img_id is None:
                raise ValueError(
                    f'{self.__class__.__name__}: prediction {res["id"]} '
                    f'(img_id {res["img_id"]!r}, img_path '
                    f'{res["img_path"]!r}) is for a frame that is in no '
                    f'video of ann_dir {self.ann_dir}')
            for n in range(len(res['keypoints'])):
                kpts = res['keypoints'][n]
                area = res['areas'][n] if res['areas'] is not None else (
                    np.ptp(kpts[:, 0]) * np.ptp(kpts[:, 1]))
                inst = dict(
                    keypoints=np.concatenate(
                        [kpts, res['keypoint_scores'][n][:, None]], axis=1),
                    keypoint_scores=res['keypoint_scores'][n],
                    score=self._instance_score(res['keypoint_scores'][n],
                                               res['bbox_scores'][n]),
                    area=float(area))
                # multi-process testing may return a sample twice: the key
                # drops duplicates
                instances[img_id][(res['id'], n)] = inst

        predictions = {}
        sigmas = (self.dataset_meta or {}).get('sigmas')
        for img_id, insts in instances.items():
            insts = [insts[k] for k in sorted(insts, key=repr)]
            if self.nms_mode != 'none' and insts:
                nms = oks_nms if self.nms_mode == 'oks_nms' else soft_oks_nms
                keep = nms(insts, self.nms_thr, sigmas=sigmas)
                insts = [insts[k] for k in keep]
            people = []
            for inst in insts:
                kscores = inst['keypoint_scores']
                if self.joint_score_mode == 'instance':
                    joint = np.full_like(kscores, inst['score'])
                elif self.joint_score_mode == 'keypoint_instance':
                    joint = kscores * inst['score']
                else:
                    joint = kscores
                people.append(
                    dict(
                        keypoints=inst['keypoints'][:, :2],
                        keypoint_scores=joint,
                        score=inst['score']))
            predictions[img_id] = people
        return predictions

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Score the collected predictions.

        Args:
            results (list): What :meth:`process` collected.

        Returns:
            dict: ``Head AP``, ``Shou AP``, ``Elb AP``, ``Wri AP``,
            ``Hip AP``, ``Knee AP``, ``Ankl AP``, ``AP`` (the total), and
            ``AP precision`` / ``AP recall`` (poseval's total precision and
            recall at the lowest score), all in percent; the names are those
            of MMPose's ``PoseTrack18Metric``.
        """
        logger = MMLogger.get_current_instance()
        gt_videos = self._load_gt()
        predictions = self._group_predictions(results, gt_videos)
        pred_videos = predictions_to_videos(
            OrderedDict((k, v[1]) for k, v in gt_videos.items()), predictions)
        if self.outfile_prefix is not None:
            # one set, replaced every evaluation: staged beside the files and
            # moved into place together (an interrupted validation leaves the
            # previous epoch's files); never over the ground truth
            output = OutputSet(
                self.outfile_prefix,
                names=[f'{name}.json' for name in pred_videos],
                overwrite=True,
                inputs=[
                    osp.join(self.ann_dir, f'{name}.json')
                    for name in pred_videos
                ],
                option='outfile_prefix')
            with output:
                for name, video in pred_videos.items():
                    write_posetrack_video(
                        output.path(f'{name}.json'), video)
            logger.info(f'PoseTrack18 predictions written to '
                        f'{self.outfile_prefix}/ (evaluate them with poseval '
                        f'or tools/eval_posetrack.py)')
        if self.format_only:
            return {}
        result = posetrack_ap([
            (gt, pred_videos[name], path, f'predictions for {name}')
            for name, (path, gt) in gt_videos.items()
        ])
        logger.info('PoseTrack Average Precision (AP), as poseval:\n' +
                    format_table(result['ap']))
        metrics = OrderedDict()
        for key in ('Head', 'Shou', 'Elb', 'Wri', 'Hip', 'Knee', 'Ankl'):
            metrics[f'{key} AP'] = result[key]
        metrics['AP'] = result['Total']
        metrics['AP precision'] = float(result['precision'][-1])
        metrics['AP recall'] = float(result['recall'][-1])
        return metrics


def _to_numpy(value: Any) -> np.ndarray:
    """Tensors (from the model) or arrays to numpy."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)

"""PoseTrack18 prediction files: predicted people as PoseTrack18 videos
(validated by :func:`~.posetrack_io.parse_posetrack_video`) and their
writing, one file per video. One builder serves the metric and the tools
(predictions keyed by the ground truth's image ids) and the inferencer
(per-frame instance dicts of a video without ground truth)."""
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np

from ..utils.output import OutputSet
from .posetrack_io import (NUM_KEYPOINTS, parse_posetrack_video,
                           posetrack18_categories, video_to_json,
                           write_posetrack_video)

def _prediction_keypoints(pred: Mapping[str, Any], field: str
                          ) -> np.ndarray:
    """Canonical (17, 3) [x, y, score] array of one predicted person."""
    kpts = np.asarray(pred['keypoints'], dtype=np.float64)
    if kpts.shape not in ((NUM_KEYPOINTS, 2), (NUM_KEYPOINTS, 3)):
        raise ValueError(f'{field}.keypoints: expected shape '
                         f'({NUM_KEYPOINTS}, 2) or ({NUM_KEYPOINTS}, 3), '
                         f'got {kpts.shape}')
    if kpts.shape[1] == 2:
        scores = np.asarray(pred['keypoint_scores'], np.float64).reshape(-1)
        if scores.shape != (NUM_KEYPOINTS, ):
            raise ValueError(f'{field}.keypoint_scores: expected '
                             f'{NUM_KEYPOINTS} values, got {scores.shape}')
        kpts = np.concatenate([kpts, scores[:, None]], axis=1)
    if not np.isfinite(kpts).all():
        raise ValueError(f'{field}: keypoints must be finite')
    return kpts


def _annotation(image_id: Any, p: int, pred: Mapping[str, Any],
                field: str) -> Dict[str, Any]:
    """The annotation of predicted person ``p`` of image ``image_id``
    (``id = image_id * 100 + p``, as poseval's converter numbers them)."""
    kpts = _prediction_keypoints(pred, field)
    ann = dict(
        id=(image_id * 100 + p)
        if isinstance(image_id, int) else f'{image_id}_{p}',
        image_id=image_id,
        category_id=1,
        track_id=int(pred.get('track_id', p)),
        keypoints=kpts,
        scores=kpts[:, 2].copy(),
        bbox=None,
        bbox_head=None)
    if pred.get('bbox') is not None:
        ann['bbox'] = np.asarray(pred['bbox'], np.float64).reshape(4)
    if pred.get('score') is not None:
        ann['score'] = float(pred['score'])
    if pred.get('bbox_score') is not None:
        ann['bbox_score'] = float(pred['bbox_score'])
    return ann


def prediction_video(name: str, images: Sequence[Mapping[str, Any]],
                     people_per_image: Sequence[Sequence[Mapping[str, Any]]]
                     ) -> Dict[str, Any]:
    """One prediction video, validated.

    Args:
        name (str): The video's name (in error messages).
        images (Sequence): The frames' image entries, in order (``id``,
            ``file_name``, ...).
        people_per_image (Sequence): Per image, its predicted people, each
            a mapping with ``keypoints`` ((17, 2) with ``keypoint_scores``
            (17,), or (17, 3) [x, y, score]) and optional ``track_id``
            (default: the person's index), ``score`` (instance score),
            ``bbox`` ([x, y, w, h]) and ``bbox_score``.

    Returns:
        dict: The video in the loader's layout (float64 keypoints); a
        problem (duplicate track ids, ...) raises here, not in poseval.
    """
    annotations = []
    for img, people in zip(images, people_per_image):
        for p, pred in enumerate(people):
            annotations.append(
                _annotation(img['id'], p, pred,
                            f'predictions[{img["id"]!r}][{p}]'))
    video = dict(
        images=list(images),
        annotations=annotations,
        categories=posetrack18_categories())
    return parse_posetrack_video(
        video_to_json(video),
        source=f'predictions for video {name}',
        keypoint_dtype=np.float64)


def predictions_to_videos(
        gt_videos: Mapping[str, Mapping[str, Any]],
        predictions: Mapping[Any, Sequence[Mapping[str, Any]]]
) -> Dict[str, Dict[str, Any]]:
    """Build one prediction video per GT video, frame for frame.

    poseval pairs prediction and GT frames by their position in the file, so
    every prediction file lists exactly the GT video's frames, in order.

    Args:
        gt_videos (Mapping): video name -> GT video (from the loader).
        predictions (Mapping): image id -> list of predicted people (see
            :func:`prediction_video`). Image ids that are in no GT video
            raise a ValueError.

    Returns:
        dict: video name -> prediction video (loader layout, float64).
    """
    known = {img['id'] for v in gt_videos.values() for img in v['images']}
    stray = [k for k in predictions if k not in known]
    if stray:
        raise ValueError(f'predictions: image ids {stray[:5]} are in none of '
                         'the ground-truth videos')
    videos = {}
    for name, gt in gt_videos.items():
        images = [{
            k: img[k]
            for k in ('id', 'file_name', 'frame_id', 'vid_id', 'nframes',
                      'frame_index') if k in img
        } for img in gt['images']]
        videos[name] = prediction_video(
            name, images,
            [predictions.get(img['id'], []) for img in images])
    return videos


def posetrack18_video(name: str,
                      predictions: Sequence[Sequence[Mapping[str, Any]]],
                      frame_names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Any]:
    """The PoseTrack18 video of an inferencer's predictions (a video
    without ground truth).

    Args:
        name (str): The video's name (``file_name`` is ``name/frame``).
        predictions (Sequence): Per frame, its instance dicts
            (``result['predictions'][0]`` of
            :class:`~mmpose_posewarper.apis.PoseWarperInferencer`:
            ``keypoints``, ``keypoint_scores``, ``bbox`` xyxy,
            ``bbox_score``, ``track_id``).
        frame_names (Sequence[str], optional): One file name per frame.
            Defaults to ``000000.jpg``, ``000001.jpg``, ...

    Returns:
        dict: :func:`prediction_video` of the frames: one image per frame,
        one annotation per person (``[x, y, score]`` keypoints, per-joint
        ``scores``, ``score`` their mean, ``bbox`` xywh, ``bbox_score``,
        ``track_id``), for :func:`~.posetrack_io.write_posetrack_video`.
    """
    images, people_per_image = [], []
    for t, people in enumerate(predictions):
        frame = frame_names[t] if frame_names else f'{t:06d}.jpg'
        images.append(
            dict(
                id=t,
                frame_id=t,
                file_name=f'{name}/{frame}',
                vid_id=name,
                nframes=len(predictions)))
        converted = []
        for p, person in enumerate(people):
            kpts = _prediction_keypoints(person, f'predictions[{t}][{p}]')
            x1, y1, x2, y2 = np.asarray(person['bbox'], np.float64)
            converted.append(
                dict(
                    keypoints=kpts,
                    track_id=person['track_id'],
                    score=float(kpts[:, 2].mean()),
                    bbox=[x1, y1, x2 - x1, y2 - y1],
                    bbox_score=person['bbox_score']))
        people_per_image.append(converted)
    return prediction_video(name, images, people_per_image)


def write_posetrack_predictions(
        out_dir: str, gt_videos: Mapping[str, Mapping[str, Any]],
        predictions: Mapping[Any, Sequence[Mapping[str, Any]]]
) -> Dict[str, str]:
    """Write predictions as one PoseTrack18 file per GT video, all together
    (an error or interrupt leaves none of them half-written).

    The files can be evaluated by poseval itself
    (``python -m poseval.evaluate -g GT_DIR/ -p OUT_DIR/ -e``) or by
    ``tools/eval_posetrack.py``. Each predicted keypoint is written as
    ``[x, y, score]`` with the same per-joint ``scores`` (the AP ranking
    score, as MMPose's PoseTrack18 metric does).

    Args:
        out_dir (str): Output directory (created if needed).
        gt_videos (Mapping): video name -> GT video, see
            :func:`predictions_to_videos`.
        predictions (Mapping): image id -> list of predicted people, see
            :func:`predictions_to_videos`.

    Returns:
        dict: video name -> written file path.
    """
    videos = predictions_to_videos(gt_videos, predictions)
    # one set: staged in out_dir, moved into place together (files of an
    # earlier call are replaced, other files are left alone)
    output = OutputSet(
        out_dir, names=[f'{name}.json' for name in videos], overwrite=True)
    with output:
        for name, video in videos.items():
            write_posetrack_video(output.path(f'{name}.json'), video)
    return {name: osp.join(out_dir, f'{name}.json') for name in videos}


"""Data of the sparse benchmark: generation, sparse labels, COCO-style files.

The generated videos carry dense ground truth (every frame labeled). The
benchmark keeps the labels of every ``k``-th frame only, with the dataset
team's :func:`select_labeled_frames` (the same rule as
``PoseTrackFramePairDataset(sparse_cfg=dict(mode='every_k', k=k))``), and
writes them as per-video PoseTrack18 files (the input of label propagation)
and as COCO-style files (what MMPose's ``PoseTrack18Dataset`` reads).
"""
import copy
import json
import os.path as osp
from dataclasses import asdict
from typing import Any, Dict, Mapping, Tuple

import numpy as np
from mmengine.logging import print_log

from mmpose_posewarper.datasets.datasets.sparse_labels import \
    select_labeled_frames
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_dir,
                                                     write_posetrack_video)
from mmpose_posewarper.datasets.posetrack_videos import (frame_number,
                                                         videos_to_coco)
from mmpose_posewarper.utils.atomic_file import write_json_atomic
from mmpose_posewarper.utils.json_file import read_json

from ..synthetic import MANIFEST, SyntheticConfig, generate_dataset
from ..synthetic.generator import SPLITS

Videos = Dict[str, Dict[str, Any]]


def generate_data(root: str, config: SyntheticConfig, workers: int = 1,
                  logger: str = 'current') -> bool:
    """Generate the synthetic videos into ``root`` unless the same
    generation (same config, seed included) is already complete there.

    Args:
        root (str): Dataset directory.
        config (SyntheticConfig): Sizes and seed.
        workers (int): Generator processes (the output does not depend on
            it).
        logger (str): MMLogger name for messages.

    Returns:
        bool: True if the data was generated, False if it was reused.
    """
    manifest = osp.join(root, MANIFEST)
    if osp.isfile(manifest):
        previous = read_json(manifest, expect=dict).get('config')
        # JSON turns tuples into lists: compare in JSON form
        if previous == json.loads(json.dumps(asdict(config))):
            print_log(f'reusing the synthetic videos in {root} (same config '
                      'and seed)', logger=logger)
            return False
    generate_dataset(root, config, workers=workers, overwrite=True)
    return True


def load_split(data_root: str, split: str) -> Videos:
    """The dense ground truth of one split (video name -> video)."""
    return load_posetrack_dir(osp.join(data_root, 'annotations', split))


def sparse_video(video: Mapping[str, Any], k: int,
                 phase: int = 0) -> Dict[str, Any]:
    """A copy of a densely labeled video that keeps the labels of every
    ``k``-th frame (frame number ``t % k == phase``) only.

    Every frame stays listed; frames that lose their labels get
    ``is_labeled: false`` and no people, as unlabeled PoseTrack frames.
    """
    labeled = {frame_number(img) for img in _frames_with_people(video)}
    return keep_labels(video, select_labeled_frames(
        labeled, dict(mode='every_k', k=k, phase=phase)))


def labels_per_video(video: Mapping[str, Any], n: int) -> Dict[str, Any]:
    """A copy of a sparsely labeled video (:func:`sparse_video`) that keeps
    the labels of ``n`` of its labeled frames with people, spread evenly:
    of ``L`` such frames in order, the ``floor((i + 0.5) L / n)``-th for
    ``i < n`` (the middle one for ``n = 1``; all of them if ``n >= L``).
    The augmentation's label budget: the original's N labeled frames per
    video."""
    if n < 1:
        raise ValueError(f'labels per video must be >= 1, got {n}')
    frames = sorted(frame_number(img) for img in _frames_with_people(video)
                    if img.get('is_labeled', True))
    if n < len(frames):
        frames = [frames[int((i + 0.5) * len(frames) / n)] for i in range(n)]
    return keep_labels(video, frames)


def _frames_with_people(video: Mapping[str, Any]) -> list:
    ids = {a['image_id'] for a in video['annotations']}
    return [img for img in video['images'] if img['id'] in ids]


def keep_labels(video: Mapping[str, Any], frames) -> Dict[str, Any]:
    """A copy of ``video`` labeled on ``frames`` (frame numbers) only: the
    other frames stay listed, ``is_labeled: false`` and without people."""
    kept = set(frames)
    t_of = {img['id']: frame_number(img) for img in video['images']}
    out = copy.deepcopy(dict(video))
    for img in out['images']:
        img['is_labeled'] = t_of[img['id']] in kept
    out['annotations'] = [
        a for a in out['annotations'] if t_of[a['image_id']] in kept
    ]
    return out


def keep_confident_joints(video: Mapping[str, Any],
                          min_score: float) -> Dict[str, Any]:
    """A copy of a propagated video that keeps only joints whose score is
    above ``min_score`` (the original's augmentation keeps joints scoring
    > 0.2); dropped joints become ``(0, 0, 0)`` and people left without a
    joint are dropped. Manual labels (no ``scores``) are kept as they are.
    """
    out = dict(video)
    anns = []
    for ann in video['annotations']:
        if ann.get('scores') is None:
            anns.append(ann)
            continue
        keep = np.asarray(ann['scores'], np.float64) > min_score
        keypoints = np.asarray(ann['keypoints'], np.float64).copy()
        keypoints[~keep] = 0
        placed = keypoints[:, 2] > 0
        if placed.any():
            anns.append(dict(ann, keypoints=keypoints,
                             num_keypoints=int(placed.sum())))
    out['annotations'] = anns
    return out


def ground_truth_of_propagated(
        propagated: Mapping[str, Mapping[str, Any]],
        gt: Mapping[str, Mapping[str, Any]]) -> Tuple[Videos, int]:
    """The dense ground truth of the people a propagation labeled.

    Propagation carries every person of the labeled frame to its
    neighbours, also to a frame the person is not in (not yet entered, or
    gone): such a person has no ground truth, and perfect labels have no
    person there.

    Args:
        propagated (Mapping): Video name -> propagated video (as
            ``apis.propagation.propagate_video`` returns it: people marked
            ``is_labeled: false``).
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


def write_videos(videos: Videos, ann_dir: str) -> None:
    """Write per-video PoseTrack18 files ``ann_dir/<video>.json``."""
    for name, video in videos.items():
        write_posetrack_video(osp.join(ann_dir, f'{name}.json'), video)


def write_coco(videos: Videos, path: str, people: str = 'all') -> int:
    """Write the people of ``videos`` as one COCO-style file (MMPose's
    ``PoseTrack18Dataset`` layout) and return how many there are."""
    coco = videos_to_coco(videos, people=people)
    # video_to_json inside videos_to_coco already made it JSON types
    write_json_atomic(path, coco)
    return len(coco['annotations'])



def split_coco_file(root: str, split: str) -> str:
    """Path of the COCO-style file of a generated split."""
    return osp.join(root, 'annotations', f'posetrack18_{split}.json')


def write_split_coco_files(root: str) -> Dict[str, int]:
    """Write :func:`split_coco_file` for every split of a generated dataset
    that has videos (all people, every frame); return people per split."""
    counts = {}
    for split in SPLITS:
        if osp.isdir(osp.join(root, 'annotations', split)):
            counts[split] = write_coco(load_split(root, split),
                                       split_coco_file(root, split))
    return counts

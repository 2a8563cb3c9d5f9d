"""Helpers shared by the dataset tests: tiny videos made of the real sample
frames (tests/_helpers/sample_data.py), dataset and transform builders."""
import json
from pathlib import Path
from typing import Dict, Optional, Sequence

import cv2
import numpy as np

from _helpers.sample_data import POSETRACK18_FRAMES as REAL_FRAMES
from _helpers.sample_data import REPO as REPO_ROOT  # noqa: F401

NUM_KPTS = 17
SMALL_W, SMALL_H = 96, 54


def synthetic_person(rng: np.random.Generator, w: int, h: int) -> dict:
    """A person with a box inside the image and 15 visible keypoints in it
    (ears unlabeled as in PoseTrack18)."""
    x0, y0 = rng.uniform(0, w * 0.4), rng.uniform(0, h * 0.3)
    bw, bh = w * 0.4, h * 0.6
    kpts = np.zeros((NUM_KPTS, 3))
    kpts[:, 0] = rng.uniform(x0, x0 + bw, NUM_KPTS)
    kpts[:, 1] = rng.uniform(y0, y0 + bh, NUM_KPTS)
    kpts[:, 2] = 1
    kpts[[3, 4]] = 0
    return dict(bbox=[x0, y0, bw, bh], keypoints=kpts.reshape(-1).round(3).tolist(),
                bbox_head=[x0, y0, bw / 4, bh / 5])


def write_video(root: Path,
                name: str,
                nframes: int,
                labeled: Sequence[int],
                people: int = 1,
                frames_on_disk: Optional[Sequence[int]] = None,
                identical_frames: bool = False,
                split: str = 'train',
                seed: int = 0,
                frame_base: int = 0,
                digits: int = 6) -> Dict[str, Path]:
    """Write a tiny PoseTrack18-format video under ``root``.

    Frames are the real 5 consecutive frames of the sample video, downscaled
    (cycled if ``nframes > 5``), or 5 copies of frame 0 with
    ``identical_frames``. Every frame in ``frames_on_disk`` (default: all) is
    written; ``labeled`` frames get ``people`` synthetic people each. Frames
    are numbered from ``frame_base`` with ``digits`` digits (PoseTrack18: 0
    and 6, PoseTrack17: 1 and 8).

    Returns:
        dict: ``ann`` (the per-video JSON path), ``img_dir`` (frame folder).
    """
    rng = np.random.default_rng(seed)
    vid_num = 100000 + seed
    img_dir = root / 'images' / split / name
    img_dir.mkdir(parents=True, exist_ok=True)
    all_frames = range(frame_base, frame_base + nframes)
    frames_on_disk = all_frames if frames_on_disk is None else frames_on_disk
    for t in frames_on_disk:
        src = REAL_FRAMES / f'{(0 if identical_frames else (t - frame_base) % 5):06d}.jpg'
        img = cv2.imread(str(src))
        assert img is not None, f'cannot read sample frame {src}'
        img = cv2.resize(img, (SMALL_W, SMALL_H), interpolation=cv2.INTER_AREA)
        # PNG-free: keep .jpg names as PoseTrack; quality 100 keeps copies equal
        cv2.imwrite(str(img_dir / f'{t:0{digits}d}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 100])

    images, anns = [], []
    for t in all_frames:
        img_id = int(f'1{vid_num:06d}{t:04d}')
        images.append(dict(
            id=img_id, file_name=f'images/{split}/{name}/{t:0{digits}d}.jpg', frame_id=img_id,
            vid_id=f'{vid_num:06d}', nframes=nframes, is_labeled=t in labeled,
            width=SMALL_W, height=SMALL_H))
        if t in labeled:
            for p in range(people):
                person = synthetic_person(rng, SMALL_W, SMALL_H)
                anns.append(dict(id=img_id * 100 + p, image_id=img_id, track_id=p,
                                 category_id=1, scores=[], num_keypoints=15, **person))
    from mmpose_posewarper.datasets.posetrack_io import posetrack18_categories
    ann_dir = root / 'annotations' / split
    ann_dir.mkdir(parents=True, exist_ok=True)
    ann_path = ann_dir / f'{name}.json'
    with open(ann_path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=posetrack18_categories()), f)
    return dict(ann=ann_path, img_dir=img_dir)


def dataset_cfg(ann_file, data_root, **kwargs) -> dict:
    cfg = dict(type='PoseTrackFramePairDataset', ann_file=str(ann_file),
               data_root=str(data_root), data_prefix=dict(img=''), serialize_data=False)
    cfg.update(kwargs)
    return cfg


def build_dataset(cfg: dict):
    """Build under MMPose's default scope, as the Runner does
    (``default_scope='mmpose'``), so pipelines find MMPose's transforms."""
    import mmpose_posewarper.datasets  # noqa: F401  (registers the dataset)
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS
    init_default_scope('mmpose')
    return DATASETS.build(cfg)


def build_transform(cfg: dict):
    """Build one transform under MMPose's default scope."""
    import mmpose_posewarper.datasets  # noqa: F401  (registers the transforms)
    from mmengine.registry import init_default_scope
    from mmpose.registry import TRANSFORMS
    init_default_scope('mmpose')
    return TRANSFORMS.build(cfg)

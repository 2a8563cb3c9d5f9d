"""Generating a whole synthetic PoseTrack18-format dataset on disk."""
import json
import os
import os.path as osp
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from typing import Any, Dict, List, Tuple

import numpy as np

from .generator import SPLITS, SyntheticConfig, SyntheticVideo, generate_video
from .writer import write_video

MANIFEST = 'synthetic_manifest.json'


def video_statistics(video: SyntheticVideo) -> Dict[str, float]:
    """Counts describing a video's difficulty (for the manifest/report)."""
    ann = [p for frame in video.people for p in frame if p.annotated]
    in_frame = sum(int(p.in_frame.sum()) for p in ann)
    visible = sum(int(p.visible.sum()) for p in ann)
    heights = [p.bbox[3] for p in ann]
    return dict(frames=video.num_frames, annotations=len(ann),
                keypoints_in_frame=in_frame, keypoints_visible=visible,
                mean_box_height=float(np.mean(heights)) if heights else 0.0)


def _generate_and_write(job: Tuple[SyntheticConfig, str, int, str]
                        ) -> Tuple[str, str, Dict[str, Any]]:
    config, split, index, root = job
    video = generate_video(config, split, index)
    write_video(root, video, config.jpeg_quality)
    stats = video_statistics(video)
    stats.update(actions=video.actions, scene=video.scene_kind)
    return split, video.name, stats


def _clear_previous(root: str) -> None:
    """Removes only what a previous generation wrote into ``root``."""
    for sub in ('images', 'annotations'):
        for split in SPLITS:
            path = osp.join(root, sub, split)
            if osp.isdir(path):
                shutil.rmtree(path)
    for split in SPLITS:
        # the COCO-style file a tool may have written beside the split
        merged = osp.join(root, 'annotations', f'posetrack18_{split}.json')
        if osp.isfile(merged):
            os.remove(merged)
    if osp.exists(osp.join(root, MANIFEST)):
        os.remove(osp.join(root, MANIFEST))


def generate_dataset(root: str, config: SyntheticConfig,
                     workers: int = 1,
                     overwrite: bool = False) -> Dict[str, Any]:
    """Generates and writes every video of ``config`` under ``root``.

    Args:
        root: dataset directory (created if needed).
        config: sizes and seed.
        workers: processes to generate videos in parallel; the output does
            not depend on it (each video has its own seed).
        overwrite: replace an existing generation in ``root``. Without it,
            a ``root`` that already holds images or annotations is refused,
            so stale videos of an earlier, bigger run never mix in.

    Returns:
        The manifest (also written to ``root/synthetic_manifest.json``, last,
        so its presence marks a complete dataset): config, per-video
        statistics and totals; plus ``generation_seconds`` (not in the file).
    """
    existing = [
        osp.join(root, sub, split) for sub in ('images', 'annotations')
        for split in SPLITS if osp.isdir(osp.join(root, sub, split))
    ]
    if existing or osp.exists(osp.join(root, MANIFEST)):
        if not overwrite:
            raise FileExistsError(
                f'{root} already holds a dataset ({existing or MANIFEST}); '
                'pass overwrite=True (--overwrite) to replace it')
        _clear_previous(root)
    os.makedirs(root, exist_ok=True)

    jobs = [(config, split, index, root) for split in SPLITS
            for index in range(config.num_videos(split))]
    start = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results: List = list(pool.map(_generate_and_write, jobs))
    else:
        results = [_generate_and_write(job) for job in jobs]
    seconds = time.perf_counter() - start

    videos = {split: {} for split in SPLITS}
    for split, name, stats in results:
        videos[split][name] = stats
    totals = {}
    for split in SPLITS:
        rows = list(videos[split].values())
        in_frame = sum(r['keypoints_in_frame'] for r in rows)
        totals[split] = dict(
            videos=len(rows), frames=sum(r['frames'] for r in rows),
            annotations=sum(r['annotations'] for r in rows),
            visible_fraction=(sum(r['keypoints_visible'] for r in rows) /
                              in_frame if in_frame else 0.0))
    manifest = dict(config=asdict(config), totals=totals, videos=videos)
    # The file holds no timings, so it is as reproducible as the data.
    with open(osp.join(root, MANIFEST), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=1)
    return dict(manifest, generation_seconds=round(seconds, 2))

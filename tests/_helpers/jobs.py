"""Helpers of the job tests (tools, demo, inferencer): tiny generated
PoseTrack18 videos and models, running tools."""
import os
import os.path as osp
import sys
from pathlib import Path
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np

from .sample_data import REPO

TINY_POSEWARPER = REPO / 'configs/posewarper/tiny/posewarper_tiny_64x48.py'
TINY_TOPDOWN = REPO / 'configs/posewarper/tiny/topdown_tiny_64x48.py'
TINY_DETECTOR = Path(__file__).parent / 'configs/tiny_retinanet_cpu.py'


def import_tool(name: str, folder: str = 'tools'):
    """Import ``<folder>/<name>.py`` (``tools/``, ``tools/analysis_tools/``,
    ``demo/``) as a module (no package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f'_tool_{name}',
                                                  REPO / folder / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiny_video(root: Path,
                     name: str = '000001_mpii_test',
                     nframes: int = 9,
                     labeled: Sequence[int] = (4, ),
                     shift: Tuple[float, float] = (0.0, 0.0),
                     size: Tuple[int, int] = (96, 128),
                     num_people: int = 2,
                     seed: int = 0) -> Dict[str, Path]:
    """Write a tiny video whose scene moves by ``shift`` (dx, dy) pixels per
    frame, with its sparse labels and its dense ground truth.

    Layout (PoseTrack18): ``root/images/val/<name>/%06d.jpg``,
    ``root/sparse/<name>.json`` (labels on ``labeled`` only, every frame
    listed) and ``root/dense/<name>.json`` (every frame labeled).

    Returns:
        dict: ``img_root``, ``sparse_dir``, ``dense_dir``, ``sparse_file``.
    """
    from mmpose_posewarper.datasets.posetrack_io import (
        posetrack18_categories, write_posetrack_video)

    rng = np.random.default_rng(seed)
    h, w = size
    margin = int(np.ceil(np.abs(shift).max() * nframes)) + 2
    # a smooth random texture, larger than a frame: frames are shifted crops
    big = rng.integers(0, 255, (h // 8 + margin, w // 8 + margin, 3),
                       dtype=np.uint8)
    big = cv2.resize(big, (w + 2 * margin, h + 2 * margin),
                     interpolation=cv2.INTER_CUBIC)
    frame_dir = root / 'images' / 'val' / name
    frame_dir.mkdir(parents=True, exist_ok=True)
    vid = name.split('_')[0]
    # people: a box and 17 joints in frame 0 (ears unlabeled, as PoseTrack)
    people = []
    for p in range(num_people):
        bw, bh = w * 0.3, h * 0.6
        x0 = w * (0.1 + 0.45 * p) + rng.uniform(0, 4)
        y0 = h * 0.2 + rng.uniform(0, 4)
        kpts = np.stack([
            rng.uniform(x0 + 0.15 * bw, x0 + 0.85 * bw, 17),
            rng.uniform(y0 + 0.1 * bh, y0 + 0.9 * bh, 17)
        ], axis=1)
        vis = np.ones(17)
        vis[[3, 4]] = 0
        people.append((np.array([x0, y0, bw, bh]), kpts, vis))

    images, sparse_anns, dense_anns = [], [], []
    for t in range(nframes):
        ox = margin + int(round(shift[0] * t))
        oy = margin + int(round(shift[1] * t))
        # the scene moves by +shift per frame: crop window moves by -shift
        frame = big[2 * margin - oy:2 * margin - oy + h,
                    2 * margin - ox:2 * margin - ox + w]
        cv2.imwrite(str(frame_dir / f'{t:06d}.jpg'), frame)
        img_id = int(f'1{vid}{t:04d}')
        images.append(
            dict(
                id=img_id,
                frame_id=img_id,
                file_name=f'images/val/{name}/{t:06d}.jpg',
                vid_id=vid,
                nframes=nframes,
                is_labeled=t in labeled))
        move = np.array([round(shift[0] * t), round(shift[1] * t)])
        for p, (box, kpts, vis) in enumerate(people):
            k = np.concatenate([kpts + move, vis[:, None]], axis=1)
            k[vis == 0] = 0
            ann = dict(
                id=img_id * 100 + p,
                image_id=img_id,
                category_id=1,
                track_id=p,
                keypoints=k,
                scores=None,
                bbox=np.array([box[0] + move[0], box[1] + move[1], box[2],
                               box[3]]),
                # 12 px head boxes: a PCKh@0.5 threshold of ~5 px
                bbox_head=np.array([k[0, 0] - 6, k[0, 1] - 6, 12, 12]),
                iscrowd=False)
            dense_anns.append(ann)
            if t in labeled:
                sparse_anns.append(ann)
    cats = posetrack18_categories()
    sparse_file = root / 'sparse' / f'{name}.json'
    write_posetrack_video(
        str(sparse_file),
        dict(images=images, annotations=sparse_anns, categories=cats))
    dense_images = [dict(img, is_labeled=True) for img in images]
    write_posetrack_video(
        str(root / 'dense' / f'{name}.json'),
        dict(images=dense_images, annotations=dense_anns, categories=cats))
    return dict(
        img_root=root,
        sparse_dir=root / 'sparse',
        dense_dir=root / 'dense',
        sparse_file=sparse_file,
        frame_dir=frame_dir)


def write_boxes(path, boxes_per_frame):
    """Write a demo ``--bboxes`` file: ``boxes_per_frame[t]`` on frame t."""
    import json
    data = [
        dict(frame_index=t, bbox=list(map(float, b)), score=0.9,
             category_id=1) for t, boxes in enumerate(boxes_per_frame)
        for b in boxes
    ]
    path.write_text(json.dumps(data))
    return path


def read_video(path):
    """Every frame of a video file (OpenCV)."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def save_detector(path: Path) -> Path:
    """Random weights of the tiny RetinaNet (``TINY_DETECTOR``), saved as
    an MMEngine-style checkpoint."""
    import torch
    from mmdet.apis import init_detector
    model = init_detector(
        str(TINY_DETECTOR), None, palette='random', device='cpu')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return path


def save_tiny_model(path: Path, config: Path = TINY_POSEWARPER,
                    identity: bool = True) -> Path:
    """Build a tiny model, initialise it (PoseWarper: identity warp) and save
    its weights as an MMEngine-style checkpoint."""
    import torch
    from mmengine.config import Config

    import mmpose_posewarper  # noqa: F401
    from mmpose.apis import init_model

    model = init_model(Config.fromfile(str(config)), None, device='cpu')
    if identity:
        model.init_weights()
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return path


def python() -> str:
    return sys.executable


def env_with_repo() -> Dict[str, str]:
    env = dict(os.environ)
    env['PYTHONPATH'] = str(REPO) + (osp.pathsep + env['PYTHONPATH']
                                     if env.get('PYTHONPATH') else '')
    return env


def default_sigint() -> None:
    """``preexec_fn`` of a subprocess that must turn SIGINT into
    KeyboardInterrupt: a shell that runs the tests in the background ignores
    SIGINT, and Python keeps an inherited SIG_IGN."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_until(args: Sequence[str], marker: str):
    """Start ``python ARGS`` from the repository (one thread, SIGINT turned
    into KeyboardInterrupt) and read its stdout up to the first line that
    starts with ``marker``.

    Returns:
        tuple: The running ``subprocess.Popen`` and that line. The test
        fails with the process's stderr if it ends without the line.
    """
    import subprocess

    import pytest
    proc = subprocess.Popen([sys.executable, *args],
                            cwd=REPO,
                            env=dict(env_with_repo(), OMP_NUM_THREADS='1'),
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True,
                            preexec_fn=default_sigint)
    for line in proc.stdout:
        if line.startswith(marker):
            return proc, line
    pytest.fail(proc.stderr.read()[-3000:])

"""Build small PoseTrack18 videos (as JSON dicts) for the evaluation and
posetrack_io tests."""
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

# the sample data, under the names these tests use
from .sample_data import POSETRACK18_DETECTIONS as DET_FILE  # noqa: F401
from .sample_data import POSETRACK18_GT_DIR as GT_DIR
from .sample_data import REPO as REPO_ROOT  # noqa: F401
from .sample_data import require_sample_data

NAMES = ('nose', 'head_bottom', 'head_top', 'left_ear', 'right_ear',
         'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
         'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
         'right_knee', 'left_ankle', 'right_ankle')
EARS = (3, 4)
#: head box of 30 x 40 px: diagonal 50, head size 0.6 * 50 = 30, so a
#: keypoint is correct up to 15 px away
HEAD_BOX = [0, 0, 30, 40]
THRESH_PX = 15.0


def write_gt_as_predictions(pred_dir: Path) -> Path:
    """The real sample ground truth written to ``pred_dir`` as predictions,
    each joint scored by its visibility flag (so GT vs itself scores 100)."""
    require_sample_data()
    pred_dir.mkdir()
    for path in GT_DIR.glob('*.json'):
        data = json.loads(path.read_text())
        for ann in data['annotations']:
            ann['scores'] = ann['keypoints'][2::3]
        (pred_dir / path.name).write_text(json.dumps(data))
    return pred_dir


def pose(cx: float = 200, cy: float = 200, step: float = 40) -> np.ndarray:
    """A (17, 3) person: 15 labelled joints on a grid >= 40 px apart (more
    than twice the 15 px threshold, so no joint can match another joint),
    ears unlabelled, visibility 1."""
    kp = np.zeros((17, 3))
    for k in range(17):
        if k in EARS:
            continue
        kp[k] = [cx + step * (k % 4), cy + step * (k // 4), 1]
    return kp


def person(kp: np.ndarray,
           track_id: int = 0,
           scores: Optional[Sequence[float]] = None,
           head_box: Optional[Sequence[float]] = HEAD_BOX) -> dict:
    """One annotation (image_id is filled in by :func:`video`)."""
    ann = dict(track_id=track_id, keypoints=np.asarray(kp, float).reshape(
        -1).tolist(), category_id=1)
    ann['scores'] = [] if scores is None else [float(s) for s in scores]
    if head_box is not None:
        ann['bbox_head'] = list(head_box)
    return ann


def video(frames: List[List[dict]],
          name: str = '000001_mpii_test',
          ignore: Optional[Dict[int, List[Sequence[Sequence[float]]]]] = None
          ) -> dict:
    """A PoseTrack18 video JSON dict.

    Args:
        frames: per frame, its annotations (from :func:`person`).
        name: video directory name (poseval parses ``<6 digits>_mpii...``).
        ignore: frame index -> list of polygons [(x, y), ...].
    """
    vid = int(name.split('_')[0])
    images, anns = [], []
    for f, people in enumerate(frames):
        img_id = 10000000000 + vid * 10000 + f
        img = dict(
            id=img_id,
            file_name=f'images/val/{name}/{f:06d}.jpg',
            frame_id=img_id,
            vid_id=f'{vid:06d}',
            nframes=len(frames),
            is_labeled=bool(people))
        if ignore and f in ignore:
            img['ignore_regions_x'] = [[p[0] for p in poly]
                                       for poly in ignore[f]]
            img['ignore_regions_y'] = [[p[1] for p in poly]
                                       for poly in ignore[f]]
        images.append(img)
        for p, ann in enumerate(people):
            ann = dict(ann, image_id=img_id, id=img_id * 100 + p)
            anns.append(ann)
    return dict(
        images=images,
        annotations=anns,
        categories=[dict(supercategory='person', id=1, name='person',
                         keypoints=list(NAMES), skeleton=[])])


def write_dirs(tmp_path: Path, videos: Dict[str, tuple]) -> tuple:
    """Write ``{name: (gt_json, pred_json)}`` into tmp_path/gt, tmp_path/pred.
    """
    gt_dir, pred_dir = tmp_path / 'gt', tmp_path / 'pred'
    gt_dir.mkdir(exist_ok=True)
    pred_dir.mkdir(exist_ok=True)
    for name, (gt, pred) in videos.items():
        (gt_dir / f'{name}.json').write_text(json.dumps(gt))
        (pred_dir / f'{name}.json').write_text(json.dumps(pred))
    return str(gt_dir), str(pred_dir)

"""PoseTrack multi-person pose estimation AP, equal to the official poseval.

This re-implements, in numpy only, what the official evaluation
(``poseval``: ``eval_helpers.load_data_dir`` + ``evaluateAP.evaluateAP``)
computes from a directory of ground-truth and a directory of prediction
files in the PoseTrack18 format, without importing poseval:

1. Each file is read the way poseval's PoseTrack18 -> PoseTrack17 converter
   reads it: keypoints are mapped by the names in ``categories`` to poseval's
   15 joints (the ears are dropped); a keypoint exists unless its x, y and
   third value are all 0; per-joint scores come from ``scores`` (a missing
   or empty list gives every joint the score -9999); the head box is
   ``bbox_head``; only the frames of the file's first video (the directory
   name of the first ``file_name`` up to its first ``_``) are used.
2. Prediction frames are paired with GT frames by position.
3. Only frames whose GT has at least one person are evaluated (``is_labeled``
   is not used).
4. In those frames, if the GT frame has ignore regions, every keypoint (GT
   and prediction) strictly inside a region polygon is removed, and then
   every person left without keypoints is removed. A GT frame that loses all
   its people stays evaluated (its predictions are all false positives).
5. Per frame, a keypoint is correct if its distance to the GT keypoint is at
   most 0.5 x head size, head size = 0.6 x head-box diagonal (PCKh@0.5).
   Every prediction nominates the GT person with the highest fraction of
   correct keypoints (the first on ties); every GT person takes, among its
   nominees, the one with the highest fraction (first on ties) if it is
   above 0. Joints of matched predictions are true positives when correct;
   all other predicted joints are false positives.
6. Per joint, all predicted joints of all frames are ranked by score and the
   VOC all-point AP is computed; ``Total`` is the mean over the joints whose
   AP is not NaN (a joint without any GT point but with predictions has a
   NaN AP); the groups are averaged as poseval's table prints them.

Where poseval's arithmetic could round differently from a vectorised
version (keypoint distances at the exact threshold, tie order of equal
scores) this module reproduces poseval's operations, so results are equal
to the last bit, not just close.
"""
import os.path as osp
from collections import OrderedDict, defaultdict
from fractions import Fraction
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ...datasets.posetrack_io import (POSETRACK18_KEYPOINTS,
                                      list_posetrack_dir,
                                      load_posetrack_video)

#: poseval's 15 joints, in poseval's order (``eval_helpers.Joint``); poseval
#: calls joint 12 ``neck`` but fills it with PoseTrack18's ``head_bottom``.
POSEVAL_JOINTS = ('right_ankle', 'right_knee', 'right_hip', 'left_hip',
                  'left_knee', 'left_ankle', 'right_wrist', 'right_elbow',
                  'right_shoulder', 'left_shoulder', 'left_elbow',
                  'left_wrist', 'head_bottom', 'nose', 'head_top')
NUM_JOINTS = len(POSEVAL_JOINTS)
#: index of each poseval joint in PoseTrack18's 17-keypoint order
POSETRACK18_TO_POSEVAL = np.array(
    [POSETRACK18_KEYPOINTS.index(n) for n in POSEVAL_JOINTS])
#: the groups of poseval's printed table (``eval_helpers.getCum``), in order
POSEVAL_GROUPS = OrderedDict([
    ('Head', [14, 12, 13]),
    ('Shou', [8, 9]),
    ('Elb', [7, 10]),
    ('Wri', [6, 11]),
    ('Hip', [2, 3]),
    ('Knee', [1, 4]),
    ('Ankl', [0, 5]),
])
#: score of a predicted joint whose person has no ``scores`` (poseval's)
MIN_SCORE = -9999.0
#: PCKh threshold, as a fraction of the head size
DIST_THRESH = 0.5


class _People:
    """The people of one frame in poseval's joint layout.

    Attributes:
        xy (np.ndarray): (N, 15, 2) float64 keypoint coordinates.
        has (np.ndarray): (N, 15) bool, the keypoint exists.
        score (np.ndarray): (N, 15) float64 per-joint scores.
        head_box (list): per person the (4,) head box or None.
        names (list): per person a description for error messages.
    """

    def __init__(self, annotations: Sequence[Mapping[str, Any]],
                 source: str) -> None:
        n = len(annotations)
        kpts = np.zeros((n, NUM_JOINTS, 3), dtype=np.float64)
        self.score = np.full((n, NUM_JOINTS), MIN_SCORE, dtype=np.float64)
        self.head_box: List[Optional[np.ndarray]] = []
        self.names = []
        for i, ann in enumerate(annotations):
            kpts[i] = np.asarray(ann['keypoints'],
                                 np.float64)[POSETRACK18_TO_POSEVAL]
            if ann.get('scores') is not None:
                self.score[i] = np.asarray(
                    ann['scores'], np.float64)[POSETRACK18_TO_POSEVAL]
            self.head_box.append(ann.get('bbox_head'))
            self.names.append(f'{source}: annotation id {ann.get("id")} '
                              f'(image_id {ann.get("image_id")})')
        self.xy = kpts[..., :2]
        # poseval's converter drops a point only if x, y and v are all 0
        self.has = ~((kpts[..., 0] == 0) & (kpts[..., 1] == 0) &
                     (kpts[..., 2] == 0))

    def __len__(self) -> int:
        return len(self.names)

    def select(self, keep: np.ndarray) -> '_People':
        """Keep the people where ``keep`` is True (in order)."""
        out = _People([], '')
        out.xy, out.has, out.score = self.xy[keep], self.has[keep], \
            self.score[keep]
        out.head_box = [b for b, k in zip(self.head_box, keep) if k]
        out.names = [n for n, k in zip(self.names, keep) if k]
        return out


def _exact_orientation(p1: Tuple[float, float], p2: Tuple[float, float],
                       q: Tuple[float, float]) -> int:
    """Exact sign of the cross product (p2 - p1) x (q - p1)."""
    x1, y1 = Fraction(p1[0]), Fraction(p1[1])
    det = (Fraction(p2[0]) - x1) * (Fraction(q[1]) - y1) - \
        (Fraction(p2[1]) - y1) * (Fraction(q[0]) - x1)
    return (det > 0) - (det < 0)


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which points lie strictly inside a polygon (boundary excluded).

    Same result as shapely's ``Polygon(polygon).contains(Point(p))`` used by
    poseval: GEOS's ray-crossing rule (even-odd, so self-intersecting
    polygons work too) with an exact orientation test, so points on an
    edge or vertex are never inside.

    Args:
        points (np.ndarray): (N, 2) points.
        polygon (np.ndarray): (M, 2) vertices; the ring is closed if needed.
            An empty polygon contains nothing.

    Returns:
        np.ndarray: (N,) bool.
    """
    points = np.asarray(points, np.float64).reshape(-1, 2)
    ring = np.asarray(polygon, np.float64).reshape(-1, 2)
    if len(points) == 0 or len(ring) == 0:
        return np.zeros(len(points), dtype=bool)
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.concatenate([ring, ring[:1]])
    # GEOS walks each edge as (ring[i], ring[i - 1])
    p1, p2 = ring[1:], ring[:-1]
    x1, y1, x2, y2 = (a[None, :] for a in (p1[:, 0], p1[:, 1], p2[:, 0],
                                           p2[:, 1]))
    px, py = points[:, :1], points[:, 1:]

    active = ~((x1 < px) & (x2 < px))  # edges left of the point never cross
    at_vertex = active & (px == x2) & (py == y2)
    rest = active & ~at_vertex
    horizontal = rest & (y1 == py) & (y2 == py)
    on_edge = at_vertex | (horizontal & (px >= np.minimum(x1, x2)) &
                           (px <= np.maximum(x1, x2)))
    rest &= ~horizontal
    straddle = rest & (((y1 > py) & (y2 <= py)) | ((y2 > py) & (y1 <= py)))

    left = (x2 - x1) * (py - y1)
    right = (y2 - y1) * (px - x1)
    with np.errstate(invalid='ignore', over='ignore'):
        orient = np.sign(left - right)
        # the float sign is trustworthy unless the two products nearly
        # cancel; those few cases get an exact rational test
        unsure = straddle & (np.abs(left - right) <=
                             1e-12 * (np.abs(left) + np.abs(right)))
    for i, s in zip(*np.nonzero(unsure)):
        orient[i, s] = _exact_orientation(p1[s], p2[s], points[i])
    on_edge |= straddle & (orient == 0)
    # an upward edge crosses the ray if the point is left of it
    signed = np.where(y2 < y1, -orient, orient)
    crossings = (straddle & (signed > 0)).sum(axis=1)
    return (crossings % 2 == 1) & ~on_edge.any(axis=1)


def _ignore_polygons(image: Mapping[str, Any]) -> List[np.ndarray]:
    """The ignore-region polygons of a GT frame (empty list if none)."""
    xs = image.get('ignore_regions_x')
    ys = image.get('ignore_regions_y')
    if xs is None or ys is None:
        return []
    return [
        np.stack([np.asarray(x, np.float64),
                  np.asarray(y, np.float64)], axis=1).reshape(-1, 2)
        for x, y in zip(xs, ys)
    ]


def _remove_ignored(people: _People,
                    polygons: Sequence[np.ndarray]) -> _People:
    """Drop keypoints inside ignore regions, then people left with none.

    As poseval, this only runs on frames with at least one region, and there
    it also drops people who had no keypoints to begin with.
    """
    if not polygons:
        return people
    pts = people.xy[people.has]
    inside = np.zeros(len(pts), dtype=bool)
    for poly in polygons:
        inside |= points_in_polygon(pts, poly)
    has = people.has.copy()
    has[people.has] = ~inside
    people.has = has
    return people.select(has.any(axis=1))


def head_size(box: Optional[np.ndarray], name: str) -> float:
    """poseval's head size of an xywh head box (0.6 x its diagonal), the
    unit of the PCKh threshold; ``name`` names the person in errors."""
    if box is None:
        raise ValueError(f'{name}: bbox_head: missing; the ground truth '
                         'needs a head box (PCKh threshold)')
    x1, y1 = float(box[0]), float(box[1])
    # the same operations as poseval (x2 = x1 + w, then x2 - x1) so that
    # the rounding is the same
    x2, y2 = x1 + float(box[2]), y1 + float(box[3])
    return 0.6 * np.linalg.norm(np.subtract([x2, y2], [x1, y1]))


def _joint_distances(gt: _People, pred: _People) -> np.ndarray:
    """(P, G, 15) distances / head size; inf where a joint is missing."""
    head = np.array([head_size(b, n) for b, n in zip(gt.head_box,
                                                      gt.names)])
    diff = gt.xy[None, :, :, :] - pred.xy[:, None, :, :]
    with np.errstate(divide='ignore', invalid='ignore'):
        dist = np.sqrt(np.sum(diff * diff, axis=-1)) / head[None, :, None]
        # poseval uses np.linalg.norm per joint; near the threshold we
        # recompute that way, as the two may differ in the last bit
        near = np.abs(dist - DIST_THRESH) <= 1e-9
        for p, g, j in zip(*np.nonzero(near)):
            dist[p, g, j] = np.linalg.norm(
                np.subtract(gt.xy[g, j], pred.xy[p, j])) / head[g]
    both = pred.has[:, None, :] & gt.has[None, :, :]
    return np.where(both, dist, np.inf)


def _assign_frame(gt: _People, pred: _People) -> Tuple[np.ndarray,
                                                        np.ndarray]:
    """Label every predicted joint of one frame as true/false positive.

    Returns:
        tuple: ``labels`` (P, 15) bool and ``has`` (P, 15) bool (which
        predicted joints take part in the ranking).
    """
    labels = np.zeros((len(pred), NUM_JOINTS), dtype=bool)
    if len(pred) == 0 or len(gt) == 0:
        return labels, pred.has
    match = _joint_distances(gt, pred) <= DIST_THRESH
    n_gt = gt.has.sum(axis=1)
    pck = 1.0 * match.sum(axis=2)
    for j in np.nonzero(n_gt > 0)[0]:
        pck[:, j] = pck[:, j] / n_gt[j]
    # each prediction keeps only its best GT person ...
    best_gt = np.argmax(pck, axis=1)
    keep = np.zeros_like(pck, dtype=bool)
    keep[np.arange(len(pred)), best_gt] = True
    pck[~keep] = 0
    # ... and each GT person takes its best nominee
    pr_to_gt = np.argmax(pck, axis=0)
    pr_to_gt[np.max(pck, axis=0) == 0] = -1
    for g, p in enumerate(pr_to_gt):
        if p >= 0:
            labels[p] = match[p, g]
    return labels, pred.has


def _video_frames(video: Mapping[str, Any], source: str
                  ) -> List[Tuple[Mapping[str, Any], _People]]:
    """The frames of a video as poseval sees them: those of its first video
    id (name of the frame's directory up to the first ``_``), in order."""

    def vid(img):
        return osp.basename(osp.dirname(img['file_name'])).split('_')[0]

    first = vid(video['images'][0])
    people = defaultdict(list)
    for ann in video['annotations']:
        people[ann['image_id']].append(ann)
    return [(img, _People(people[img['id']], source))
            for img in video['images'] if vid(img) == first]


def _voc_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    """VOC all-point AP (poseval's ``VOCap``)."""
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.nonzero(mrec[1:] != mrec[:-1])[0] + 1
    return np.sum(np.multiply(np.subtract(mrec[i], mrec[i - 1]), mpre[i]))


def compute_ap_from_ranking(scores: Sequence[np.ndarray],
                            labels: Sequence[np.ndarray],
                            num_gt: np.ndarray) -> Dict[str, np.ndarray]:
    """Per-joint AP, precision and recall (poseval's ``computeMetrics``).

    Args:
        scores (Sequence[np.ndarray]): per joint, the scores of all predicted
            joints in frame order.
        labels (Sequence[np.ndarray]): per joint, 1 for true positives.
        num_gt (np.ndarray): (15,) number of GT joints.

    Returns:
        dict: ``ap``, ``precision``, ``recall``: (16,) arrays in percent,
        the 15 joints then their mean over non-NaN joints.
    """
    n = len(num_gt)
    out = {k: np.zeros((n + 1, 1)) for k in ('ap', 'precision', 'recall')}
    for j in range(n):
        s = np.asarray(scores[j], np.float64)
        if len(s) == 0:
            continue  # poseval leaves AP, precision and recall at 0
        # the same (unstable) sort call as poseval: equal scores are ranked
        # in the same order
        order = np.array(s).argsort()[::-1]
        npos = np.cumsum(np.asarray(labels[j])[order] == 1)
        total = np.float64(num_gt[j])
        with np.errstate(divide='ignore', invalid='ignore'):
            recall = 1.0 * npos / total
        precision = 1.0 * npos / np.arange(1, len(s) + 1)
        out['ap'][j] = _voc_ap(recall, precision) * 100
        out['precision'][j] = precision[-1] * 100
        out['recall'][j] = recall[-1] * 100
    for v in out.values():
        valid = np.argwhere(~np.isnan(v[:n, 0]))
        with np.errstate(invalid='ignore', divide='ignore'):
            v[n] = v[valid, 0].mean() if len(valid) else np.nan
    return {k: v[:, 0] for k, v in out.items()}


def group_metrics(values: np.ndarray) -> 'OrderedDict[str, float]':
    """poseval's table: Head, Shou, Elb, Wri, Hip, Knee, Ankl, Total.

    Args:
        values (np.ndarray): (16,) per-joint values then their total.
    """
    values = np.asarray(values, np.float64).reshape(-1, 1)
    out = OrderedDict(
        (name, float(values[idx, 0].mean()))
        for name, idx in POSEVAL_GROUPS.items())
    out['Total'] = float(values[NUM_JOINTS, 0])
    return out


def format_table(values: np.ndarray) -> str:
    """Format per-joint values (16,) as poseval's printed table (2 lines)."""
    groups = group_metrics(values)
    header = '&' + ''.join(f' {n:<4} &' for n in list(groups)[:-1]) \
        + ' Total\\\\'
    cells = ['{:>5}'.format('%1.1f' % v) for v in groups.values()]
    row = '&' + ''.join(c + ' &' for c in cells[:-1]) + cells[-1] + ' \\\\'
    return header + '\n' + row


def posetrack_ap(video_pairs: Sequence[tuple]) -> Dict[str, Any]:
    """PoseTrack AP of predictions against ground truth.

    Args:
        video_pairs (Sequence[tuple]): ``(gt_video, pred_video, name)`` or
            ``(gt_video, pred_video, gt_source, pred_source)`` per video
            (names/sources appear in error messages), videos as returned by
            ``posetrack_io.load_posetrack_video``
            (use ``keypoint_dtype=np.float64`` to be exact). The order
            matters only for tied scores; poseval uses the GT directory's
            ``glob`` order (:func:`list_posetrack_dir`).

    Returns:
        dict: ``ap``, ``precision``, ``recall``: (16,) arrays in percent
        (poseval's 15 joints in :data:`POSEVAL_JOINTS` order, then the
        total); ``num_gt`` (15,) GT joint counts; ``num_frames``: evaluated
        frames; and the table entries ``Head`` ... ``Total`` (AP).

    Raises:
        ValueError: a prediction video has another number of frames than its
            GT video, or a GT person needed for matching has no head box.
    """
    scores: List[List[np.ndarray]] = [[] for _ in range(NUM_JOINTS)]
    labels: List[List[np.ndarray]] = [[] for _ in range(NUM_JOINTS)]
    num_gt = np.zeros(NUM_JOINTS, dtype=np.int64)
    num_frames = 0
    for pair in video_pairs:
        gt_video, pred_video = pair[:2]
        if len(pair) == 3:
            gt_src = f'{pair[2]} (ground truth)'
            pred_src = f'{pair[2]} (predictions)'
        else:
            gt_src, pred_src = pair[2:4]
        gt_frames = _video_frames(gt_video, gt_src)
        pred_frames = _video_frames(pred_video, pred_src)
        if len(gt_frames) != len(pred_frames):
            raise ValueError(
                f'{pred_src}: images: {len(pred_frames)} frames, but the '
                f'ground truth {gt_src} has {len(gt_frames)}; poseval pairs '
                'frames by position, so both must list the same frames')
        for (gt_img, gt), (_, pred) in zip(gt_frames, pred_frames):
            if len(gt) == 0:
                continue  # only frames with GT people are evaluated
            num_frames += 1
            polygons = _ignore_polygons(gt_img)
            pred = _remove_ignored(pred, polygons)
            gt = _remove_ignored(gt, polygons)
            frame_labels, has = _assign_frame(gt, pred)
            for j in range(NUM_JOINTS):
                scores[j].append(pred.score[has[:, j], j])
                labels[j].append(frame_labels[has[:, j], j])
            num_gt += gt.has.sum(axis=0)
    result = compute_ap_from_ranking(
        [np.concatenate(s) if s else np.zeros(0) for s in scores],
        [np.concatenate(lb) if lb else np.zeros(0, bool) for lb in labels],
        num_gt)
    result['num_gt'] = num_gt
    result['num_frames'] = num_frames
    result.update(group_metrics(result['ap']))
    return result


def evaluate_posetrack_dirs(gt_dir: str, pred_dir: str) -> Dict[str, Any]:
    """Evaluate a prediction directory like ``poseval.evaluate -e``.

    Every ``*.json`` in ``gt_dir`` (poseval's order) needs a file of the same
    name in ``pred_dir``.

    Args:
        gt_dir (str): Directory of PoseTrack18 GT files (one per video).
        pred_dir (str): Directory of PoseTrack18 prediction files.

    Returns:
        dict: See :func:`posetrack_ap`.
    """
    if not osp.isdir(pred_dir):
        raise NotADirectoryError(f'{pred_dir}: not a directory')
    pairs = []
    for gt_file in list_posetrack_dir(gt_dir):
        name = osp.basename(gt_file)
        pred_file = osp.join(pred_dir, name)
        if not osp.isfile(pred_file):
            raise FileNotFoundError(
                f'{pred_file}: no predictions for ground-truth video '
                f'{gt_file}')
        pairs.append((load_posetrack_video(gt_file,
                                           keypoint_dtype=np.float64),
                      load_posetrack_video(pred_file,
                                           keypoint_dtype=np.float64),
                      gt_file, pred_file))
    return posetrack_ap(pairs)

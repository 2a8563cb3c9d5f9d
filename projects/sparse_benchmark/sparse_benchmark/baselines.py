"""Label-propagation methods compared with PoseWarper.

Every method answers the same question as
:meth:`mmpose_posewarper.apis.label_propagator.LabelPropagator.propagate`:
given a labeled frame ``A`` (its image and its people's boxes, keypoints and
visibility) and an unlabeled frame ``B`` ``offset`` frames away, where are
the people's joints in ``B``, with which confidence? All methods receive
the same inputs and return joints for the same set (those labeled in
``A``), so their scores differ only by how well they place them.

* :class:`CopyNearest`: ``A``'s keypoints unchanged (the nearest labeled
  pose; the caller picks the nearest labeled frame).
* :class:`OpticalFlowWarp`: ``A``'s keypoints moved by dense optical flow
  from ``A`` to ``B`` (OpenCV DIS), the classic way to propagate labels.
* :class:`SingleFrameOnTarget`: a single-frame estimator run on ``B`` with
  ``A``'s box (pseudo-labels; ``A``'s keypoints are not used).
* :class:`Interpolation`: linear interpolation between the labeled frames
  on both sides of ``B`` (an annotation tool's keyframe interpolation), and
  :class:`TwoSidedKeypoints`, any method above run from both sides, its two
  poses fused (two-sided optical flow).

Scores rank the joints for the AP. Copying has no measure of its own, so
its score only orders joints by the distance ``|offset|`` (nearer frames
first); the flow's score is its forward-backward consistency at the joint,
the usual confidence of flow-based tracking; the estimator's is its heatmap
maximum.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
import torch.nn as nn

from mmpose_posewarper.apis.source_fusion import (TwoSidedFusion,
                                                  fuse_keypoints,
                                                  source_weights)

Propagated = Tuple[np.ndarray, np.ndarray, np.ndarray]


def _outputs(keypoints: np.ndarray, scores: np.ndarray,
             visible: np.ndarray) -> Propagated:
    """Zero the joints not labeled in ``A``, as LabelPropagator does."""
    vis = np.asarray(visible) > 0
    kpts = np.where(vis[..., None], keypoints, 0).astype(np.float32)
    return kpts, np.where(vis, scores, 0).astype(np.float32), vis


class CopyNearest:
    """Copy the labeled frame's pose to the unlabeled frame."""

    name = 'copy_nearest'

    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  visible: np.ndarray, offset: int) -> Propagated:
        """See the module docstring; returns keypoints, scores, visible."""
        # any decreasing function of |offset| ranks the same
        score = np.full(visible.shape, 1.0 / (1.0 + abs(offset)))
        return _outputs(keypoints, score, visible)


def bilinear_sample(field: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Sample an ``(H, W, C)`` field at ``(N, 2)`` sub-pixel ``(x, y)``
    points (coordinates clipped to the image)."""
    h, w = field.shape[:2]
    x = np.clip(points[:, 0], 0, w - 1)
    y = np.clip(points[:, 1], 0, h - 1)
    x0 = np.minimum(np.floor(x).astype(int), w - 2 if w > 1 else 0)
    y0 = np.minimum(np.floor(y).astype(int), h - 2 if h > 1 else 0)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (x - x0)[:, None], (y - y0)[:, None]
    return ((1 - fx) * (1 - fy) * field[y0, x0] + fx * (1 - fy) * field[y0, x1]
            + (1 - fx) * fy * field[y1, x0] + fx * fy * field[y1, x1])


class OpticalFlowWarp:
    """Move the labeled frame's joints by dense optical flow ``A -> B``.

    The flow is OpenCV's DIS (``DISOpticalFlow``, preset ``MEDIUM``) between
    the two frames directly (one estimate, no chaining through the frames in
    between, whose errors would add up). A joint ``p`` of ``A`` goes to
    ``p + F_AB(p)``; its score is ``1 / (1 + e)`` with ``e`` the
    forward-backward error ``|F_AB(p) + F_BA(p + F_AB(p))|`` in pixels.

    Args:
        preset (int): DIS preset, defaults to ``MEDIUM``.
    """

    name = 'optical_flow'

    def __init__(self, preset: int = cv2.DISOPTICAL_FLOW_PRESET_MEDIUM):
        self.preset = preset
        self._dis = cv2.DISOpticalFlow_create(preset)

    def flow(self, img_a: np.ndarray, img_b: np.ndarray) -> np.ndarray:
        """Dense flow ``(H, W, 2)`` from BGR frame ``img_a`` to ``img_b``."""
        gray_a = cv2.cvtColor(img_a, cv2.COLOR_BGR2GRAY)
        gray_b = cv2.cvtColor(img_b, cv2.COLOR_BGR2GRAY)
        return self._dis.calc(gray_a, gray_b, None)

    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  visible: np.ndarray, offset: int) -> Propagated:
        """See the module docstring; returns keypoints, scores, visible."""
        num, num_kpts = visible.shape
        if num == 0:
            return _outputs(keypoints, np.zeros(visible.shape), visible)
        forward = self.flow(img_src, img_dst)
        backward = self.flow(img_dst, img_src)
        points = keypoints.reshape(-1, 2).astype(np.float64)
        moved = points + bilinear_sample(forward, points)
        back = bilinear_sample(backward, moved)
        error = np.linalg.norm(moved + back - points, axis=1)
        scores = (1.0 / (1.0 + error)).reshape(num, num_kpts)
        return _outputs(moved.reshape(num, num_kpts, 2), scores, visible)


class SingleFrameOnTarget:
    """Run a single-frame top-down estimator on ``B`` with ``A``'s boxes.

    Args:
        model (nn.Module): An MMPose top-down model (e.g. from
            ``mmpose.apis.init_model``), in eval mode.
    """

    name = 'single_frame'

    def __init__(self, model: nn.Module) -> None:
        self.model = model

    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  visible: np.ndarray, offset: int) -> Propagated:
        """See the module docstring; returns keypoints, scores, visible."""
        from mmpose.apis import inference_topdown

        if len(bboxes) == 0:
            return _outputs(keypoints, np.zeros(visible.shape), visible)
        samples = inference_topdown(
            self.model, img_dst, np.asarray(bboxes), bbox_format='xyxy')
        kpts = np.concatenate(
            [s.pred_instances.keypoints for s in samples])
        scores = np.concatenate(
            [s.pred_instances.keypoint_scores for s in samples])
        return _outputs(kpts, scores, visible)


class TwoSidedKeypoints:
    """A one-sided method run from both labeled neighbours of a frame, the
    two poses fused joint by joint
    (:func:`~mmpose_posewarper.apis.source_fusion.fuse_keypoints`).

    Args:
        method: A one-sided method (``propagate(img_src, img_dst, bboxes,
            keypoints, visible, offset)``).
        fusion (TwoSidedFusion): Reach and distance weights.
        by_score (bool): Weight each source's joint by its score too.
        name (str, optional): Defaults to ``two_sided_<method.name>``.
    """

    def __init__(self, method, fusion: TwoSidedFusion, by_score: bool = True,
                 name: Optional[str] = None) -> None:
        self.method = method
        self.fusion = fusion
        self.by_score = by_score
        self.name = name or f'two_sided_{method.name}'

    def propagate(self, img_src: np.ndarray, img_dst: np.ndarray,
                  bboxes: np.ndarray, keypoints: np.ndarray,
                  visible: np.ndarray, offset: int) -> Propagated:
        """One source only: the wrapped method."""
        return self.method.propagate(img_src, img_dst, bboxes, keypoints,
                                     visible, offset)

    def propagate_two_sided(self, img_near: np.ndarray, img_far: np.ndarray,
                            imgs_dst: Sequence[np.ndarray],
                            bboxes: np.ndarray, keypoints: np.ndarray,
                            visible: np.ndarray, offsets: np.ndarray
                            ) -> Propagated:
        """Propagate from both sources to each of ``T`` targets and fuse.

        Args:
            keypoints (np.ndarray): ``(2, N, K, 2)``, near then far source.
            visible (np.ndarray): ``(2, N, K)``.
            offsets (np.ndarray): ``(T, 2)`` target minus each source.

        Returns:
            tuple: keypoints ``(T, N, K, 2)``, scores ``(T, N, K)``, visible
            ``(N, K)``.
        """
        offsets = np.asarray(offsets)
        weights = source_weights(np.abs(offsets[:, 0]), np.abs(offsets[:, 1]),
                                 self.fusion.power)
        out_k, out_s = [], []
        for t, img_dst in enumerate(imgs_dst):
            runs = [self.method.propagate(img, img_dst, bboxes, keypoints[s],
                                          visible[s], int(offsets[t, s]))
                    for s, img in enumerate((img_near, img_far))]
            kpts, scores, vis = fuse_keypoints(
                np.stack([r[0] for r in runs]), np.stack([r[1] for r in runs]),
                np.stack([r[2] for r in runs]), weights[t],
                by_score=self.by_score)
            out_k.append(kpts)
            out_s.append(self._scores(scores, offsets[t]))
        return np.stack(out_k), np.stack(out_s), vis

    def _scores(self, fused: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        return fused


class Interpolation(TwoSidedKeypoints):
    """Linear interpolation of each person's joints between the labeled
    frames before and after (what annotation tools such as CVAT do between
    keyframes): :class:`CopyNearest` from both sides, weighted by
    ``1 / distance``. A person or joint one of them lacks is copied from
    the other; a frame with one labeled neighbour copies it. The score
    orders joints by the distance to the nearest labeled frame, as
    :class:`CopyNearest`'s does.

    Args:
        second_reach (int, optional): Maximum distance to the second
            labeled frame; ``None`` (default): any, as annotation tools
            interpolate between any two keyframes.
    """

    def __init__(self, second_reach: Optional[int] = None) -> None:
        super().__init__(
            CopyNearest(),
            TwoSidedFusion(second_reach=second_reach, power=1.0),
            by_score=False,
            name='interpolation')

    def _scores(self, fused: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        near = np.where(fused > 0, 1.0 / (1.0 + abs(offsets[0])), 0)
        return near.astype(np.float32)

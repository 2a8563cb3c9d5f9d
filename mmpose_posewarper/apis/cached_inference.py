"""The cached path of :func:`~.inference.inference_posewarper`: each
crop's backbone heatmaps computed once and reused by every window that
needs it, the reference frame's zero-difference warp with precomputed
offsets, the supporting frames of a frame warped in one batch. Why it gives
the recompute path's results: docs/inference.md, "Caching"."""
from typing import Dict, List, Tuple

import torch
import torch.nn as nn
from mmpose.structures import PoseDataSample
from torch import Tensor

from .aggregation_window import first_needed_frame, window_frames
from .frame_boxes import FrameBoxes, boxes_on_frame
from .inference_samples import (empty_frame_sample, inference_pipeline,
                                merge_frame_samples, pipeline_input)
from .video_frames import VideoFrames

__all__ = ['ZeroDifferenceWarp', 'CachedVideoInference']


class ZeroDifferenceWarp:
    """The warp of a frame toward itself, with its offsets computed once.

    ``neck.warp(x, x)`` feeds ``x - x = 0`` to the offset network; in eval
    mode that network is a fixed function, so the offsets of the zero
    difference depend only on the heatmap size. They are computed here once
    per heatmap shape, device and dtype (for the lifetime of this object,
    i.e. one :func:`~.inference.inference_posewarper` call, so weights changed between
    calls are never served stale), and only the deformable convolutions run
    per frame. Mirrors :meth:`PoseWarperWarpingNeck.warp` term by term.
    """

    def __init__(self, neck: nn.Module) -> None:
        self.neck = neck
        self._offsets: Dict[tuple, List[Tensor]] = {}

    def offsets(self, heatmaps: Tensor) -> List[Tensor]:
        key = (tuple(heatmaps.shape[1:]), heatmaps.device, heatmaps.dtype)
        if key not in self._offsets:
            zero = heatmaps.new_zeros((1, ) + tuple(heatmaps.shape[1:]))
            feats = self.neck.offset_feats(zero)
            self._offsets[key] = [
                layer(feats) for layer in self.neck.offset_layers
            ]
        return self._offsets[key]

    def __call__(self, heatmaps: Tensor) -> Tensor:
        n = heatmaps.size(0)
        warped = 0
        for offset, deform_conv in zip(
                self.offsets(heatmaps), self.neck.deform_conv_layers):
            warped = warped + deform_conv(
                heatmaps, offset.expand(n, -1, -1, -1).contiguous())
        return warped * (1.0 / self.neck.num_offset_layers)


class CachedVideoInference:
    """The cached path of :func:`~.inference.inference_posewarper` (one
    video): :meth:`frame` computes frame ``t``'s sample,
    :meth:`release_before` drops what later windows no longer need."""

    def __init__(self,
                 model: nn.Module,
                 frames: VideoFrames,
                 boxes: FrameBoxes,
                 offsets: Tuple[int, ...],
                 weights: Tuple[float, ...],
                 online: bool = False):
        self.model = model
        self.online = online
        self.neck = model.neck
        self.frames = frames
        self.boxes = boxes
        self.offsets = offsets
        self.weights = weights
        self.flip = bool(model.test_cfg.get('flip_test', False))
        self.pipeline = inference_pipeline(model)
        self.zero_warp = ZeroDifferenceWarp(self.neck)
        # (frame idx, box bytes) -> heatmaps (V, K, h, w); V = 2 with flip
        # test (the crop and its mirror image), else 1
        self.cache: Dict[Tuple[int, bytes], Tensor] = {}

    def _heatmaps(self, crops: List[Tensor]) -> Tensor:
        """Backbone + ``trans_layer`` on crops ``(3, H, W)`` uint8 (and their
        mirror images with flip test) -> ``(N, V, K, h, w)``."""
        data = self.model.data_preprocessor(
            dict(inputs=[c[None] for c in crops], data_samples=None), False)
        x = data['inputs'].flatten(0, 1)  # (N, 1, 3, H, W) -> (N, 3, H, W)
        if self.flip:
            x = torch.cat([x, x.flip(-1)])
        heatmaps = self.neck.heatmaps(self.model.backbone(x))
        views = 2 if self.flip else 1
        return heatmaps.reshape(views, len(crops),
                                *heatmaps.shape[1:]).transpose(0, 1)

    def _window(self, t: int) -> Tuple[float, List[Tuple[int, float]]]:
        """Weight of the zero-difference warp and ``(frame, weight)`` of the
        other frames (clipped duplicates merged, zero weights dropped)."""
        ref_weight = 0.0
        sup: Dict[int, float] = {}
        for j, w in zip(
                window_frames(self.frames, t, self.offsets, self.online),
                self.weights):
            if w == 0:
                continue
            if j == t:
                ref_weight += w
            else:
                sup[j] = sup.get(j, 0.0) + w
        return ref_weight, sorted(sup.items())

    def frame(self, t: int) -> PoseDataSample:
        ref_img = self.frames[t]
        boxes, scores = boxes_on_frame(self.boxes[t], ref_img.shape, t)
        if len(boxes) == 0:
            return empty_frame_sample(self.model, t, ref_img.shape)
        ref_weight, sup = self._window(t)
        window = [t] + [j for j, _ in sup]

        # 1. crops not cached yet (one pipeline call per box: one affine)
        data_samples, todo_keys, todo_crops = [], [], []
        for box, score in zip(boxes, scores):
            box_key = box.tobytes()
            missing = [
                j for j in window
                if (j, box_key) not in self.cache and (j, box_key) not in
                todo_keys
            ]
            # the reference frame always goes through the pipeline: its data
            # sample carries the crop's center/scale for decoding
            imgs = [t] + [j for j in missing if j != t]
            data = self.pipeline(
                pipeline_input(self.model, [self.frames[j] for j in imgs], box,
                               float(score), t, self.frames.nframes,
                               [0] * len(imgs), [1.0] * len(imgs)))
            data_samples.append(data['data_samples'])
            for j, crop in zip(imgs, data['inputs']):
                if j in missing:
                    todo_keys.append((j, box_key))
                    todo_crops.append(crop)

        # 2. backbone heatmaps of all new crops of this frame, one batch
        if todo_crops:
            for key, hm in zip(todo_keys, self._heatmaps(todo_crops)):
                self.cache[key] = hm

        # 3. warp and aggregate; views (crop, mirror) are batch entries
        keys = [box.tobytes() for box in boxes]
        ref = torch.cat([self.cache[(t, k)] for k in keys])  # (n*V, K, h, w)
        agg = self.zero_warp(ref) * ref_weight if ref_weight else 0
        if sup:
            sups = torch.cat(
                [self.cache[(j, k)] for j, _ in sup for k in keys])
            # the supporting frames of all boxes and views: one warp call
            warped = self.neck.warp(ref.repeat(len(sup), 1, 1, 1), sups)
            for (_, weight), part in zip(sup, warped.chunk(len(sup))):
                agg = agg + part * weight
        agg = agg.view(len(boxes), -1, *agg.shape[1:])
        feats = [(agg[:, 0], ), (agg[:, 1], )] if self.flip else (agg[:, 0], )
        return merge_frame_samples(self.model,
                                   self._decode(feats, data_samples), t,
                                   ref_img.shape)

    def _decode(self, feats, data_samples: List[PoseDataSample]
                ) -> List[PoseDataSample]:
        """Decode exactly as :meth:`PoseWarper.predict` does."""
        preds = self.model.head.predict(
            feats, data_samples, test_cfg=self.model.test_cfg)
        if isinstance(preds, tuple):
            instances, fields = preds
        else:
            instances, fields = preds, None
        return self.model.add_pred_to_datasample(instances, fields,
                                                 data_samples)

    def release_before(self, t: int) -> None:
        """Drop crops, frames and boxes no window from frame ``t`` on
        needs."""
        first = first_needed_frame(t, self.offsets)
        for key in [k for k in self.cache if k[0] < first]:
            del self.cache[key]
        self.frames.release_before(first)
        self.boxes.release_before(t)

    def held_heatmaps(self) -> int:
        """Number of crops whose heatmaps are held now."""
        return len(self.cache)

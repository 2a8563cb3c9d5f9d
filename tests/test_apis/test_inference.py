"""inference_posewarper: the cached path against the recompute path (the
original's per-window computation), on real frames with a tiny randomly
initialised PoseWarper at 64x48."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from torch.nn.modules.batchnorm import _BatchNorm

from mmpose_posewarper.apis import (fixed_track_bboxes, inference_posewarper,
                                    init_model, iter_inference_posewarper,
                                    optimize_for_inference, temporal_window)
from mmpose_posewarper.apis.cached_inference import ZeroDifferenceWarp

from _helpers.sample_data import POSETRACK18_FRAMES, require_sample_data

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_STAGE2 = osp.join(ROOT, 'configs/posewarper/tiny/posewarper_tiny_64x48.py')
FRAMES_DIR = str(POSETRACK18_FRAMES)
# two players on the 1280x720 frames (x1, y1, x2, y2)
BOX_A = (360.0, 280.0, 550.0, 590.0)
BOX_B = (600.0, 270.0, 880.0, 540.0)
TOL = 1e-5


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """Tiny convs on a shared 2-core machine: extra threads only wait on
    each other (measured 13x slower with 2 threads under load)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def clip():
    require_sample_data(POSETRACK18_FRAMES)
    frames = [cv2.imread(osp.join(FRAMES_DIR, f'{i:06d}.jpg'))
              for i in range(5)]
    assert all(f is not None and f.shape == (720, 1280, 3) for f in frames)
    return frames


def video(clip, n):
    """n real frames: the clip forward and back."""
    order = [0, 1, 2, 3, 4, 3, 2, 1]
    return [clip[order[i % len(order)]] for i in range(n)]


def randomize_(model, seed=0):
    """Random weights and BN statistics everywhere, at the scale of a trained
    model: heatmaps of magnitude 1 (real heatmaps peak near 1, so the
    tolerance 1e-5 means what it says) and offsets of a few pixels. The
    original's init would make the warp an identity with zero offsets."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            weight = getattr(module, 'weight', None)
            if isinstance(module, _BatchNorm):
                module.weight.uniform_(0.5, 1.0, generator=gen)
                module.bias.uniform_(-0.1, 0.1, generator=gen)
                module.running_mean.uniform_(-0.1, 0.1, generator=gen)
                module.running_var.uniform_(0.5, 1.5, generator=gen)
            elif isinstance(weight, torch.Tensor) and weight.dim() >= 2:
                weight.normal_(0, 1 / weight[0].numel()**0.5, generator=gen)
        for layer in model.neck.offset_layers:
            layer.weight.mul_(10)  # offsets of ~1-6 px instead of < 1
        for layer in model.neck.deform_conv_layers:
            layer.weight.mul_(3)
        crops = torch.randn(4, 3, 64, 48, generator=gen)
        peak = model.neck.heatmaps(model.backbone(crops)).abs().max()
        model.neck.trans_layer.weight.div_(peak)
        model.neck.trans_layer.bias.div_(peak)


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    model = init_model(Config.fromfile(TINY_STAGE2), device='cpu')
    randomize_(model)
    return model


class Spy:
    """Records the heatmaps the head decodes and the crops the backbone sees
    (both paths decode through ``head.predict`` -> ``head.forward``)."""

    def __init__(self, model):
        self.heatmaps, self.crops, self.pairs = [], 0, 0
        self.head = model.head
        head_forward = model.head.forward

        def forward(feats):
            out = head_forward(feats)
            self.heatmaps.append(out.detach().clone())
            return out

        # an instance attribute shadows the class's forward until removed
        self.head.forward = forward
        self._handles = [
            model.backbone.register_forward_hook(self._count_crops),
            model.neck.offset_feats.register_forward_hook(self._count_pairs)
        ]

    def _count_crops(self, module, inputs, output):
        self.crops += inputs[0].shape[0]

    def _count_pairs(self, module, inputs, output):
        self.pairs += inputs[0].shape[0]

    def remove(self):
        del self.head.forward
        for h in self._handles:
            h.remove()


def run(model, frames, boxes, use_cache, **kwargs):
    spy = Spy(model)
    try:
        results = inference_posewarper(
            model, frames, boxes, use_cache=use_cache, **kwargs)
    finally:
        spy.remove()
    return results, spy


def assert_same(cached, recompute):
    (res_c, spy_c), (res_r, spy_r) = cached, recompute
    assert len(res_c) == len(res_r)
    # both paths decode one batch per frame (all its boxes), in box order
    hm_c = torch.cat(spy_c.heatmaps)
    hm_r = torch.cat(spy_r.heatmaps)
    assert hm_c.shape == hm_r.shape
    # the comparison is not between near-zero maps
    assert hm_r.abs().max() > 0.1
    torch.testing.assert_close(hm_c, hm_r, atol=TOL, rtol=0)
    for t, (a, b) in enumerate(zip(res_c, res_r)):
        assert a.metainfo['frame_idx'] == b.metainfo['frame_idx'] == t
        pa, pb = a.pred_instances, b.pred_instances
        np.testing.assert_allclose(pa.keypoints, pb.keypoints, atol=1e-3)
        np.testing.assert_allclose(
            pa.keypoint_scores, pb.keypoint_scores, atol=TOL)
        np.testing.assert_array_equal(pa.bboxes, pb.bboxes)
        np.testing.assert_array_equal(pa.bbox_scores, pb.bbox_scores)


@pytest.mark.parametrize('num_frames', [1, 2, 6])
@pytest.mark.parametrize('flip_test', [False, True])
def test_cached_equals_recompute(model, clip, monkeypatch, num_frames,
                                 flip_test):
    frames = video(clip, num_frames)
    boxes = [np.array([BOX_A, BOX_B], np.float32)] * num_frames
    monkeypatch.setitem(model.test_cfg, 'flip_test', flip_test)
    views = 2 if flip_test else 1
    recompute = run(model, frames, boxes, use_cache=False)
    cached = run(model, frames, boxes, use_cache=True)
    assert_same(cached, recompute)

    # the original: 5 crops and 5 warps per frame, box and view
    assert recompute[1].crops == 5 * 2 * views * num_frames
    assert recompute[1].pairs == 5 * 2 * views * num_frames
    # cached: each (frame, box, view) crop once; one offset-network pass for
    # the zero difference, then one per distinct supporting frame
    assert cached[1].crops == 2 * views * num_frames
    distinct_sup = sum(
        len(set(temporal_window(t, num_frames, (0, -2, -1, 1, 2))) - {t})
        for t in range(num_frames))
    assert cached[1].pairs == 1 + 2 * views * distinct_sup

    for sample in cached[0]:
        kpts = sample.pred_instances.keypoints
        assert kpts.shape == (2, 17, 2)
        assert sample.pred_instances.keypoint_scores.shape == (2, 17)
        np.testing.assert_array_equal(sample.pred_instances.bboxes,
                                      np.array([BOX_A, BOX_B], np.float32))


def test_keypoints_in_image_coordinates(model, clip):
    results = inference_posewarper(
        model, video(clip, 3), [np.array([BOX_A, BOX_B])] * 3)
    for sample in results:
        assert sample.metainfo['ori_shape'] == (720, 1280)
        for kpts, (x1, y1, x2, y2) in zip(sample.pred_instances.keypoints,
                                          (BOX_A, BOX_B)):
            # MMPose pads the box by 1.25 and widens it to the 3:4 crop
            cx, cy, h = (x1 + x2) / 2, (y1 + y2) / 2, 1.25 * (y2 - y1)
            w = max(1.25 * (x2 - x1), h * 0.75)
            h = max(h, w / 0.75)
            assert (np.abs(kpts[:, 0] - cx) <= w / 2 + 1e-3).all()
            assert (np.abs(kpts[:, 1] - cy) <= h / 2 + 1e-3).all()
        # crop coordinates (0..48, 0..64) would lie far from both boxes
        assert sample.pred_instances.keypoints[..., 0].min() > 200


def test_per_frame_boxes_and_formats(model, clip):
    """Detections that change from frame to frame (no crop reuse), a frame
    without people, a whole-frame entry and the xywh format."""
    frames = video(clip, 5)
    rng = np.random.default_rng(0)
    xyxy = []
    for t in range(5):
        jitter = rng.uniform(-20, 20, size=(2, 4)).astype(np.float32)
        xyxy.append(np.array([BOX_A, BOX_B], np.float32) + jitter)
    xywh = [np.concatenate([b[:, :2], b[:, 2:] - b[:, :2]], 1) for b in xyxy]
    scores = [np.array([[0.9], [0.4]], np.float32)] * 5
    boxes = [np.concatenate([b, s], 1) for b, s in zip(xywh, scores)]
    boxes[1] = np.zeros((0, 5), np.float32)
    boxes[3] = None
    recompute = run(model, frames, boxes, use_cache=False,
                    bbox_format='xywh')
    cached = run(model, frames, boxes, use_cache=True,
                 bbox_format='xywh')
    assert_same(cached, recompute)
    res = cached[0]
    assert len(res[1].pred_instances) == 0
    assert res[1].pred_instances.keypoints.shape == (0, 17, 2)
    np.testing.assert_array_equal(res[3].pred_instances.bboxes,
                                  [[0, 0, 1280, 720]])
    np.testing.assert_allclose(res[0].pred_instances.bboxes, xyxy[0],
                               atol=1e-4)
    np.testing.assert_allclose(res[0].pred_instances.bbox_scores, [0.9, 0.4])
    # boxes differ on every frame: no crop is shared (1+2+2 boxes, 5 crops
    # each, minus the windows' duplicates from clipping)
    assert cached[1].crops == sum(
        len(set(temporal_window(t, 5, (0, -2, -1, 1, 2)))) * n
        for t, n in enumerate((2, 0, 2, 1, 2)))


def test_custom_window(model, clip):
    """Training-style window (0, +1) with weights (0, 1): the reference
    frame is skipped, the last frame's clipped support is the zero warp."""
    frames = video(clip, 4)
    boxes = [np.array([BOX_A], np.float32)] * 4
    kwargs = dict(frame_offsets=(0, 1), frame_weights=(0.0, 1.0))
    recompute = run(model, frames, boxes, False, **kwargs)
    cached = run(model, frames, boxes, True, **kwargs)
    assert_same(cached, recompute)


def test_fixed_track_bboxes_shares_crops(model, clip):
    boxes = [np.array([BOX_A, BOX_B], np.float32) + d
             for d in (0.0, 5.0, -5.0, 10.0)]
    ids = [[1, 2], [1, 2], [2, 1], [1, 2]]
    boxes[2] = boxes[2][::-1].copy()
    fixed = fixed_track_bboxes(boxes, ids)
    union_a = np.array([BOX_A[0] - 5, BOX_A[1] - 5, BOX_A[2] + 10,
                        BOX_A[3] + 10], np.float32)
    for t in range(4):
        row = ids[t].index(1)
        np.testing.assert_allclose(fixed[t][row], union_a)
    frames = video(clip, 4)
    cached = run(model, frames, fixed, use_cache=True)
    recompute = run(model, frames, fixed, use_cache=False)
    assert_same(cached, recompute)
    assert cached[1].crops == 2 * 4  # once per frame and track

    with pytest.raises(ValueError, match='track id occurs twice'):
        fixed_track_bboxes([np.array([BOX_A, BOX_B])], [[1, 1]])
    with pytest.raises(ValueError, match='track ids'):
        fixed_track_bboxes([np.array([BOX_A, BOX_B])], [[1]])


def test_zero_difference_warp(model):
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(3, 17, 16, 12, generator=gen)
    zero_warp = ZeroDifferenceWarp(model.neck)
    with torch.no_grad():
        expected = model.neck.warp(x, x)
        got = zero_warp(x)
        offsets = zero_warp.offsets(x)
    assert expected.abs().max() > 0.1
    # the shortcut is not trivial: the zero difference gives real offsets
    assert max(float(o.abs().max()) for o in offsets) > 0.1
    torch.testing.assert_close(got, expected, atol=TOL, rtol=0)
    assert len(offsets) == len(model.neck.dilations)


def test_frame_sources(model, clip):
    """A frame folder, a (T, H, W, 3) array and a list give the same."""
    by_list = inference_posewarper(model, clip, [np.array([BOX_A])] * 5)
    by_folder = inference_posewarper(model, FRAMES_DIR,
                                     [np.array([BOX_A])] * 5)
    by_array = list(
        iter_inference_posewarper(model, np.stack(clip),
                                  [np.array([BOX_A])] * 5))
    for a, b, c in zip(by_list, by_folder, by_array):
        np.testing.assert_array_equal(a.pred_instances.keypoints,
                                      b.pred_instances.keypoints)
        np.testing.assert_array_equal(a.pred_instances.keypoints,
                                      c.pred_instances.keypoints)


@pytest.mark.parametrize('channels_last', [False, True])
def test_optimize_for_inference(model, clip, channels_last):
    """BN folding (and the NHWC layout) keep the results."""
    fast = optimize_for_inference(model, channels_last=channels_last)
    assert not any(isinstance(m, _BatchNorm) for m in fast.modules())
    assert any(isinstance(m, _BatchNorm) for m in model.modules())
    if channels_last:
        with torch.no_grad():
            feats = fast.backbone(torch.rand(1, 3, 64, 48))
        assert feats[0].is_contiguous(memory_format=torch.channels_last)
    frames = video(clip, 3)
    boxes = [np.array([BOX_A], np.float32)] * 3
    ref = run(model, frames, boxes, use_cache=True)
    got = run(fast, frames, boxes, use_cache=True)
    assert_same(got, ref)
    with pytest.raises(RuntimeError, match='model.eval'):
        optimize_for_inference(fast.train())


def test_bad_input(model, clip):
    frames = video(clip, 2)
    with pytest.raises(ValueError, match='entries for 2 frames'):
        inference_posewarper(model, frames, [np.array([BOX_A])])
    with pytest.raises(ValueError, match=r'\(N, 4\) or'):
        inference_posewarper(model, frames, [np.zeros((1, 3))] * 2)
    with pytest.raises(ValueError, match='positive width'):
        inference_posewarper(model, frames, [np.array([[5, 5, 5, 9]])] * 2)
    with pytest.raises(ValueError, match='bbox_format'):
        inference_posewarper(model, frames, None, bbox_format='cxcywh')
    with pytest.raises(ValueError, match='start with 0'):
        inference_posewarper(model, frames, frame_offsets=(-1, 0),
                             frame_weights=(0.5, 0.5))
    with pytest.raises(ValueError, match='frame_weights'):
        inference_posewarper(model, frames, frame_weights=(1.0, ))
    with pytest.raises(ValueError, match='no frames'):
        inference_posewarper(model, [])
    with pytest.raises(ValueError, match='other frames have'):
        inference_posewarper(model, [clip[0], clip[1][:360]])
    model.train()
    try:
        with pytest.raises(RuntimeError, match='model.eval'):
            inference_posewarper(model, frames)
    finally:
        model.eval()


def test_bad_box_values_name_frame_box_and_value(model, clip):
    frames = video(clip, 2)
    for bad, shown in (('high', "'high'"), (None, 'None'),
                       ({'x': 1}, "{'x': 1}")):
        with pytest.raises(ValueError,
                           match=r'bboxes_per_frame\[1\]: box 0, value 2: '
                           rf'expected a number, got {re.escape(shown)}'):
            inference_posewarper(model, frames,
                                 [[list(BOX_A)], [[1.0, 2.0, bad, 4.0]]])
    # the package's box rule: outside the image is no person box
    with pytest.raises(ValueError,
                       match=r'bboxes_per_frame\[0\]: box 1 .* lies outside '
                       r'the 1280x720 image'):
        inference_posewarper(
            model, frames,
            [np.array([BOX_A, [5000, 5000, 5040, 5060]], np.float32)] * 2)


@pytest.mark.parametrize('dtype', [np.float32, np.uint16])
def test_frames_must_be_uint8(model, clip, dtype):
    frames = [f.astype(dtype) for f in video(clip, 2)]
    if dtype == np.float32:
        frames = [f / 255 for f in frames]  # [0, 1] floats
    with pytest.raises(ValueError,
                       match=rf'frame 0 has dtype {np.dtype(dtype).name}; '
                       'expected a uint8 BGR image'):
        inference_posewarper(model, frames, [np.array([BOX_A])] * 2)


def test_temporal_window():
    offsets = (0, -2, -1, 1, 2)
    assert temporal_window(0, 1, offsets) == [0, 0, 0, 0, 0]
    assert temporal_window(0, 2, offsets) == [0, 0, 0, 1, 1]
    assert temporal_window(1, 6, offsets) == [1, 0, 0, 2, 3]
    assert temporal_window(3, 6, offsets) == [3, 1, 2, 4, 5]
    with pytest.raises(IndexError):
        temporal_window(2, 2, offsets)

"""Online (causal) inference: only the current and past frames count, frame t
is yielded before frame t + 1 is read, and a long stream is held in bounded
memory. Tiny randomly initialised PoseWarper at 64x48 on real frames."""
import weakref

import numpy as np
import pytest
import torch

from mmpose_posewarper.apis import (inference_posewarper,
                                    iter_inference_posewarper,
                                    temporal_window)
from mmpose_posewarper.apis.cached_inference import CachedVideoInference

# fixtures and helpers of the offline tests (same model, same real clip)
from .test_inference import (BOX_A, BOX_B, TOL, Spy, assert_same, clip,
                             model, one_thread, video)

__all__ = ['clip', 'model', 'one_thread']  # fixtures used by name below

CAUSAL_OFFSETS = (0, -2, -1)
#: the default window clipped at the reference frame: t gets 0.3 + 0.25 + 0.1
CAUSAL_WEIGHTS = (0.65, 0.1, 0.25)


def run(model, frames, boxes, **kwargs):
    spy = Spy(model)
    try:
        results = inference_posewarper(model, frames, boxes, **kwargs)
    finally:
        spy.remove()
    return results, spy


def test_online_window():
    offsets = (0, -2, -1, 1, 2)
    assert temporal_window(0, None, offsets, online=True) == [0] * 5
    assert temporal_window(1, None, offsets, online=True) == [1, 0, 0, 1, 1]
    assert temporal_window(4, 6, offsets, online=True) == [4, 2, 3, 4, 4]
    with pytest.raises(ValueError, match='num_frames is needed'):
        temporal_window(1, None, offsets)


@pytest.mark.parametrize('flip_test', [False, True])
def test_online_equals_causal_recompute(model, clip, monkeypatch, flip_test):
    """Online frame t == the original's per-window computation on the video
    cut after frame t (its last frame: the window clipped at t), within
    1e-5 on the decoded heatmaps."""
    monkeypatch.setitem(model.test_cfg, 'flip_test', flip_test)
    n = 6
    frames = video(clip, n)
    boxes = [np.array([BOX_A, BOX_B], np.float32)] * n
    views = 2 if flip_test else 1  # the head decodes each view apart
    online = run(model, frames, boxes, online=True)
    assert len(online[1].heatmaps) == views * n
    for t in range(n):
        cut = run(model, frames[:t + 1], boxes[:t + 1], use_cache=False)
        # the last decode of the cut video is its frame t
        hm_online = torch.cat(online[1].heatmaps[views * t:views * (t + 1)])
        hm_cut = torch.cat(cut[1].heatmaps[-views:])
        assert hm_cut.abs().max() > 0.1
        torch.testing.assert_close(hm_online, hm_cut, atol=TOL, rtol=0)
        np.testing.assert_allclose(
            online[0][t].pred_instances.keypoint_scores,
            cut[0][-1].pred_instances.keypoint_scores,
            atol=TOL)

    # the recompute path in online mode (5 crops, copies of frame t for the
    # future ones, as MMPose 0.x) and the causal window given explicitly
    assert_same(online, run(model, frames, boxes, online=True,
                            use_cache=False))
    assert_same(
        online,
        run(model, frames, boxes, frame_offsets=CAUSAL_OFFSETS,
            frame_weights=CAUSAL_WEIGHTS))

    # online is not offline: they differ where offline sees future frames,
    # and agree on the last frame (both windows end there)
    offline = run(model, frames, boxes)
    diff = [(a - b).abs().max().item()
            for a, b in zip(online[1].heatmaps, offline[1].heatmaps)]
    assert min(diff[:views * (n - 1)]) > 1e-3
    assert diff[-1] <= TOL


class RecordingFrames:
    """A frame source (a sequence) that logs every frame read."""

    def __init__(self, frames, log):
        self.frames, self.log = frames, log

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, idx):
        self.log.append(('read', idx))
        return self.frames[idx]


def recording_stream(frames, log):
    """A frame source (a generator, length unknown) that logs reads."""
    for t, frame in enumerate(frames):
        log.append(('read', t))
        yield frame


def emitted_before_next_read(log, n):
    """Whether each frame t was emitted before frame t + 1 was read."""
    pos = {event: i for i, event in reversed(list(enumerate(log)))}
    return all(pos[('emit', t)] < pos[('read', t + 1)] for t in range(n - 1))


@pytest.mark.parametrize('use_cache', [True, False])
@pytest.mark.parametrize('source', ['sequence', 'stream'])
def test_online_reads_no_frame_ahead(model, clip, source, use_cache):
    n = 7
    frames = video(clip, n)

    def detect(t, frame):  # boxes computed when the frame is read
        log.append(('boxes', t))
        return np.array([BOX_A], np.float32)

    for online in (True, False):
        log = []
        src = (RecordingFrames(frames, log) if source == 'sequence' else
               recording_stream(frames, log))
        for t, sample in enumerate(
                iter_inference_posewarper(
                    model, src, detect, online=online, use_cache=use_cache)):
            assert sample.metainfo['frame_idx'] == t
            assert len(sample.pred_instances) == 1
            log.append(('emit', t))
        assert [e for e in log if e[0] == 'emit'] == [('emit', t)
                                                       for t in range(n)]
        assert [e for e in log if e[0] == 'boxes'] == [('boxes', t)
                                                        for t in range(n)]
        if online:
            assert emitted_before_next_read(log, n), log
            # never a frame ahead: frame t read before emit t, nothing later
            reads = [i for i, e in enumerate(log) if e == ('read', 3)]
            assert reads and reads[0] > log.index(('emit', 2))
        else:
            # the recorder does see look-ahead: offline reads t + 2 first
            assert not emitted_before_next_read(log, n)
            assert log.index(('read', 2)) < log.index(('emit', 0))


def test_stream_gives_the_sequence_results(model, clip):
    """A generator of frames (length unknown) gives what the list gives, in
    both modes; a list of boxes that does not fit the stream is refused."""
    n = 5
    frames = video(clip, n)
    boxes = [np.array([BOX_A, BOX_B], np.float32)] * n
    for online in (False, True):
        by_list = inference_posewarper(model, frames, boxes, online=online)
        by_stream = inference_posewarper(
            model, (f for f in frames), boxes, online=online)
        for a, b in zip(by_list, by_stream):
            np.testing.assert_array_equal(a.pred_instances.keypoints,
                                          b.pred_instances.keypoints)
        assert len(by_stream) == n
    with pytest.raises(ValueError, match='4 entries, but the video has a '
                       'frame 4'):
        inference_posewarper(model, (f for f in frames), boxes[:4])
    with pytest.raises(ValueError, match='6 entries for 5 frames'):
        inference_posewarper(model, (f for f in frames), boxes + boxes[:1])
    with pytest.raises(ValueError, match='no frames'):
        inference_posewarper(model, (f for f in []))


@pytest.mark.parametrize('online, max_frames', [(True, 3), (False, 5)])
def test_long_stream_holds_only_the_window(model, monkeypatch, online,
                                           max_frames):
    """300 tiny generated frames, two people with fixed boxes: the frames
    alive at any time (counted with weak references, so any reference kept
    anywhere counts) and the crops' heatmaps held never exceed the window
    (3 frames online, 5 offline)."""
    n = 300
    alive = [0]  # frames not garbage yet
    peak = dict(frames=0, heatmaps=0)

    def freed():
        alive[0] -= 1

    def count(what, value):
        peak[what] = max(peak[what], value)

    def stream():
        rng = np.random.default_rng(0)
        for _ in range(n):
            frame = rng.integers(0, 255, (64, 96, 3), np.uint8)
            alive[0] += 1
            weakref.finalize(frame, freed)
            count('frames', alive[0])
            yield frame

    release = CachedVideoInference.release_before

    def counting_release(self, t):
        count('heatmaps', self.held_heatmaps())  # before release: the peak
        release(self, t)

    monkeypatch.setattr(CachedVideoInference, 'release_before',
                        counting_release)
    boxes = np.array([[4, 4, 44, 60], [50, 2, 90, 62]], np.float32)
    results = 0
    for sample in iter_inference_posewarper(
            model, stream(), lambda t, frame: boxes, online=online):
        count('frames', alive[0])
        results += 1
    assert results == n
    assert peak['frames'] == max_frames
    assert peak['heatmaps'] == 2 * max_frames  # per person, its window
    assert alive[0] == 0

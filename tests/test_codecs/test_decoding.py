"""Batched heatmap decoding gives MMPose's MSRAHeatmap.decode."""
import numpy as np
import pytest
from mmpose.codecs import MSRAHeatmap, UDPHeatmap

from mmpose_posewarper.codecs import decode_heatmaps


def heatmaps(num=6, seed=0):
    """Gaussian blobs at sub-pixel places, some at the border, one empty
    map and one flat map."""
    rng = np.random.default_rng(seed)
    h, w = 32, 24
    ys, xs = np.mgrid[0:h, 0:w]
    centers = rng.uniform([-1, -1], [w, h], (num, 17, 2))
    centers[0, :3] = [[0.2, 5.0], [23.6, 31.0], [1.4, 1.6]]
    hm = np.exp(-((xs - centers[..., 0, None, None])**2 +
                  (ys - centers[..., 1, None, None])**2) / 8.0)
    hm += rng.uniform(0, 0.05, hm.shape)
    hm[1, 0] = 0.0
    hm[1, 1] = 0.3
    return hm.astype(np.float32)


@pytest.mark.parametrize('unbiased', [False, True])
def test_batched_decoding_equals_mmpose(unbiased):
    codec = MSRAHeatmap(input_size=(96, 128), heatmap_size=(24, 32),
                        sigma=2, unbiased=unbiased)
    hm = heatmaps()
    kpts, scores = decode_heatmaps(codec, hm)
    assert kpts.shape == (6, 17, 2) and scores.shape == (6, 17)
    for i in range(len(hm)):
        ref_k, ref_s = codec.decode(hm[i])
        np.testing.assert_allclose(kpts[i], ref_k.reshape(17, 2), atol=1e-4)
        np.testing.assert_array_equal(scores[i], ref_s.reshape(17))


def test_other_codecs_decode_one_by_one():
    codec = UDPHeatmap(input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
    hm = heatmaps(num=2)
    kpts, scores = decode_heatmaps(codec, hm)
    for i in range(2):
        ref_k, ref_s = codec.decode(hm[i])
        np.testing.assert_allclose(kpts[i], ref_k.reshape(17, 2))
        np.testing.assert_allclose(scores[i], ref_s.reshape(17))
    with pytest.raises(ValueError, match=r'\(M, K, H, W\)'):
        decode_heatmaps(codec, hm[0])

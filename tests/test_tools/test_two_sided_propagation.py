"""Two-sided label propagation through PoseWarper (LabelPropagator and
``tools/propagate_labels.py --two-sided``)."""
import cv2
import numpy as np
import pytest

from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video

from _helpers.jobs import TINY_POSEWARPER, write_tiny_video
from .test_propagation import run_propagation


def _setup(tmp_path, ckpt, random_warp=False, **video_kw):
    import torch

    from mmpose_posewarper.apis import init_model
    from mmpose_posewarper.apis.label_propagator import LabelPropagator
    video = write_tiny_video(tmp_path / 'data', **video_kw)
    model = init_model(str(TINY_POSEWARPER), str(ckpt))
    if random_warp:
        torch.manual_seed(0)
        for module in (model.neck.trans_layer, *model.neck.offset_layers):
            torch.nn.init.normal_(module.weight, std=0.3)
    anns = load_posetrack_video(str(video['sparse_file']))['annotations']
    boxes = np.array([[x, y, x + w, y + h]
                      for x, y, w, h in (a['bbox'] for a in anns)])
    kpts = np.stack([a['keypoints'][:, :2] for a in anns])
    vis = np.stack([a['keypoints'][:, 2] for a in anns])
    nframes = video_kw.get('nframes', 9)
    imgs = [cv2.imread(str(video['frame_dir'] / f'{t:06d}.jpg'))
            for t in range(nframes)]
    return LabelPropagator(model, batch_size=4), imgs, boxes, kpts, vis


@pytest.mark.parametrize('level', ['heatmap', 'keypoint'])
def test_all_weight_on_the_near_source_is_one_sided(tmp_path,
                                                    identity_posewarper,
                                                    level):
    """Weights (1, 0) and a far source the person is missing from both give
    exactly the one-sided result, with a warp that is not the identity."""
    prop, imgs, boxes, kpts, vis = _setup(
        tmp_path, identity_posewarper, random_warp=True, nframes=5,
        labeled=(1, ), shift=(3.0, 1.0))
    one_k, one_s, one_v = prop.propagate_many(imgs[1], [imgs[2], imgs[3]],
                                              boxes, kpts, vis)
    far = kpts + 5.0
    two_k, two_s, two_v = prop.propagate_two_sided(
        imgs[1], imgs[4], [imgs[2], imgs[3]], boxes, np.stack([kpts, far]),
        np.stack([vis, vis]), np.array([[1.0, 0.0], [1.0, 0.0]]), level=level)
    np.testing.assert_allclose(two_k, one_k, atol=1e-3)
    np.testing.assert_allclose(two_s, one_s, atol=1e-5)
    np.testing.assert_array_equal(two_v, one_v > 0)
    # nobody in the far frame: the near source alone, whatever the weights
    miss_k, miss_s, _ = prop.propagate_two_sided(
        imgs[1], imgs[4], [imgs[2], imgs[3]], boxes, np.stack([kpts, far]),
        np.stack([vis, np.zeros_like(vis)]),
        np.array([[0.5, 0.5], [0.4, 0.6]]), level=level)
    np.testing.assert_allclose(miss_k, one_k, atol=1e-3)
    np.testing.assert_allclose(miss_s, one_s, atol=1e-5)
    assert np.abs(one_k[0] - kpts)[one_v > 0].max() > 1.0  # it did warp


def test_identity_warp_fuses_to_the_weighted_mean(tmp_path,
                                                  identity_posewarper):
    """The identity warp moves nothing, so keypoint-level fusion of the two
    labeled poses is their weighted mean (linear interpolation), up to the
    heatmap quantisation; the same pose on both sides fuses to itself at
    the heatmap level."""
    prop, imgs, boxes, kpts, vis = _setup(tmp_path, identity_posewarper,
                                          nframes=8, labeled=(0, ))
    far = kpts + np.array([7.0, 3.5])
    weights = np.array([[6 / 7, 1 / 7], [4 / 7, 3 / 7]])
    got_k, _, got_v = prop.propagate_two_sided(
        imgs[0], imgs[7], [imgs[1], imgs[3]], boxes, np.stack([kpts, far]),
        np.stack([vis, vis]), weights, level='keypoint')
    hm_px = 0.6 * 96 * 1.25 / 16
    for i in range(2):
        want = weights[i, 0] * kpts + weights[i, 1] * far
        assert np.abs(got_k[i] - want)[got_v].max() <= hm_px
    same_k, same_s, _ = prop.propagate_two_sided(
        imgs[0], imgs[7], [imgs[1]], boxes, np.stack([kpts, kpts]),
        np.stack([vis, vis]), weights[:1], level='heatmap')
    one_k, one_s, _ = prop.propagate_many(imgs[0], [imgs[1]], boxes, kpts,
                                          vis)
    np.testing.assert_allclose(same_k, one_k, atol=1e-3)
    np.testing.assert_allclose(same_s, one_s, atol=1e-5)


def test_weights_must_match_the_targets(tmp_path, identity_posewarper):
    prop, imgs, boxes, kpts, vis = _setup(tmp_path, identity_posewarper,
                                          nframes=3, labeled=(0, ))
    with pytest.raises(ValueError, match=r'weights must be \(T, 2\)'):
        prop.propagate_two_sided(imgs[0], imgs[2], [imgs[1]], boxes,
                                 np.stack([kpts, kpts]),
                                 np.stack([vis, vis]), np.ones((2, 2)) / 2)


def test_tool_two_sided(tmp_path, identity_posewarper):
    """``--two-sided``: frames between the labeled frames 2 and 6 record
    their second source; frames past the last labeled frame stay
    one-sided; with keypoint fusion and the identity warp the labels are
    interpolated between the two labeled frames."""
    video = write_tiny_video(
        tmp_path / 'data', nframes=9, labeled=(2, 6), shift=(2.0, 0.0))
    out = tmp_path / 'out'
    assert run_propagation(video, identity_posewarper, out, '--k', 2,
                           '--two-sided', '--fusion-level', 'keypoint') == 0
    res = load_posetrack_video(str(out / 'annotations' /
                                   video['sparse_file'].name))
    src = load_posetrack_video(str(video['sparse_file']))
    frames = {img['id']: int(img['file_name'][-10:-4])
              for img in res['images']}
    src_frames = {img['id']: int(img['file_name'][-10:-4])
                  for img in src['images']}
    labels = {(src_frames[a['image_id']], a['track_id']): a['keypoints']
              for a in src['annotations']}
    second = {frames[a['image_id']]: a.get('second_source_frame')
              for a in res['annotations']}
    assert second == {0: None, 1: None, 3: 6, 4: 6, 5: 2, 7: None, 8: None}
    hm_px = 0.6 * 96 * 1.25 / 16
    for a in res['annotations']:
        t = frames[a['image_id']]
        if second[t] is None:
            continue
        near, far = a['source_frame'], second[t]
        w_near = abs(t - far) / (abs(t - near) + abs(t - far))
        k_near = labels[(near, a['track_id'])]
        k_far = labels[(far, a['track_id'])]
        vis = (k_near[:, 2] > 0) & (k_far[:, 2] > 0)
        want = w_near * k_near[:, :2] + (1 - w_near) * k_far[:, :2]
        assert np.abs(a['keypoints'][vis, :2] - want[vis]).max() <= hm_px


def test_tool_checks_two_sided_options(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    with pytest.raises(SystemExit) as err:
        run_propagation(video, identity_posewarper, tmp_path / 'out',
                        '--two-sided', '--second-reach', '0')
    assert err.value.code == 2

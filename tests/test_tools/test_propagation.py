"""Label propagation (tools/propagate_labels.py, apis/propagation.py)."""
import json
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from mmpose_posewarper.apis.propagation_plan import plan_propagation
from mmpose_posewarper.apis.video_io import FrameDecodeError
from mmpose_posewarper.datasets.posetrack_io import (load_posetrack_dir,
                                                     load_posetrack_video)

from _helpers.jobs import (REPO, TINY_POSEWARPER, env_with_repo, import_tool,
                           python, write_tiny_video)

propagate_tool = import_tool('propagate_labels')


def test_propagation_keeps_its_public_names():
    """apis/propagation.py is split by concern; each public name it had
    is still importable from it, without a warning, as the object its
    module of its own defines."""
    import warnings

    from mmpose_posewarper.apis import (label_propagator,
                                        propagated_annotation, propagation,
                                        propagation_evaluation,
                                        propagation_frames, propagation_plan)
    homes = {
        label_propagator: ['LabelPropagator'],
        propagation_plan: ['plan_propagation', 'propagation_sources'],
        propagated_annotation: ['propagated_annotation', 'HEAD_JOINTS'],
        propagation_frames: ['count_propagation_targets', 'frames_to_read',
                             'check_frames_exist'],
        propagation_evaluation: ['evaluate_propagation'],
    }
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for module, names in homes.items():
            for name in names:
                assert name in propagation.__all__
                assert getattr(propagation, name) is getattr(module, name)


def run_propagation(video, ckpt, out_dir, *extra):
    argv = [
        str(TINY_POSEWARPER),
        str(ckpt), '--ann-dir',
        str(video['sparse_dir']), '--img-root',
        str(video['img_root']), '--out-dir',
        str(out_dir), '--device', 'cpu', *map(str, extra)
    ]
    return propagate_tool.main(argv)


# --------------------------------------------------------------- planning
def test_plan_nearest_labeled_frame_tie_earlier():
    plan = plan_propagation([3, 7], range(12), k=3)
    # 5 is 2 away from both 3 and 7: the earlier one wins
    assert plan[5] == 3
    assert plan[4] == 3 and plan[6] == 7
    assert plan[0] == 3 and plan[10] == 7
    assert 11 not in plan  # 4 away from 7
    assert 3 not in plan and 7 not in plan  # labeled frames are sources
    assert sorted(plan) == [0, 1, 2, 4, 5, 6, 8, 9, 10]


def test_plan_rejects_k_below_one():
    with pytest.raises(ValueError, match='K must be >= 1'):
        plan_propagation([0], range(3), k=0)


# ----------------------------------------------------------- end to end
def test_identity_warp_reproduces_source_keypoints(tmp_path,
                                                   identity_posewarper):
    """With the original's init the warp is the identity, so every
    propagated person must sit exactly where it is in its source frame
    (up to the heatmap quantisation) and score the Gaussian peak (1.0)."""
    video = write_tiny_video(
        tmp_path / 'data', nframes=9, labeled=(2, 6), shift=(1.0, 0.0))
    out = tmp_path / 'out'
    assert run_propagation(video, identity_posewarper, out, '--k', 2) == 0

    src = load_posetrack_video(str(video['sparse_file']))
    res = load_posetrack_video(str(out / 'annotations' / video[
        'sparse_file'].name))
    frames = {img['id']: int(img['file_name'][-10:-4]) for img in res['images']}
    src_by_key = {(frames[a['image_id']], a['track_id']): a
                  for a in src['annotations']}
    anns = res['annotations']
    # frames 0,1,3,4 from 2 and 5,7,8 from 6 (4 is a tie -> earlier, 2);
    # 2 people each, labeled frames not copied without --keep-labeled
    got = sorted({(frames[a['image_id']], a['source_frame']) for a in anns})
    assert got == [(0, 2), (1, 2), (3, 2), (4, 2), (5, 6), (7, 6), (8, 6)]
    assert len(anns) == 14
    # crop of a 0.3*128 x 0.6*96 box, enlarged 1.25x and fixed to 3:4; one
    # heatmap pixel (of 16 rows) in the image:
    hm_px = 0.6 * 96 * 1.25 / 16
    for a in anns:
        s = src_by_key[(a['source_frame'], a['track_id'])]
        assert a['is_labeled'] is False
        assert a['propagation_offset'] == frames[a['image_id']] - \
            a['source_frame']
        vis = s['keypoints'][:, 2] > 0
        np.testing.assert_array_equal(a['keypoints'][:, 2] > 0, vis)
        assert np.abs(a['keypoints'][vis, :2] -
                      s['keypoints'][vis, :2]).max() <= hm_px
        # invisible joints stay invisible, with no coordinates or score
        assert (a['keypoints'][~vis] == 0).all()
        assert (a['scores'][~vis] == 0).all()
        np.testing.assert_allclose(a['scores'][vis], 1.0, atol=1e-5)
        assert a['score'] == pytest.approx(1.0, abs=1e-5)
        # identity: no displacement, so the box is the source box
        np.testing.assert_allclose(a['bbox'], s['bbox'], atol=hm_px)
    # frames with propagated labels are marked; the rest are unlabeled
    for img in res['images']:
        t = frames[img['id']]
        if t in (2, 6):
            assert img['is_labeled'] is False
        else:
            assert img['is_labeled'] is True
            assert img['propagation_offset'] == t - img['source_frame']


def test_known_offsets_move_the_labels(tmp_path, identity_posewarper):
    """Offsets of +2 heatmap pixels in x sample the ground truth 2 pixels to
    the right, so every propagated joint must land 2 heatmap pixels (9 image
    pixels for this crop) to the left: the output is the decoded warp, mapped
    back to the image."""
    import torch

    from mmpose_posewarper.apis import init_model
    from mmpose_posewarper.apis.label_propagator import LabelPropagator
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    model = init_model(str(TINY_POSEWARPER), str(identity_posewarper))
    propagator = LabelPropagator(model)
    ann = load_posetrack_video(str(video['sparse_file']))['annotations'][0]
    img = cv2.imread(str(video['frame_dir'] / '000001.jpg'))
    x, y, w, h = ann['bbox']
    args = (np.array([[x, y, x + w, y + h]]), ann['keypoints'][None, :, :2],
            ann['keypoints'][None, :, 2])
    same, _, _ = propagator.propagate(img, img, *args)

    # constant offsets: (dy, dx) = (0, 2) at every kernel tap and group
    for j, layer in enumerate(model.neck.offset_layers):
        const = torch.nn.Conv2d(layer.in_channels, layer.out_channels, 1)
        torch.nn.init.zeros_(const.weight)
        with torch.no_grad():
            const.bias.copy_(
                torch.arange(layer.out_channels).remainder(2) * 2.0)
        model.neck.offset_layers[j] = const
    moved, scores, vis = propagator.propagate(img, img, *args)
    assert vis.sum() == 15
    # box 38.4 x 57.6, x1.25, widened to 3:4 -> 54 x 72 px crop, 12 x 16
    # heatmap: one heatmap pixel is 4.5 image pixels
    np.testing.assert_allclose(
        moved[vis] - same[vis],
        np.broadcast_to([-9.0, 0.0], moved[vis].shape),
        atol=1e-3)
    np.testing.assert_allclose(scores[vis], 1.0, atol=1e-5)


def test_batched_targets_equal_pairwise(tmp_path, identity_posewarper):
    """Warping to several frames at once (A's crop through the backbone once)
    gives what warping to each frame alone gives, with a model whose warp is
    not the identity."""
    import torch

    from mmpose_posewarper.apis import init_model
    from mmpose_posewarper.apis.label_propagator import LabelPropagator
    video = write_tiny_video(
        tmp_path / 'data', nframes=4, labeled=(1, ), shift=(3.0, 1.0))
    model = init_model(str(TINY_POSEWARPER), str(identity_posewarper))
    torch.manual_seed(0)
    for module in (model.neck.trans_layer, *model.neck.offset_layers):
        torch.nn.init.normal_(module.weight, std=0.3)
    propagator = LabelPropagator(model, batch_size=3)
    anns = load_posetrack_video(str(video['sparse_file']))['annotations']
    boxes = np.array([[x, y, x + w, y + h]
                      for x, y, w, h in (a['bbox'] for a in anns)])
    kpts = np.stack([a['keypoints'][:, :2] for a in anns])
    vis = np.stack([a['keypoints'][:, 2] for a in anns])
    imgs = [cv2.imread(str(video['frame_dir'] / f'{t:06d}.jpg'))
            for t in range(4)]
    many_k, many_s, many_v = propagator.propagate_many(
        imgs[1], [imgs[0], imgs[2], imgs[3]], boxes, kpts, vis)
    for i, t in enumerate((0, 2, 3)):
        one_k, one_s, one_v = propagator.propagate(imgs[1], imgs[t], boxes,
                                                   kpts, vis)
        np.testing.assert_allclose(many_k[i], one_k, atol=1e-3)
        np.testing.assert_allclose(many_s[i], one_s, atol=1e-5)
        np.testing.assert_array_equal(many_v, one_v)
    # the random warp really moved something
    assert np.abs(many_k[0] - kpts)[many_v].max() > 1.0


def test_k_from_the_config(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=7, labeled=(3, ),
                             num_people=1)
    out = tmp_path / 'out'
    run_propagation(video, identity_posewarper, out, '--cfg-options',
                    'propagation.k=1')
    (res, ) = load_posetrack_dir(str(out / 'annotations')).values()
    assert sorted(a['propagation_offset'] for a in res['annotations']) == [
        -1, 1
    ]


def test_real_posetrack_file_with_missing_frames(tmp_path, shared_data,
                                                 identity_posewarper):
    """The official val file of 003418 lists frame 0 only (its frames 1-148
    are not on disk here): the frames to propagate to get entries, and the
    first missing image is named."""
    ann = shared_data / 'posetrack18' / 'annotations' / 'val' / \
        '003418_mpii_test.json'
    argv = [
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--ann-dir',
        str(ann), '--img-root',
        str(shared_data / 'posetrack18'), '--out-dir',
        str(tmp_path / 'out')
    ]
    with pytest.raises(FileNotFoundError,
                       match=r'images/val/003418_mpii_test/000001.jpg '
                       r'\(frame 1\) does not exist'):
        propagate_tool.main(argv)


def test_outputs_load_back(tmp_path, identity_posewarper):
    """The per-video files load with posetrack_io, the frame-pair dataset
    and MMPose's PoseTrack18Dataset; the COCO-style files too."""
    from mmpose.datasets import PoseTrack18Dataset

    import mmpose_posewarper  # noqa: F401
    from mmpose_posewarper.datasets.datasets.posetrack_pair_dataset import \
        PoseTrackFramePairDataset

    video = write_tiny_video(tmp_path / 'data', nframes=5, labeled=(2, ))
    out = tmp_path / 'out'
    run_propagation(video, identity_posewarper, out, '--k', 1,
                    '--keep-labeled')
    videos = load_posetrack_dir(str(out / 'annotations'))
    (res, ) = videos.values()
    flags = sorted(a['is_labeled'] for a in res['annotations'])
    assert flags == [False] * 4 + [True] * 2  # 2 frames x 2 people + manual

    pairs = PoseTrackFramePairDataset(
        ann_file=str(out / 'annotations'),
        data_prefix=dict(img=str(video['img_root']) + '/'),
        test_mode=False)
    # frames 1, 2, 3 are labeled now, 2 people each
    assert len(pairs) == 6
    assert pairs.labeled_frames == {'images/val/000001_mpii_test': [1, 2, 3]}

    for name, count in (('posetrack18_propagated.json', 4),
                        ('posetrack18_manual.json', 2)):
        ds = PoseTrack18Dataset(
            ann_file=str(out / name),
            data_prefix=dict(img=str(video['img_root']) + '/'),
            pipeline=[])
        assert len(ds) == count
        item = ds[0]
        assert item['keypoints'].shape == (1, 17, 2)
        assert (video['img_root'] / item['img_path']).is_file()
    coco = json.loads((out / 'posetrack18_propagated.json').read_text())
    assert all(a['is_labeled'] is False for a in coco['annotations'])
    assert {img['width'] for img in coco['images']} == {128}


def test_eval_prints_the_metric(tmp_path, identity_posewarper):
    """On a static scene the identity warp is right: AP 100. When the scene
    moves 10 px per frame (twice the PCKh threshold of the 12 px head boxes),
    labels that do not move are wrong on every propagated frame: AP near 0.
    Both numbers come from the metric, run from the command line."""
    static = write_tiny_video(tmp_path / 'static', nframes=7, labeled=(3, ))
    out = tmp_path / 'out_static'
    proc = subprocess.run([
        python(), str(REPO / 'tools' / 'propagate_labels.py'),
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--ann-dir',
        str(static['sparse_dir']), '--img-root',
        str(static['img_root']), '--out-dir',
        str(out), '--k', '3', '--eval',
        str(static['dense_dir'])
    ], capture_output=True, text=True, env=env_with_repo(), cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'propagation AP on 6 frames' in log
    assert '& Head &' in log and '100.0' in log
    res = json.loads((out / 'eval.json').read_text())
    assert res['num_frames'] == 6
    assert res['Total'] == pytest.approx(100.0)

    moving = write_tiny_video(
        tmp_path / 'moving',
        nframes=7,
        labeled=(3, ),
        shift=(10.0, 0.0),
        size=(96, 192),
        num_people=1)
    run_propagation(moving, identity_posewarper, tmp_path / 'out_moving',
                    '--k', 3, '--eval', moving['dense_dir'])
    res = json.loads((tmp_path / 'out_moving' / 'eval.json').read_text())
    assert res['num_frames'] == 6
    assert res['Total'] < 20.0


# --------------------------------------------------------- failure modes
def test_refuses_to_write_over_the_input(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    before = video['sparse_file'].read_bytes()
    with pytest.raises(ValueError, match='input annotation directory'):
        run_propagation(video, identity_posewarper, video['sparse_dir'])
    assert video['sparse_file'].read_bytes() == before


def test_refuses_output_annotations_equal_to_input(tmp_path,
                                                   identity_posewarper):
    # input in DIR/annotations, output DIR: per-video outputs would land on
    # the input files
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    ann_dir = tmp_path / 'data' / 'annotations'
    shutil.copytree(video['sparse_dir'], ann_dir)
    video = dict(video, sparse_dir=ann_dir)
    with pytest.raises(ValueError, match='input annotation directory'):
        run_propagation(video, identity_posewarper, tmp_path / 'data')


def test_video_without_labeled_frame(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    write_tiny_video(
        tmp_path / 'data', name='000002_mpii_test', nframes=3, labeled=())
    with pytest.raises(ValueError,
                       match=r'1 of 2 videos have no labeled frame.*'
                       r'000002_mpii_test.*--skip-unlabeled-videos'):
        run_propagation(video, identity_posewarper, tmp_path / 'out')
    assert not (tmp_path / 'out').exists()
    assert run_propagation(video, identity_posewarper, tmp_path / 'out',
                           '--skip-unlabeled-videos') == 0
    assert [p.name for p in (tmp_path / 'out' / 'annotations').iterdir()
            ] == ['000001_mpii_test.json']


def test_frame_that_fails_to_decode(tmp_path, identity_posewarper):
    video = write_tiny_video(tmp_path / 'data', nframes=5, labeled=(1, ))
    (video['frame_dir'] / '000003.jpg').write_bytes(b'not a jpeg at all')
    with pytest.raises(FrameDecodeError, match=r'frame 3 of .*000003.jpg'):
        run_propagation(video, identity_posewarper, tmp_path / 'out')
    # nothing is written when a video fails
    assert not (tmp_path / 'out').exists()
    (video['frame_dir'] / '000002.jpg').unlink()
    with pytest.raises(FileNotFoundError, match=r'000002.jpg \(frame 2\)'):
        run_propagation(video, identity_posewarper, tmp_path / 'out')


def test_checkpoint_of_the_wrong_model(tmp_path, topdown_checkpoint):
    from mmpose_posewarper.utils import CheckpointMismatchError
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    with pytest.raises(CheckpointMismatchError,
                       match=r'does not fit the configured PoseWarper.*'
                       r'neck\.offset'):
        run_propagation(video, topdown_checkpoint, tmp_path / 'out')
    bad = tmp_path / 'garbage.pth'
    bad.write_bytes(b'\x00' * 64)
    with pytest.raises(ValueError, match=r'garbage.pth: not a PyTorch '
                       r'checkpoint \(unknown format'):
        run_propagation(video, bad, tmp_path / 'out')


def test_single_frame_config_is_rejected(tmp_path, topdown_checkpoint):
    from _helpers.jobs import TINY_TOPDOWN
    video = write_tiny_video(tmp_path / 'data', nframes=3, labeled=(1, ))
    argv = [
        str(TINY_TOPDOWN),
        str(topdown_checkpoint), '--ann-dir',
        str(video['sparse_dir']), '--img-root',
        str(video['img_root']), '--out-dir',
        str(tmp_path / 'out')
    ]
    with pytest.raises(TypeError, match='needs a PoseWarper model'):
        propagate_tool.main(argv)

"""PoseWarperInferencer (MMPose 1.x's inferencer interface) on the real
clips in ../shared/data, with given boxes and with a tiny MMDet detector,
offline and online."""
import numpy as np
import pytest

from mmpose_posewarper.apis import (PoseWarperInferencer,
                                    inference_posewarper)
from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video

from mmpose_posewarper.apis.tracking import IoUTracker

from _helpers.jobs import (TINY_DETECTOR, TINY_POSEWARPER, import_tool,
                           read_video, write_boxes)

# two people on the 960x540 clip (x1, y1, x2, y2, score)
BOXES = np.array([[100, 50, 300, 450, 0.9], [500, 80, 680, 500, 0.8]],
                 np.float32)


@pytest.fixture(scope='module')
def inferencer(identity_posewarper):
    return PoseWarperInferencer(
        str(TINY_POSEWARPER), str(identity_posewarper), device='cpu')


def _with_detector(posewarper_weights, detector_weights, **kwargs):
    """The tiny PoseWarper behind the tests' random tiny RetinaNet."""
    return PoseWarperInferencer(
        str(TINY_POSEWARPER),
        str(posewarper_weights),
        device='cpu',
        det_model=str(TINY_DETECTOR),
        det_weights=str(detector_weights),
        det_cat_ids=0,
        **kwargs)


@pytest.mark.parametrize('online', [False, True])
def test_boxes_on_a_video_file(tmp_path, shared_data, inferencer, online):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    results = list(
        inferencer(
            str(src),
            bboxes=[BOXES] * 5,
            online=online,
            return_vis=True,
            vis_out_dir=str(tmp_path / 'vis'),
            pred_out_dir=str(tmp_path / 'pred')))
    assert len(results) == 5
    for result in results:
        people = result['predictions'][0]
        assert [p['track_id'] for p in people] == [0, 1]
        for person, box in zip(people, BOXES):
            assert np.shape(person['keypoints']) == (17, 2)
            assert np.shape(person['keypoint_scores']) == (17, )
            np.testing.assert_allclose(person['bbox'], box[:4])
            assert person['bbox_score'] == pytest.approx(box[4])
        vis, = result['visualization']
        assert vis.shape == (540, 960, 3) and vis.dtype == np.uint8

    # the same poses as the function (the inferencer passes `online` on)
    frames = read_video(src)
    direct = inference_posewarper(
        inferencer.model, frames, [BOXES] * 5, online=online)
    for result, sample in zip(results, direct):
        np.testing.assert_allclose(
            [p['keypoints'] for p in result['predictions'][0]],
            sample.pred_instances.keypoints,
            atol=1e-4)

    drawn = read_video(tmp_path / 'vis' / 'demo_960x540_5f.mp4')
    assert len(drawn) == 5 and drawn[0].shape == (540, 960, 3)
    video = load_posetrack_video(str(tmp_path / 'pred' /
                                     'demo_960x540_5f.json'))
    assert len(video['images']) == 5
    assert len(video['annotations']) == 10
    assert sorted({a['track_id'] for a in video['annotations']}) == [0, 1]


@pytest.mark.parametrize('clip', ['demo_960x540_5f.mp4', 'demo_320x180.gif'])
def test_detector_on_the_real_clips(tmp_path, shared_data,
                                    identity_posewarper, detector_checkpoint,
                                    clip):
    """The shared real clips, boxes from a tiny MMDet detector: each frame's
    people sit in the boxes the detector alone gives for that frame, and the
    drawn video and PoseTrack18 file hold every frame."""
    from mmpose_posewarper.apis import PersonDetector
    inferencer = _with_detector(identity_posewarper, detector_checkpoint)
    src = shared_data / 'videos' / clip
    frames = read_video(src)
    results = list(
        inferencer(
            str(src),
            bbox_thr=0.0,
            vis_out_dir=str(tmp_path / 'vis'),
            pred_out_dir=str(tmp_path / 'pred')))
    assert len(results) == len(frames) > 1
    detector = PersonDetector(
        str(TINY_DETECTOR), str(detector_checkpoint), 'cpu', bbox_thr=0.0)
    for frame, result in zip(frames, results):
        expected = detector(frame)
        people = result['predictions'][0]
        assert len(people) == len(expected) >= 1
        np.testing.assert_allclose([p['bbox'] for p in people],
                                   expected[:, :4], atol=1e-3)
    stem = clip.rsplit('.', 1)[0]
    assert len(read_video(tmp_path / 'vis' / f'{stem}.mp4')) == len(frames)
    video = load_posetrack_video(str(tmp_path / 'pred' / f'{stem}.json'))
    assert len(video['images']) == len(frames)


def test_online_and_offline_differ(shared_data, inferencer):
    """`online` reaches the model: results differ where offline sees
    frames after t (the identity warp sums the frames' own heatmaps, which
    differ between frames; they are tiny at init, hence relative)."""
    src = str(shared_data / 'videos' / 'demo_960x540_5f.mp4')
    kw = dict(bboxes=[BOXES] * 5, return_datasamples=True)
    online = [r['predictions'][0] for r in inferencer(src, online=True, **kw)]
    offline = [r['predictions'][0] for r in inferencer(src, **kw)]
    scores = [(a.pred_instances.keypoint_scores,
               b.pred_instances.keypoint_scores)
              for a, b in zip(online, offline)]
    assert not np.allclose(*scores[1], rtol=1e-3, atol=0)
    # the same last window
    np.testing.assert_allclose(*scores[-1], rtol=1e-5, atol=0)


def test_detector_on_a_frame_folder_online(tmp_path, shared_data,
                                           identity_posewarper,
                                           detector_checkpoint):
    """A tiny MMDet detector runs on each frame as it is read; online, frame
    t's result comes out before frame t + 1 is read."""
    inferencer = _with_detector(
        identity_posewarper, detector_checkpoint, online=True)
    folder = shared_data / 'posetrack18' / 'videos' / '000001_mpiinew_test'
    log = []

    def stream():
        for t in range(5):
            log.append(('read', t))
            yield read_video(folder / f'{t:06d}.jpg')[0]

    for t, result in enumerate(
            inferencer(stream(), bbox_thr=0.0, pred_out_dir=str(tmp_path))):
        log.append(('emit', t))
        people = result['predictions'][0]
        # the random detector keeps up to 3 boxes a frame
        assert 1 <= len(people) <= 3
        for p in people:
            x1, y1, x2, y2 = p['bbox']
            assert 0 <= x1 < x2 <= 1280 and 0 <= y1 < y2 <= 720
    assert log == [(e, t) for t in range(5) for e in ('read', 'emit')]
    video = load_posetrack_video(str(tmp_path / 'stream.json'))
    assert len(video['images']) == 5
    # a frame folder as input, offline, gives PoseTrack file names
    results = list(
        inferencer(
            str(folder), online=False, bbox_thr=0.0,
            pred_out_dir=str(tmp_path)))
    assert len(results) == 5
    video = load_posetrack_video(str(tmp_path / '000001_mpiinew_test.json'))
    assert [img['file_name'] for img in video['images']] == [
        f'000001_mpiinew_test/{t:06d}.jpg' for t in range(5)
    ]


def test_outputs_are_staged_checked_and_not_overwritten(tmp_path, shared_data,
                                                        inferencer):
    """vis_out_dir / pred_out_dir go through the package's output sets: an
    existing output is refused without overwrite=True, an output among the
    inputs always, and a loop left early writes nothing."""
    import shutil

    from mmpose_posewarper.utils.output import (OutputConflictError,
                                                OutputExistsError)
    clip = tmp_path / 'in' / 'clip.mp4'
    clip.parent.mkdir()
    shutil.copyfile(shared_data / 'videos' / 'demo_960x540_5f.mp4', clip)
    before = clip.read_bytes()
    kw = dict(bboxes=[BOXES] * 5, vis_out_dir=str(tmp_path / 'vis'),
              pred_out_dir=str(tmp_path / 'pred'))
    # left after 2 of 5 frames: no output appears
    results = inferencer(str(clip), **kw)
    next(results), next(results)
    results.close()
    assert not (tmp_path / 'vis' / 'clip.mp4').exists()
    assert not (tmp_path / 'pred' / 'clip.json').exists()
    assert len(list(inferencer(str(clip), **kw))) == 5
    assert (tmp_path / 'vis' / 'clip.mp4').stat().st_size > 0
    assert (tmp_path / 'pred' / 'clip.json').is_file()
    with pytest.raises(OutputExistsError, match='vis_out_dir.*clip.mp4'):
        list(inferencer(str(clip), **kw))
    assert len(list(inferencer(str(clip), overwrite=True, **kw))) == 5
    # into the input video's folder, or over the input itself
    for where in (dict(vis_out_dir=str(clip.parent)),
                  dict(vis_out_dir=str(clip))):
        with pytest.raises(OutputConflictError, match='input'):
            list(inferencer(str(clip), bboxes=[BOXES] * 5, overwrite=True,
                            **where))
    assert clip.read_bytes() == before


def test_whole_frame_without_boxes_or_detector(shared_data, inferencer):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    frames = read_video(src)
    results = list(inferencer(frames, online=True))
    for result in results:
        person, = result['predictions'][0]
        assert person['bbox'] == [0, 0, 960, 540]
    assert results[0]['visualization'] == []


def test_bad_arguments(shared_data, inferencer, identity_posewarper):
    src = str(shared_data / 'videos' / 'demo_960x540_5f.mp4')
    with pytest.raises(ValueError, match='bboxes has 2 entries for the 5 '
                       'frames of demo_960x540_5f'):
        next(inferencer(src, bboxes=[BOXES] * 2))
    with pytest.raises(ValueError, match=r'bboxes\[0\]: boxes must have '
                       r'shape \(N, 4\) or \(N, 5\), got \(2, 3\)'):
        next(inferencer(src, bboxes=[BOXES[:, :3]] * 5))
    # boxes of several lengths: the odd one named (numpy's message did not)
    ragged = [list(BOXES[0]), [50, 300, 450]]
    with pytest.raises(ValueError, match=r'^bboxes\[1\]: box 1 has 3 values '
                       r'\(box 0: 5\); boxes must have shape'):
        list(inferencer(src, bboxes=[BOXES, ragged] + [BOXES] * 3))
    # checked as inference_posewarper checks its boxes (one function,
    # inference.parse_frame_boxes): frame, box and value named
    bad = [list(BOXES[0]), ['a', 50, 300, 450]]
    with pytest.raises(ValueError, match=r"^bboxes\[2\]: box 1, value 0: "
                       r"expected a number, got 'a'$"):
        list(inferencer(src, bboxes=[BOXES] * 2 + [bad] + [BOXES] * 2))
    with pytest.raises(ValueError, match=r'^bboxes\[0\]: every box needs '
                       'positive width and height$'):
        next(inferencer(src, bboxes=[[[100, 50, 100, 450]]] * 5))
    with pytest.raises(ValueError, match='unknown argument'):
        next(inferencer(src, bbox_threshold=0.5))
    with pytest.raises(ValueError, match='det_model and det_weights go '
                       'together'):
        PoseWarperInferencer(
            str(TINY_POSEWARPER), str(identity_posewarper),
            det_model=str(TINY_DETECTOR))


def test_demo_online(tmp_path, shared_data, identity_posewarper,
                     inferencer):
    """demo/video_demo.py --online writes the online poses."""
    demo = import_tool('video_demo', 'demo')
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    xywh = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)]
            for x1, y1, x2, y2, _ in BOXES]
    boxes = write_boxes(tmp_path / 'boxes.json', [xywh] * 5)
    assert demo.main([
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(src), '--output-root',
        str(tmp_path / 'out'), '--bboxes',
        str(boxes), '--online'
    ]) == 0
    video = load_posetrack_video(str(tmp_path / 'out' /
                                     'demo_960x540_5f.json'))
    assert len(read_video(tmp_path / 'out' / 'demo_960x540_5f.mp4')) == 5
    expected = inference_posewarper(
        inferencer.model, read_video(src), [BOXES[:, :4]] * 5, online=True)
    for t, sample in enumerate(expected):
        anns = [a for a in video['annotations'] if a['image_id'] == t]
        np.testing.assert_allclose([a['keypoints'][:, :2] for a in anns],
                                   sample.pred_instances.keypoints,
                                   atol=1e-3)


def test_iou_tracker():
    tracker = IoUTracker(iou_thr=0.3)
    a, b = [0, 0, 10, 10], [20, 0, 30, 10]
    assert tracker.update(np.array([a, b], np.float32)) == [0, 1]
    # listed in the other order, moved a little: the same tracks
    assert tracker.update(np.array([[21, 0, 31, 10], [1, 0, 11, 10]])) == [
        1, 0
    ]
    # a new person starts a new track, an empty frame ends all tracks
    assert tracker.update(np.array([[1, 0, 11, 10], [50, 50, 60, 60]])) == [
        0, 2
    ]
    assert tracker.update(np.zeros((0, 5))) == []
    assert tracker.update(np.array([a])) == [3]


def test_demo_with_ground_truth(tmp_path, identity_posewarper, capsys):
    """--gt-file: boxes from the ground truth, its mAP printed; --frame-out
    writes one rendered frame (refused when it exists, unless
    --overwrite)."""
    from _helpers.jobs import write_tiny_video
    demo = import_tool('video_demo', 'demo')
    data = write_tiny_video(tmp_path / 'data', nframes=6)
    gt = data['dense_dir'] / '000001_mpii_test.json'
    frame_out = tmp_path / 'docs' / 'frame.jpg'
    args = [
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(data['frame_dir']), '--output-root',
        str(tmp_path / 'out'), '--gt-file',
        str(gt), '--frame-out',
        str(frame_out), '--frame-index', '2', '--online'
    ]
    assert demo.main(args) == 0
    printed = capsys.readouterr().out
    assert 'mAP (Total AP): ' in printed
    ap = float(printed.split('mAP (Total AP): ')[1].split()[0])
    assert 0 <= ap <= 100
    drawn = read_video(frame_out)[0]
    assert drawn.shape == (96, 128, 3)
    np.testing.assert_allclose(
        drawn.astype(float),
        read_video(tmp_path / 'out' / '000001_mpii_test.mp4')[2],
        atol=40)  # the video's frame 2 (both lossy)
    pred = load_posetrack_video(str(tmp_path / 'out' /
                                     '000001_mpii_test.json'))
    truth = load_posetrack_video(str(gt))
    # the ground-truth boxes, two people on each of the 6 frames
    assert len(pred['annotations']) == 12
    np.testing.assert_allclose(
        sorted(a['bbox'][0] for a in pred['annotations']),
        sorted(a['bbox'][0] for a in truth['annotations']),
        atol=1e-3)
    with pytest.raises(FileExistsError, match='frame.jpg: exists'):
        demo.main(args)
    assert demo.main(args + ['--overwrite']) == 0


def test_ground_truth_boxes_follow_the_box_rule():
    from mmpose_posewarper.apis.ground_truth import ground_truth_boxes
    video = dict(
        images=[
            dict(id=10, file_name='v/000000.jpg', nframes=2, width=100,
                 height=50),
            dict(id=11, file_name='v/000001.jpg', nframes=2, width=100,
                 height=50)
        ],
        annotations=[
            dict(image_id=10, bbox=[90, 10, 20, 20]),  # clipped at 99
            dict(image_id=10, bbox=[500, 10, 20, 20]),  # outside: left out
            dict(image_id=11, bbox=[1, 2, 0, 20]),  # no size: left out
        ])
    boxes = ground_truth_boxes(video)
    np.testing.assert_allclose(boxes[0], [[90, 10, 99, 30, 1]])
    assert boxes[1].shape == (0, 5)

"""Video demo (demo/video_demo.py) on the real clips in ../shared/data."""
import json
import shutil
import signal
import subprocess

import numpy as np
import pytest

from mmpose_posewarper.apis.model import CheckpointMismatchError
from mmpose_posewarper.apis.video_io import FrameDecodeError
from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video

from _helpers.jobs import (REPO, TINY_DETECTOR, TINY_POSEWARPER,
                           TINY_TOPDOWN, env_with_repo, import_tool, python,
                           read_video, start_until, write_boxes)

demo = import_tool('video_demo', 'demo')


def check_outputs(out_dir, name, num_frames, size):
    frames = read_video(out_dir / f'{name}.mp4')
    assert len(frames) == num_frames
    assert frames[0].shape[:2] == size
    video = load_posetrack_video(str(out_dir / f'{name}.json'))
    assert len(video['images']) == num_frames
    return frames, video


def test_video_file_with_boxes_json(tmp_path, shared_data,
                                    identity_posewarper):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    # two people, the same boxes in every frame: same track ids throughout
    boxes = write_boxes(tmp_path / 'boxes.json',
                        [[[100, 50, 200, 400], [500, 80, 180, 420]]] * 5)
    out = tmp_path / 'out'
    assert demo.main([
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(src), '--output-root',
        str(out), '--bboxes',
        str(boxes), '--device', 'cpu', '--kpt-thr', '0'
    ]) == 0
    frames, video = check_outputs(out, 'demo_960x540_5f', 5, (540, 960))
    anns = video['annotations']
    assert len(anns) == 10
    by_frame = {}
    for a in anns:
        by_frame.setdefault(a['image_id'], []).append(a['track_id'])
        assert a['scores'].shape == (17, )
        assert np.isfinite(a['keypoints']).all()
    assert all(sorted(ids) == [0, 1] for ids in by_frame.values())
    # skeletons were drawn: the output differs from the input frames
    original = read_video(src)
    assert np.abs(frames[0].astype(int) - original[0].astype(int)).mean() > 1


def test_frame_folder_with_detector(tmp_path, shared_data,
                                    identity_posewarper,
                                    detector_checkpoint):
    src = shared_data / 'posetrack18' / 'videos' / '000001_mpiinew_test'
    out = tmp_path / 'out'
    assert demo.main([
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(src), '--output-root',
        str(out), '--det-config',
        str(TINY_DETECTOR), '--det-checkpoint',
        str(detector_checkpoint), '--bbox-thr', '0', '--device', 'cpu'
    ]) == 0
    _, video = check_outputs(out, '000001_mpiinew_test', 5, (720, 1280))
    # the random detector keeps up to 3 boxes a frame
    assert 1 <= len(video['annotations']) <= 15
    assert [img['file_name'] for img in video['images']] == [
        f'000001_mpiinew_test/{t:06d}.jpg' for t in range(5)
    ]


def test_gif_with_single_frame_model(tmp_path, shared_data,
                                     topdown_checkpoint):
    """A single-frame MMPose top-down config runs frame by frame."""
    src = shared_data / 'videos' / 'demo_320x180.gif'
    n = len(read_video(src))
    boxes = write_boxes(tmp_path / 'boxes.json', [[[40, 20, 80, 150]]] * n)
    out = tmp_path / 'out'
    demo.main([
        str(TINY_TOPDOWN),
        str(topdown_checkpoint), '--input',
        str(src), '--output-root',
        str(out), '--bboxes',
        str(boxes)
    ])
    _, video = check_outputs(out, 'demo_320x180', n, (180, 320))
    assert len(video['annotations']) == n


# --------------------------------------------------------- failure modes
def test_no_detections_message(tmp_path, shared_data, identity_posewarper):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    boxes = write_boxes(tmp_path / 'boxes.json', [])
    out = tmp_path / 'out'
    proc = subprocess.run([
        python(),
        str(REPO / 'demo' / 'video_demo.py'),
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(src), '--output-root',
        str(out), '--bboxes',
        str(boxes)
    ], capture_output=True, text=True, env=env_with_repo(), cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'no person box in any of the 5 frames' in proc.stdout + proc.stderr
    frames, video = check_outputs(out, 'demo_960x540_5f', 5, (540, 960))
    assert video['annotations'] == []


def test_frame_that_fails_to_decode(tmp_path, shared_data,
                                    identity_posewarper):
    folder = tmp_path / 'frames'
    shutil.copytree(shared_data / 'posetrack18' / 'videos' /
                    '000001_mpiinew_test', folder)
    (folder / '000002.jpg').write_bytes(b'\xff\xd8 broken')
    args = ['--output-root', str(tmp_path / 'out'), '--bboxes']
    boxes = write_boxes(tmp_path / 'boxes.json', [[[10, 10, 50, 90]]] * 5)
    with pytest.raises(FrameDecodeError, match=r'frame 2 of .*000002.jpg'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(folder), *args,
            str(boxes)
        ])
    # a video whose frames cannot be decoded
    data = bytearray((shared_data / 'videos' /
                      'demo_960x540_5f.mp4').read_bytes())
    start = data.find(b'mdat') + 8
    data[start + 60000:start + 200000] = bytes(140000)
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(bytes(data))
    with pytest.raises(FrameDecodeError, match=r'frame \d of .*broken.mp4'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(broken), *args,
            str(boxes)
        ])
    truncated = tmp_path / 'truncated.mp4'
    truncated.write_bytes(bytes(data[:50000]))
    with pytest.raises(FrameDecodeError, match='cannot open it as a video'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(truncated), *args,
            str(boxes)
        ])


def test_checkpoint_of_the_wrong_model(tmp_path, shared_data,
                                       identity_posewarper,
                                       topdown_checkpoint):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    boxes = write_boxes(tmp_path / 'boxes.json', [[[10, 10, 50, 90]]] * 5)
    common = ['--input', str(src), '--output-root', str(tmp_path / 'out')]
    with pytest.raises(CheckpointMismatchError,
                       match='does not fit the configured PoseWarper'):
        demo.main([
            str(TINY_POSEWARPER),
            str(topdown_checkpoint), *common, '--bboxes',
            str(boxes)
        ])
    # a pose checkpoint given as the detector's
    with pytest.raises(CheckpointMismatchError,
                       match='does not fit the configured RetinaNet'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), *common, '--det-config',
            str(TINY_DETECTOR), '--det-checkpoint',
            str(identity_posewarper)
        ])
    assert not (tmp_path / 'out').exists()


def test_bad_boxes_file(tmp_path, shared_data, identity_posewarper):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    bad = tmp_path / 'boxes.json'
    bad.write_text(json.dumps([dict(frame_index=7, bbox=[0, 0, 10, 10])]))
    with pytest.raises(ValueError,
                       match=r'boxes.json: \[0\].frame_index: 7 is not a '
                       r'frame of the input \(0..4\)'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(src), '--output-root',
            str(tmp_path / 'out'), '--bboxes',
            str(bad)
        ])


@pytest.mark.parametrize('entry, field, problem', [
    (dict(frame_index=1, bbox=[10, 'high', 50, 90]), '[1].bbox[1]',
     "expected a number, got 'high'"),
    (dict(frame_index=1, bbox=[10, None, 50, 90]), '[1].bbox[1]',
     'expected a number, got None'),
    (dict(frame_index=1, bbox={'x': 10}), '[1].bbox',
     'expected a list of numbers, got dict'),
    (dict(frame_index=1, bbox=[10, 10, 50, 90], score='high'), '[1].score',
     "expected a number, got 'high'"),
    (dict(frame_index=None, bbox=[10, 10, 50, 90]), '[1].frame_index',
     'None is not a frame of the input (0..4)'),
    (dict(frame_index=2, bbox=[5000, 5000, 40, 60]), '[1].bbox',
     '[5000, 5000, 40, 60] lies outside the 960x540 image (nothing of it is '
     'left after clipping) (frame 2)'),
    (dict(frame_index=2, bbox=[10, 10, 0, 60]), '[1].bbox',
     '[10, 10, 0, 60] has zero or negative size (frame 2)'),
])
def test_bad_box_entries_name_file_entry_and_field(tmp_path, shared_data,
                                                   entry, field, problem):
    src = shared_data / 'videos' / 'demo_960x540_5f.mp4'
    bad = tmp_path / 'boxes.json'
    bad.write_text(
        json.dumps([dict(frame_index=0, bbox=[10, 10, 50, 90]), entry]))
    # checked before the model is loaded (the checkpoint is never read)
    with pytest.raises(ValueError) as info:
        demo.main([
            str(TINY_POSEWARPER),
            str(tmp_path / 'never_read.pth'), '--input',
            str(src), '--output-root',
            str(tmp_path / 'out'), '--bboxes',
            str(bad)
        ])
    assert str(info.value) == f'{bad}: {field}: {problem}'
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('frame_out', ['X.mp4', 'frame.avi', 'frame.gif'])
def test_frame_out_that_opencv_cannot_write_is_refused_first(tmp_path, capsys,
                                                             frame_out):
    """--frame-out is one picture written by OpenCV's imwrite: a video
    extension is refused when the arguments are parsed, before the output
    set is written (it used to be committed, then imwrite failed)."""
    out = tmp_path / 'out'
    with pytest.raises(SystemExit) as info:
        demo.main([
            str(TINY_POSEWARPER),
            str(tmp_path / 'never_read.pth'), '--input',
            str(tmp_path / 'never_read.mp4'), '--output-root',
            str(out), '--bboxes',
            str(tmp_path / 'never_read.json'), '--frame-out',
            str(tmp_path / frame_out), '--overwrite'
        ])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f'error: --frame-out {tmp_path / frame_out}: OpenCV writes no ' \
        'image as' in err, err
    assert list(tmp_path.iterdir()) == []
    # the picture formats (and no extension: JPEG) pass
    for name in ('f.jpg', 'f.PNG', 'f'):
        assert demo.parse_args([
            'c.py', 'w.pth', '--input', 'v.mp4', '--output-root', 'o',
            '--bboxes', 'b.json', '--frame-out', name
        ]).frame_out == name


def tiny_demo_input(tmp_path):
    """A 9-frame 128x96 frame folder with one box per frame."""
    from _helpers.jobs import write_tiny_video
    frames = write_tiny_video(tmp_path / 'data')['frame_dir']
    boxes = write_boxes(tmp_path / 'boxes.json', [[[10, 10, 40, 60]]] * 9)
    return frames, boxes


def test_existing_outputs_refused_unless_overwrite(tmp_path,
                                                   identity_posewarper):
    frames, boxes = tiny_demo_input(tmp_path)
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'other_video.mp4').write_text('keep')
    (out / f'{frames.name}.json').write_text('earlier')
    args = [
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(frames), '--output-root',
        str(out), '--bboxes',
        str(boxes)
    ]
    with pytest.raises(FileExistsError,
                       match=rf'{frames.name}.json: exists.*--overwrite'):
        demo.main(args)
    assert sorted(p.name for p in out.iterdir()) == [
        f'{frames.name}.json', 'other_video.mp4'
    ]
    assert demo.main(args + ['--overwrite']) == 0
    check_outputs(out, frames.name, 9, (96, 128))
    assert (out / 'other_video.mp4').read_text() == 'keep'
    assert sorted(p.name for p in out.iterdir()) == [
        f'{frames.name}.json', f'{frames.name}.mp4', 'other_video.mp4'
    ]  # no .part.mp4, no staging folder


def test_output_video_may_not_be_the_input(tmp_path, shared_data,
                                           identity_posewarper):
    src = tmp_path / 'demo.mp4'
    shutil.copy(shared_data / 'videos' / 'demo_960x540_5f.mp4', src)
    boxes = write_boxes(tmp_path / 'boxes.json', [[[10, 10, 50, 90]]] * 5)
    before = src.read_bytes()
    with pytest.raises(ValueError, match='would overwrite or delete the '
                       'input'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(src), '--output-root',
            str(tmp_path), '--bboxes',
            str(boxes), '--overwrite'
        ])
    assert src.read_bytes() == before


# the demo run by a wrapper that pauses once the video is written (into the
# staging folder), so that SIGTERM arrives while the outputs are written
SLOW_DEMO = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location('video_demo', sys.argv[1])
demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(demo)
real = demo.write_posetrack_video

def slow(path, video):
    print('WRITING', path, flush=True)
    time.sleep(120)
    real(path, video)

demo.write_posetrack_video = slow
from mmpose_posewarper.utils.cli import run_tool
sys.exit(run_tool(demo.main, sys.argv[2:]))
"""


def test_sigterm_while_writing_leaves_no_partial_file(tmp_path,
                                                      identity_posewarper):
    frames, boxes = tiny_demo_input(tmp_path)
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'other_video.mp4').write_text('keep')
    script = tmp_path / 'slow_demo.py'
    script.write_text(SLOW_DEMO)
    proc, _ = start_until([
        str(script),
        str(REPO / 'demo' / 'video_demo.py'),
        str(TINY_POSEWARPER),
        str(identity_posewarper), '--input',
        str(frames), '--output-root',
        str(out), '--bboxes',
        str(boxes)
    ], 'WRITING')
    staging = [p for p in out.iterdir() if '.staging-' in p.name]
    assert len(staging) == 1 and (staging[0] / f'{frames.name}.mp4').is_file()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err[-3000:]
    assert [p.name for p in out.iterdir()] == ['other_video.mp4']


def test_detector_drops_boxes_breaking_the_box_rule(monkeypatch):
    import mmdet.apis
    import torch
    from mmengine.structures import InstanceData

    pred = InstanceData(
        bboxes=torch.tensor([[10., 10., 50., 90.], [5000., 5000., 5040., 5060.],
                             [20., 20., 20., 60.]]),
        scores=torch.tensor([0.9, 0.9, 0.9]),
        labels=torch.tensor([0, 0, 0]))
    monkeypatch.setattr(mmdet.apis, 'inference_detector',
                        lambda model, frame: InstanceData(pred_instances=pred))
    detector = demo.PersonDetector.__new__(demo.PersonDetector)
    detector.model, detector.dropped = None, 0
    detector.cat_id, detector.bbox_thr, detector.nms_thr = 0, 0.3, 0.3
    boxes = detector(np.zeros((96, 128, 3), np.uint8))
    np.testing.assert_allclose(boxes, [[10, 10, 50, 90, 0.9]])
    assert detector.dropped == 2

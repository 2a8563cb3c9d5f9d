"""Video demo (tools/video_demo.py) on the real clips in ../shared/data."""
import json
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from mmpose_posewarper.apis.propagation import CheckpointMismatchError
from mmpose_posewarper.apis.video_io import FrameDecodeError
from mmpose_posewarper.datasets.posetrack_io import load_posetrack_video

from ._helpers import (REPO, TINY_DETECTOR, TINY_POSEWARPER, TINY_TOPDOWN,
                       env_with_repo, import_tool, python)

demo = import_tool('video_demo')


@pytest.fixture(scope='module')
def detector_checkpoint(tmp_path_factory):
    """Random weights of the tiny RetinaNet."""
    import torch
    from mmdet.apis import init_detector
    model = init_detector(
        str(TINY_DETECTOR), None, palette='random', device='cpu')
    path = tmp_path_factory.mktemp('det') / 'tiny_retinanet.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return path


def write_boxes(path, boxes_per_frame):
    data = [
        dict(frame_index=t, bbox=list(map(float, b)), score=0.9,
             category_id=1) for t, boxes in enumerate(boxes_per_frame)
        for b in boxes
    ]
    path.write_text(json.dumps(data))
    return path


def read_video(path):
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


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
        str(REPO / 'tools' / 'video_demo.py'),
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
    with pytest.raises(ValueError, match=r'frame_index 7 is not a frame'):
        demo.main([
            str(TINY_POSEWARPER),
            str(identity_posewarper), '--input',
            str(src), '--output-root',
            str(tmp_path / 'out'), '--bboxes',
            str(bad)
        ])

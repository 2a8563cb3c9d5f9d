"""VideoFrames, the one frame source of inference_posewarper and
PoseWarperInferencer: every input kind gives the same frames, in order,
with the video's name and frame names."""
import cv2
import numpy as np
import pytest

from mmpose_posewarper.apis.video_frames import VideoFrames


def frames(n=3):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (8, 10, 3), np.uint8) for _ in range(n)]


def test_every_input_kind_gives_the_same_frames(tmp_path):
    imgs = frames()
    folder = tmp_path / 'clip'
    folder.mkdir()
    paths = []
    for t, img in enumerate(imgs):
        paths.append(str(folder / f'{t}.png'))
        cv2.imwrite(paths[-1], img)
    sources = dict(folder=str(folder), path_list=paths,
                   array=np.stack(imgs), image_list=imgs,
                   stream=iter(imgs))
    for kind, source in sources.items():
        video = VideoFrames(source)
        got = list(video)
        assert len(got) == 3, kind
        for a, b in zip(got, imgs):
            np.testing.assert_array_equal(a, b)
        assert video.num_frames == 3, kind
    assert VideoFrames(str(folder)).name == 'clip'
    assert VideoFrames(paths).frame_names == ['0.png', '1.png', '2.png']
    assert VideoFrames(imgs).frame_name(1) == '000001.jpg'
    assert VideoFrames(iter(imgs)).name == 'stream'


def test_a_stream_is_read_only_as_far_as_asked():
    read = []

    def stream():
        for t, img in enumerate(frames(4)):
            read.append(t)
            yield img

    video = VideoFrames(stream())
    assert video.num_frames is None and video.nframes == -1
    assert video.exists(1) and read == [0, 1]
    video[0], video[1]
    video.release_before(1)
    assert video.held() == 1
    assert not video.exists(7) and video.num_frames == 4


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match='no frames'):
        VideoFrames([])
    with pytest.raises(ValueError, match=r'\(T, H, W, 3\)'):
        VideoFrames(np.zeros((8, 10, 3), np.uint8))
    with pytest.raises(TypeError, match='got int'):
        VideoFrames(3)
    with pytest.raises(ValueError, match='dtype float32'):
        VideoFrames([np.zeros((8, 10, 3), np.float32)])[0]

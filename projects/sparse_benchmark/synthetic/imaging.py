"""The look of video footage, which the pretraining stills do not have.

COCO photos and PoseTrack frames differ in imaging: video is graded and
washed out, softer than its pixel count (the codec and a small sensor),
grainier, and compressed hard. The train and val videos get that look
(``SyntheticConfig.look = 'video'``); the pretraining stills keep the plain
render (``'stills'``). Only pixels change after rendering: scenes, people,
motion, timing and ground truth are the same for both looks, and each video
draws its look from a random stream of its own, so the plain render of a
video is bit for bit what it was before looks existed.
"""
from dataclasses import dataclass

import cv2
import numpy as np

#: the looks a split can have
LOOKS = ('stills', 'video')


@dataclass(frozen=True)
class VideoLook:
    """One video's grading, softness, grain and compression."""

    contrast: float  # around mid-grey; < 1 washes out
    saturation: float  # 0 grey, 1 unchanged
    offset: np.ndarray  # (3,) BGR colour grade, grey levels
    resolution: float  # effective resolution as a fraction of the frame's
    grain_sigma: float  # grey levels
    jpeg_quality: int  # the codec's

    def apply(self, image: np.ndarray, rng: np.random.Generator
              ) -> np.ndarray:
        """The look on one uint8 BGR frame; returns a new uint8 frame."""
        x = image.astype(np.float32)
        grey = x.mean(axis=2, keepdims=True)
        x = grey + self.saturation * (x - grey)
        x = 128.0 + self.contrast * (x - 128.0) + self.offset
        height, width = x.shape[:2]
        small = (max(1, round(width * self.resolution)),
                 max(1, round(height * self.resolution)))
        x = cv2.resize(cv2.resize(x, small, interpolation=cv2.INTER_AREA),
                       (width, height), interpolation=cv2.INTER_LINEAR)
        x += self.grain_sigma * rng.standard_normal(x.shape, np.float32)
        x = np.clip(x + 0.5, 0, 255).astype(np.uint8)
        ok, code = cv2.imencode('.jpg', x,
                                [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise RuntimeError('JPEG encoding of a frame failed')
        return cv2.imdecode(code, cv2.IMREAD_COLOR)


def sample_video_look(rng: np.random.Generator) -> VideoLook:
    """Draws the look of one video."""
    return VideoLook(
        contrast=float(rng.uniform(0.7, 0.9)),
        saturation=float(rng.uniform(0.5, 0.85)),
        offset=rng.uniform(-12, 12, 3).astype(np.float32),
        resolution=float(rng.uniform(0.55, 0.75)),
        grain_sigma=float(rng.uniform(2.0, 5.0)),
        jpeg_quality=int(rng.integers(25, 46)))

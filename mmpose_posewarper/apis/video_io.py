"""Reading the frames of a video file or of a folder of frame images.

The label propagation tool and the video demo read frames only through this
module, so a missing or undecodable frame fails the same way everywhere: with
an error that names the frame index and the file.
"""
import mimetypes
import os
import os.path as osp
import re
from typing import Iterator, List, Optional, Tuple

import cv2
import numpy as np

from ..utils.cli import UserInputError

#: File extensions treated as frame images in a frame folder.
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
#: Frame rate used when the source does not tell (frame folders).
DEFAULT_FPS = 25.0


class FrameDecodeError(RuntimeError, UserInputError):
    """A frame exists but cannot be decoded; ``frame_index`` says which."""

    def __init__(self, source: str, frame_index: int, detail: str) -> None:
        self.source = source
        self.frame_index = frame_index
        super().__init__(
            f'frame {frame_index} of {source} could not be decoded: {detail}')


def read_frame(path: str, frame_index: Optional[int] = None) -> np.ndarray:
    """Read one frame image (BGR, uint8).

    Args:
        path (str): Image file.
        frame_index (int, optional): The frame's index in its video, only
            used to name the frame in error messages.

    Returns:
        np.ndarray: The image, shape (H, W, 3).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        FrameDecodeError: the file exists but is no decodable image.
    """
    where = path if frame_index is None else f'{path} (frame {frame_index})'
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame image {where} does not exist')
    # imdecode on the raw bytes also handles paths cv2.imread cannot open
    # (non-ASCII names) and never returns a silently empty array.
    buf = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR) if buf.size else None
    if img is None:
        raise FrameDecodeError(
            osp.dirname(path) or '.', -1 if frame_index is None else
            frame_index, f'{osp.basename(path)} is not a readable image')
    return img


def _natural_key(name: str) -> Tuple:
    # '2.jpg' before '10.jpg' for unpadded frame numbers
    return tuple(int(t) if t.isdigit() else t
                 for t in re.split(r'(\d+)', name))


def list_frame_files(folder: str) -> List[str]:
    """The image files of a frame folder, in natural (frame number) order.

    Raises:
        NotADirectoryError: ``folder`` is not a directory.
        FileNotFoundError: it holds no image file.
    """
    if not osp.isdir(folder):
        raise NotADirectoryError(f'{folder} is not a directory')
    names = sorted((n for n in os.listdir(folder)
                    if osp.splitext(n)[1].lower() in IMAGE_EXTENSIONS),
                   key=_natural_key)
    if not names:
        raise FileNotFoundError(
            f'frame folder {folder} holds no image file '
            f'(looked for {", ".join(IMAGE_EXTENSIONS)})')
    return [osp.join(folder, n) for n in names]


class FrameReader:
    """Sequential reader of a video file or a frame folder.

    Iterating yields the frames in order as BGR ``uint8`` arrays. A frame
    that cannot be decoded raises :class:`FrameDecodeError` naming its index
    instead of ending the video early (OpenCV's ``read()`` just returns
    ``False``, which would silently drop the rest of the video).

    Args:
        source (str): A video file (anything OpenCV/FFmpeg reads: mp4, avi,
            gif, ...) or a folder of frame images.

    Attributes:
        kind (str): ``'folder'`` or ``'video'``.
        num_frames (int): Number of frames (for videos, as the container
            reports it).
        fps (float): Frame rate (``DEFAULT_FPS`` for folders or when the
            container gives none).
        frame_names (list[str]): One file name per frame (the image file
            names for folders, ``000000.jpg`` ... for videos), used in the
            PoseTrack18 output.
        frame_size (tuple[int, int]): ``(width, height)`` of the frames (for
            folders, of the first frame).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        if osp.isdir(source):
            self.kind = 'folder'
            self._paths = list_frame_files(source)
            self.num_frames = len(self._paths)
            self.fps = DEFAULT_FPS
            self.frame_names = [osp.basename(p) for p in self._paths]
            h, w = read_frame(self._paths[0], 0).shape[:2]
            self.frame_size = (w, h)
            return
        if not osp.isfile(source):
            raise FileNotFoundError(
                f'input {source} is neither a video file nor a frame folder')
        mime = mimetypes.guess_type(source)[0] or ''
        if mime.startswith('image/') and not source.lower().endswith('.gif'):
            raise ValueError(
                f'input {source} is a single image; give a video file or a '
                'folder of frames')
        self.kind = 'video'
        cap = cv2.VideoCapture(source)
        try:
            if not cap.isOpened():
                raise FrameDecodeError(
                    source, 0, 'OpenCV cannot open it as a video (not a '
                    'video, truncated or an unsupported codec)')
            self.num_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.frame_size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                               int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        finally:
            cap.release()
        if self.num_frames <= 0:
            raise FrameDecodeError(source, 0,
                                   'the video reports no frames')
        self.fps = float(fps) if fps and np.isfinite(fps) and fps > 0 \
            else DEFAULT_FPS
        self.frame_names = [f'{i:06d}.jpg' for i in range(self.num_frames)]

    def __len__(self) -> int:
        return self.num_frames

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.kind == 'folder':
            for i, path in enumerate(self._paths):
                yield read_frame(path, i)
            return
        cap = cv2.VideoCapture(self.source)
        try:
            for i in range(self.num_frames):
                ok, frame = cap.read()
                if not ok or frame is None:
                    raise FrameDecodeError(
                        self.source, i,
                        f'the decoder returned no image (the video reports '
                        f'{self.num_frames} frames; it may be corrupt or '
                        'truncated)')
                yield frame
        finally:
            cap.release()

    def read_all(self) -> List[np.ndarray]:
        """All frames as a list (the whole video in memory)."""
        return list(self)

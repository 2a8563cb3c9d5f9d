"""The frames of one input video, the one frame source of video inference
(:func:`~.inference.iter_inference_posewarper`) and of
:class:`~.inferencer.PoseWarperInferencer`.

An input video is a video file or frame folder (read by
:class:`~.video_io.FrameReader`), a ``(T, H, W, 3)`` array, a sequence of
BGR images or image paths, or any iterable of them (a stream, e.g. a
generator of camera frames, its length unknown until it ends). Frames are
read in order, when first needed, and released after use.
"""
import os.path as osp
from pathlib import Path
from typing import (Dict, Iterable, Iterator, List, Optional, Sequence,
                    Tuple, Union)

import numpy as np

from .video_io import DEFAULT_FPS, FrameReader, read_frame

__all__ = ['FrameInput', 'VideoInput', 'VideoFrames']

FrameInput = Union[np.ndarray, str]
VideoInput = Union[str, Path, np.ndarray, Sequence[FrameInput],
                   Iterable[FrameInput]]


class VideoFrames:
    """The frames of one input video, loaded in order on demand.

    Two ways to read them: iterate (each frame once, in order, none held:
    the inferencer), or index (``exists``, ``[t]``, ``release_before``:
    moving windows, each frame checked to be a ``uint8`` ``(H, W, 3)``
    image of the video's size). A video file or a stream is read
    sequentially and only the frames not yet released are kept in memory.

    Args:
        frames (VideoInput): See the module docstring.

    Attributes:
        name (str): The file's or folder's name without extension,
            ``'video'`` for frames given in memory, ``'stream'`` for an
            iterable of unknown length.
        fps (float): The video file's frame rate, else ``DEFAULT_FPS``.
        frame_names (list[str] | None): One file name per frame when known
            (a frame folder, a video file, a list of paths).
        num_frames (int | None): ``None`` until a stream ends.
    """

    def __init__(self, frames: VideoInput) -> None:
        self._iter: Optional[Iterator[FrameInput]] = None
        self._items: Optional[Sequence[FrameInput]] = None
        self.num_frames: Optional[int]
        self.name = 'video'
        self.fps = DEFAULT_FPS
        self.frame_names: Optional[List[str]] = None
        if isinstance(frames, (str, Path)):
            reader = FrameReader(str(frames))
            self.name = osp.splitext(osp.basename(osp.normpath(
                str(frames))))[0]
            self.num_frames, self.fps = len(reader), reader.fps
            self.frame_names = reader.frame_names
            self._iter = iter(reader)
        elif isinstance(frames, np.ndarray):
            if frames.ndim != 4:
                raise ValueError('an array of frames must have shape '
                                 f'(T, H, W, 3), got {frames.shape}')
            self._items, self.num_frames = frames, len(frames)
        elif isinstance(frames, Sequence) or (hasattr(frames, '__getitem__')
                                              and hasattr(frames, '__len__')):
            self._items, self.num_frames = frames, len(frames)
            if isinstance(frames, Sequence) and all(
                    isinstance(f, (str, Path)) for f in frames):
                self.frame_names = [osp.basename(str(f)) for f in frames]
        elif isinstance(frames, Iterable):
            self._iter, self.num_frames = iter(frames), None
            self.name = 'stream'
        else:
            raise TypeError('a video must be a video file or frame folder, a '
                            '(T, H, W, 3) array, a sequence of images or '
                            'image paths, or an iterable of them (a stream), '
                            f'got {type(frames).__name__}')
        if self.num_frames == 0:
            raise ValueError('the video has no frames')
        self._loaded: Dict[int, np.ndarray] = {}
        self._next = 0  # next frame to read from a sequential reader
        self.shape: Optional[Tuple[int, ...]] = None

    def __len__(self) -> int:
        if self.num_frames is None:
            raise TypeError('the length of a stream is known only once it '
                            'has ended')
        return self.num_frames

    @property
    def nframes(self) -> int:
        """``nframes`` of the data samples: -1 for a stream not ended yet."""
        return -1 if self.num_frames is None else self.num_frames

    def frame_name(self, t: int) -> str:
        """Frame ``t``'s file name (``000000.jpg`` ... when unknown)."""
        return self.frame_names[t] if self.frame_names else f'{t:06d}.jpg'

    def exists(self, idx: int) -> bool:
        """Whether frame ``idx`` exists; a stream is read up to it."""
        if self.num_frames is None:
            self._read_until(idx)
        return idx < self.num_frames if self.num_frames is not None else True

    def known_length(self, idx: int) -> int:
        """``min(idx + 1, number of frames)``, reading a stream no further
        than frame ``idx``: enough to clip a window reaching ``idx``."""
        return idx + 1 if self.exists(idx) else self.num_frames

    def held(self) -> int:
        """Number of frames held in memory now."""
        return len(self._loaded)

    def __iter__(self) -> Iterator[np.ndarray]:
        """Each frame once, in order (image paths read; frames not
        checked, not held)."""
        t = 0
        while self.exists(t):
            img = self._load(t)
            self._loaded.pop(t, None)
            yield img
            t += 1

    def _read_until(self, idx: int) -> None:
        while self._next <= idx:
            try:
                item = next(self._iter)
            except StopIteration:
                self.num_frames = self._next
                if self._next == 0:
                    raise ValueError('the video has no frames') from None
                return
            self._loaded[self._next] = self._image(item, self._next)
            self._next += 1

    def _image(self, item: FrameInput, idx: int) -> np.ndarray:
        if isinstance(item, (str, Path)):
            return read_frame(str(item), idx)
        if not isinstance(item, np.ndarray):
            raise TypeError(f'frame {idx} is a {type(item).__name__}, '
                            'expected an image array or path')
        return item

    def _load(self, idx: int) -> np.ndarray:
        if self._iter is not None:
            if idx < self._next and idx not in self._loaded:
                raise RuntimeError(f'frame {idx} was already released')
            self._read_until(idx)
            if idx not in self._loaded:
                raise IndexError(f'frame {idx} is outside a video of '
                                 f'{self.num_frames} frames')
            return self._loaded[idx]
        return self._image(self._items[idx], idx)

    def __getitem__(self, idx: int) -> np.ndarray:
        if idx not in self._loaded:
            self._loaded[idx] = self._load(idx)
        img = self._loaded[idx]
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f'frame {idx} has shape {img.shape}; expected '
                             'a (H, W, 3) BGR image')
        if img.dtype != np.uint8:
            # the data preprocessor normalises with uint8 means and stds: a
            # float [0, 1] or uint16 frame would silently give wrong poses
            raise ValueError(
                f'frame {idx} has dtype {img.dtype}; expected a uint8 BGR '
                'image (0..255), as OpenCV reads it. Convert it first, e.g. '
                '(img * 255).round().astype(np.uint8) for floats in [0, 1]')
        if self.shape is None:
            self.shape = img.shape
        elif img.shape != self.shape:
            # all frames of a window share one affine transform
            raise ValueError(f'frame {idx} has shape {img.shape}, other '
                             f'frames have {self.shape}')
        return img

    def release_before(self, idx: int) -> None:
        """Drop the frames before ``idx`` from memory."""
        for key in [k for k in self._loaded if k < idx]:
            del self._loaded[key]

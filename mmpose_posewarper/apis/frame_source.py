"""The frames of a video task: a video file or a folder of frame images.

Annotation tools number a video's frames 0..N-1: frame ``i`` is the ``i``-th
decoded frame of the video file, or the ``i``-th image of a frame folder in
(natural) name order, as CVAT orders the images of a task. Label
propagation and top-down training read frames as image files named by
their number, so :func:`write_frames` puts every frame of a source into a
folder as ``000000.jpg``, ``000001.jpg``, ... (a video is decoded and saved
as JPEG; the images of a folder are linked, or copied, under the new name).
"""
import os
import os.path as osp
import shutil
from typing import Iterable, List, Optional, Tuple

import cv2

from .video_io import FrameReader, list_frame_files

#: Extensions taken for a video file named after a video (``<video>.mp4``).
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.mpg', '.mpeg',
                    '.m4v', '.gif')
#: JPEG quality of frames decoded from a video file.
JPEG_QUALITY = 95


def find_frame_source(root: str, name: str, single: bool) -> str:
    """The frames of video ``name`` under ``--img-root``.

    ``root`` is the video file or frame folder itself when the input has a
    single video and ``root`` is one (a file, or a folder with images);
    otherwise it is a folder holding ``<name>/`` (frames) or
    ``<name>.<ext>`` (a video file).

    Raises:
        FileNotFoundError: none of them exists.
    """
    if single and osp.isfile(root):
        return root
    folder = osp.join(root, name)
    if osp.isdir(folder):
        return folder
    for ext in VIDEO_EXTENSIONS:
        for candidate in (folder + ext, folder + ext.upper()):
            if osp.isfile(candidate):
                return candidate
    if single and osp.isdir(root):
        try:
            list_frame_files(root)
            return root
        except FileNotFoundError:
            pass
    raise FileNotFoundError(
        f'--img-root {root}: no frames of video {name} (looked for a video '
        f'file or a frame folder {folder}[.mp4|.avi|...]'
        f'{", or frame images in it" if single else ""})')


def probe_frames(source: str) -> Tuple[int, Tuple[int, int]]:
    """Number of frames and ``(width, height)`` of a video file or folder
    (the video's as its container reports them)."""
    reader = FrameReader(source)
    return reader.num_frames, reader.frame_size


def frame_extension(source: str) -> List[str]:
    """The extension of each frame :func:`write_frames` writes."""
    if osp.isdir(source):
        return [osp.splitext(p)[1].lower() for p in list_frame_files(source)]
    return ['.jpg'] * FrameReader(source).num_frames


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def write_frames(source: str, dest: str,
                 frames: Optional[Iterable[int]] = None) -> List[str]:
    """Write the frames of ``source`` into the folder ``dest`` named by
    their number (``%06d`` + extension).

    Args:
        source (str): Video file or frame folder.
        dest (str): Output folder (created).
        frames (Iterable[int], optional): Only these frame numbers (default
            all).

    Returns:
        list[str]: The file name of each frame of the source (written or
        not), index = frame number.
    """
    os.makedirs(dest, exist_ok=True)
    wanted = None if frames is None else set(frames)
    names = [f'{i:06d}{ext}' for i, ext in enumerate(frame_extension(source))]
    if osp.isdir(source):
        for i, path in enumerate(list_frame_files(source)):
            if wanted is None or i in wanted:
                _link_or_copy(path, osp.join(dest, names[i]))
        return names
    last = max(wanted) if wanted else len(names) - 1
    for i, img in enumerate(FrameReader(source)):
        if i > last:
            break
        if wanted is None or i in wanted:
            if not cv2.imwrite(osp.join(dest, names[i]), img,
                               [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
                raise OSError(f'cannot write frame {i} of {source} to '
                              f'{dest}')
    return names

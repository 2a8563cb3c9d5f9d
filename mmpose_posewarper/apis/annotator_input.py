"""Sparse labels from an annotation tool as PoseTrack18 videos to propagate.

``tools/propagate_labels.py`` reads PoseTrack18 JSON, CVAT's "CVAT for
video 1.1" XML or CVAT-flavoured COCO Keypoints (:func:`input_format`). For
the last two, :func:`load_annotator_videos` reads the manual labels (the
keyframes whose ``needs_review`` is not true: interpolated frames and
propagated frames still to review are no labels), finds each video's frames
(a video file or a frame folder, ``apis/frame_source.py``), checks that
every label lies on a frame of it, and builds PoseTrack18 videos whose
images are ``frames/<video>/%06d.<ext>``: the tool writes those frames
into its output (:func:`..apis.frame_source.write_frames`), so the output
folder is the image root of its files.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from mmengine.logging import print_log

from ..datasets.annotation_people import SkeletonSpec
from ..datasets.annotation_videos import (check_frames_in_video,
                                          detect_format,
                                          list_annotation_files,
                                          people_to_video,
                                          read_annotator_file, source_images)
from .frame_source import find_frame_source, frame_extension, probe_frames

FORMATS = ('auto', 'posetrack', 'cvat', 'coco')


def input_format(ann_path: str, fmt: str = 'auto') -> str:
    """The format of ``--ann-dir``: ``fmt`` unless ``'auto'``; then
    ``.xml`` files are CVAT, JSON files CVAT-flavoured COCO or PoseTrack18
    (:func:`..datasets.annotation_videos.detect_format`, by the first
    file)."""
    if fmt not in FORMATS:
        raise ValueError(f'unknown format {fmt!r}, expected one of {FORMATS}')
    if fmt != 'auto':
        return fmt
    try:
        files = list(list_annotation_files(ann_path).values())
    except (OSError, ValueError):
        # not there or empty: the PoseTrack18 reader names the problem
        return 'posetrack'
    kinds = {detect_format(f) for f in files if f.lower().endswith('.xml')}
    jsons = [f for f in files if f.lower().endswith('.json')]
    if jsons:
        kinds.add(detect_format(jsons[0]))
    if len(kinds) != 1:
        raise ValueError(f'{ann_path}: mixes annotation formats '
                         f'({", ".join(sorted(kinds))}); give one format per '
                         'run')
    return kinds.pop()


@dataclass
class AnnotatorInput:
    """Videos read from annotation tool files (see the module docstring).

    Attributes:
        videos (dict): Video name -> PoseTrack18 video (manual labels).
        files (dict): Video name -> its annotation file.
        sources (dict): Video name -> its video file or frame folder.
        frame_ranges (dict): Video name -> the task's ``(start, stop)``.
        unreviewed (int): People dropped because ``needs_review`` is true.
        interpolated (int): Skeletons dropped for ``keyframe="0"``.
    """
    videos: Dict[str, Any] = field(default_factory=dict)
    files: Dict[str, str] = field(default_factory=dict)
    sources: Dict[str, str] = field(default_factory=dict)
    frame_ranges: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    unreviewed: int = 0
    interpolated: int = 0


def load_annotator_videos(ann_path: str, fmt: str, img_root: str,
                          spec: Optional[SkeletonSpec] = None
                          ) -> AnnotatorInput:
    """Read CVAT XML or COCO files (``fmt``) and their videos' frames.

    Args:
        ann_path (str): A file, or a folder of ``<video>.xml`` /
            ``<video>.json`` files.
        fmt (str): ``'cvat'`` or ``'coco'``.
        img_root (str): The frames: a video file or frame folder (one
            video), or a folder with ``<video>.mp4`` / ``<video>/`` per video.
        spec (SkeletonSpec, optional): Label and point names of the task.

    Raises:
        AnnotationFormatError: a file is malformed, or a label lies on a
            frame the video does not have (``FILE: track T, frame F: ...``).
        FileNotFoundError: a video's frames are not found.
    """
    spec = spec or SkeletonSpec()
    result = AnnotatorInput()
    files = list_annotation_files(ann_path)
    for index, (name, path) in enumerate(files.items()):
        people, info = read_annotator_file(path, fmt, spec)
        source = find_frame_source(img_root, name, len(files) == 1)
        num, size = probe_frames(source)
        check_frames_in_video(people, num, path, source)
        names = [f'{i:06d}{ext}'
                 for i, ext in enumerate(frame_extension(source))]
        manual = [p for p in people if not p.needs_review]
        result.unreviewed += len(people) - len(manual)
        result.interpolated += info['interpolated']
        if info['frame_size'] and tuple(info['frame_size']) != tuple(size):
            print_log(
                f'{path}: the task\'s frames are {info["frame_size"][0]}x'
                f'{info["frame_size"][1]} but {source} has {size[0]}x'
                f'{size[1]}; are these the task\'s frames?', logger='current',
                level=30)
        result.videos[name] = people_to_video(
            manual, source_images(name, index, names, size), name)
        result.files[name] = path
        result.sources[name] = source
        start = info['start_frame'] or 0
        stop = info['stop_frame'] if info['stop_frame'] is not None else \
            num - 1
        result.frame_ranges[name] = (start, min(stop, num - 1))
    return result

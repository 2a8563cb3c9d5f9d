"""The frames a propagation of whole videos warps to and reads (its plan
per video, :func:`~.propagation_plan.propagation_sources`): counted for a
progress bar, listed so that no output replaces one, checked to exist
before the propagation starts."""
import os.path as osp
from typing import Any, List, Mapping, Optional, Tuple

from ..datasets import posetrack_videos
from .propagation_plan import plan_propagation, propagation_sources
from .source_fusion import TwoSidedFusion


def count_propagation_targets(videos: Mapping[str, Mapping[str, Any]],
                              k: int,
                              frame_index_base: int = 0) -> int:
    """Number of frames :func:`~.propagation.propagate_video` will warp to
    (for the progress bar); videos without labeled frames count 0."""
    total = 0
    for name, video in videos.items():
        labeled = posetrack_videos.labeled_frames(video, frame_index_base,
                                                  name)
        if labeled:
            frames = posetrack_videos.video_frames(video, name,
                                                   frame_index_base)
            total += len(plan_propagation(labeled, frames, k))
    return total


def frames_to_read(videos: Mapping[str, Mapping[str, Any]],
                   img_root: str,
                   k: int,
                   frame_index_base: int = 0,
                   two_sided: Optional[TwoSidedFusion] = None
                   ) -> List[Tuple[str, str, int]]:
    """Every frame :func:`~.propagation.propagate_video` will read:
    ``(path, video, frame number)`` in video and frame order (an output must
    not replace one: pass the paths as ``OutputSet`` inputs)."""
    out = []
    for name, video in videos.items():
        labeled = posetrack_videos.labeled_frames(video, frame_index_base,
                                                  name)
        if not labeled:
            continue
        frames = posetrack_videos.video_frames(video, name, frame_index_base)
        plan = propagation_sources(labeled, frames, k, two_sided)
        used = set(plan) | {s for sources in plan.values() for s in sources
                            if s is not None}
        out += [(osp.join(img_root, frames[t]['file_name']), name, t)
                for t in sorted(used)]
    return out


def check_frames_exist(videos: Mapping[str, Mapping[str, Any]],
                       img_root: str,
                       k: int,
                       frame_index_base: int = 0,
                       two_sided: Optional[TwoSidedFusion] = None) -> int:
    """Check that every frame :func:`~.propagation.propagate_video` will read
    (:func:`frames_to_read`) exists, so a wrong ``img_root`` or a missing
    frame is found before the propagation (a frame that exists but cannot
    be decoded is still found when read).

    Returns:
        int: The number of frames checked.

    Raises:
        FileNotFoundError: names the first missing frames (path, frame
            number, video) and how many are missing.
    """
    frames = frames_to_read(videos, img_root, k, frame_index_base, two_sided)
    missing = [f'frame image {path} (frame {t}) does not exist (video '
               f'{name})' for path, name, t in frames if not osp.isfile(path)]
    if missing:
        hint = ', is --img-root right?' if len(missing) == len(frames) else ''
        raise FileNotFoundError(
            f'{"; ".join(missing[:3])} ({len(missing)} of the {len(frames)} '
            f'frames to read are missing{hint})')
    return len(frames)

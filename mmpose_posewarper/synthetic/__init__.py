"""Seeded generator of synthetic PoseTrack18-format video datasets.

The main job's data: several articulated people per video with non-rigid
motion, occlusion, clutter, camera motion and motion blur, written in
PoseTrack18's per-video format with dense ground truth. Typical use::

    from mmpose_posewarper.synthetic import SyntheticConfig, generate_dataset
    generate_dataset('data/synthetic', SyntheticConfig(seed=0))

or ``python tools/generate_synthetic_posetrack.py --out DIR [--quick]``.
"""
from .dataset import MANIFEST, generate_dataset, video_statistics
from .generator import (SyntheticConfig, SyntheticVideo, generate_video,
                        video_name)
from .ground_truth import PersonFrame, keypoint_pixel
from .visualize import contact_sheet, draw_pose, video_contact_sheet
from .writer import video_to_posetrack, write_video

__all__ = [
    'MANIFEST', 'PersonFrame', 'SyntheticConfig', 'SyntheticVideo',
    'contact_sheet', 'draw_pose', 'generate_dataset', 'generate_video',
    'keypoint_pixel', 'video_contact_sheet', 'video_name',
    'video_statistics', 'video_to_posetrack', 'write_video'
]

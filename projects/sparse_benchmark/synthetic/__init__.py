"""Seeded generator of synthetic PoseTrack18-format video datasets.

The main job's data: videos of articulated people written in PoseTrack18's
layout and per-video format with dense ground truth (every frame labeled;
the job keeps every 7th frame's labels itself). Typical use::

    # from the repository root (projects/ is not installed)
    from projects.sparse_benchmark.synthetic import (SyntheticConfig,
                                                     generate_dataset)
    generate_dataset('data/synthetic', SyntheticConfig(seed=0))

or ``python tools/generate_synthetic_posetrack.py --out DIR [--quick]``.

Design (fixed before any method was trained on the data; nothing is tuned
towards a method). Each aims at a difficulty of PoseTrack:

* people: 1-3 per video, 3D kinematic bodies over PoseTrack18's joints with
  per-person proportions (children included), clothes with patterns, skin,
  hair; limbs are shaded capsules, so joints sit inside limbs of real width
  (``skeleton``, ``appearance``);
* motion: walking, running, dancing, gesturing, exercising and sports
  swings; periodic patterns plus smooth noise on every joint angle, turning
  around (left/right swaps), walking towards/away from the camera (scale
  change), entering and leaving the view (``motion``);
* camera: pans that follow people with lag, zoom, tilt, hand-held shake
  (``motion.CameraMotion``); perspective ground plane and backdrop
  (street, indoor, stadium crowd, nature; ``textures``);
* occlusion: people, their own limbs and static clutter (poles, boxes,
  bushes, signs) drawn far-to-near; crowds and tree branches as person-like
  distractors in the background (``primitives``, ``render``);
* image quality: motion blur from sub-frame rendering in half the videos,
  defocus, colour casts, sensor noise, JPEG (``render``);
* domain gap (``imaging``): the train and val videos look like video
  footage (graded and washed out, softer than their pixel count, grainy,
  hard-compressed), the pretraining stills (split ``pretrain``) like
  photos, as PoseTrack's frames differ from COCO's; and their people wear
  one-piece suits (``appearance.wear_suit``), which the stills' people
  never do (``SyntheticConfig.wardrobe``). Scenes, motion and ground truth
  are the same either way (look and wardrobe draw from streams of their
  own). The main job measures the gap in every run (``results.json``'s
  ``domain_gap``: the pretrained model on the val videos as they are and
  as the stills are imaged and dressed; see docs/sparse_benchmark.md).

Ground truth (``ground_truth``): PoseTrack18 keypoints ``(x, y, v)`` with
``v = 1`` for seen joints, ``(x, y, 0)`` for joints inside the image but
hidden (poseval still evaluates them; MMPose does not train on them),
``(0, 0, 0)`` outside the image and for the ears; person box of the whole
(amodal) body clipped to the image; head box; track id = person index.
Determinism: a video is a function of ``(seed, split, index)`` only, and the
same seed gives byte-identical JSON and JPEG files.
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

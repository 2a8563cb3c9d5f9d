"""Seeded generation of synthetic PoseTrack-like videos.

Each video is a pure function of ``(config.seed, split, index)``: its random
generator is seeded from exactly that triple, so changing how many videos a
split has never changes the other videos, and the same seed reproduces the
same pixels and the same annotations.

The data is designed to carry PoseTrack's difficulties (several people who
occlude each other, clutter, non-rigid and fast motion, camera pan, zoom and
shake, motion blur, varied scale and texture), and was fixed before any
method was trained on it: nothing here is tuned towards a method.
"""
from dataclasses import dataclass, field
from typing import List, Tuple

import numpy as np

from .appearance import sample_garment, wear_suit
from .ground_truth import PersonFrame, person_ground_truth
from .imaging import LOOKS, sample_video_look
from .primitives import composite
from .render import (SensorNoise, camera_states, clutter_primitives,
                     finish_image, person_view, render_background)
from .scene import Scene, sample_scene
from .skeleton import forward_kinematics

#: ``pretrain``: short clips whose frames serve as still images to pretrain
#: the single-frame estimator (our domain's COCO); its own seed stream, so
#: no pretraining scene is a train or val video of any seed
SPLITS = ('train', 'val', 'pretrain')
#: what the train and val videos' people wear (``SyntheticConfig.wardrobe``)
WARDROBES = ('stills', 'suits')
_SPLIT_CODES = {'train': 0, 'val': 1, 'pretrain': 2}
# PoseTrack-style six-digit video numbers, each split in its own range
_FIRST_VIDEO_NUMBER = {'train': 1, 'val': 5001, 'pretrain': 100001}


@dataclass(frozen=True)
class SyntheticConfig:
    """Sizes and settings of a synthetic dataset.

    The defaults give the main job's dataset (12 train + 4 val videos of
    40-60 frames at 320x240, 1-3 people); :meth:`quick` a small one for
    smoke runs. With labels kept on every 7th frame, 40 frames leave 6
    labeled frames per video. ``num_pretrain_videos`` clips of
    ``pretrain_frames`` frames each are the pretraining stills (none by
    default). Train and val videos have the look of video footage
    (:mod:`.imaging`) and their people wear one-piece suits
    (``wardrobe``); the pretraining stills have the plain render and the
    stills' clothes.
    """

    num_train_videos: int = 12
    num_val_videos: int = 4
    frames: Tuple[int, int] = (40, 60)  # inclusive range of video lengths
    num_pretrain_videos: int = 0
    pretrain_frames: Tuple[int, int] = (1, 1)  # stills: a scene per frame
    image_size: Tuple[int, int] = (320, 240)  # (width, height)
    people: Tuple[int, int] = (1, 3)  # inclusive range per video
    clutter: Tuple[int, int] = (2, 6)  # inclusive range per video
    fps: float = 25.0
    blur_subframes: int = 3  # sub-frame renders averaged for motion blur
    jpeg_quality: int = 90
    seed: int = 0
    #: how the train and val videos are imaged (``imaging.LOOKS``); the
    #: pretrain split is always ``'stills'``, the plain render
    look: str = 'video'
    #: what the train and val videos' people wear (``WARDROBES``): as the
    #: stills' people, or one-piece suits the stills never have
    wardrobe: str = 'suits'

    def __post_init__(self) -> None:
        if self.look not in LOOKS:
            raise ValueError(f'look must be one of {LOOKS}, got {self.look!r}')
        if self.wardrobe not in WARDROBES:
            raise ValueError(f'wardrobe must be one of {WARDROBES}, got '
                             f'{self.wardrobe!r}')

    @classmethod
    def quick(cls, seed: int = 0) -> 'SyntheticConfig':
        """A small dataset (4 + 2 videos of 20 frames at 160x120)."""
        return cls(num_train_videos=4, num_val_videos=2, frames=(20, 20),
                   image_size=(160, 120), seed=seed)

    def num_videos(self, split: str) -> int:
        return {'train': self.num_train_videos,
                'val': self.num_val_videos,
                'pretrain': self.num_pretrain_videos}[split]

    def split_look(self, split: str) -> str:
        """The look of ``split``'s images."""
        return 'stills' if split == 'pretrain' else self.look

    def split_wardrobe(self, split: str) -> str:
        """What ``split``'s people wear."""
        return 'stills' if split == 'pretrain' else self.wardrobe

    def num_frames_range(self, split: str) -> Tuple[int, int]:
        """Inclusive range of the lengths of ``split``'s videos."""
        return self.pretrain_frames if split == 'pretrain' else self.frames


@dataclass
class SyntheticVideo:
    """One generated video, with dense ground truth.

    Attributes:
        name: PoseTrack-style name, e.g. ``000001_synthetic_train``.
        split: ``'train'`` or ``'val'``.
        vid_id: the six-digit video number as a string.
        images: uint8 BGR frames.
        part_maps: uint8 maps, per frame, of which person part (label
            ``16 * person + part``, see ``skeleton.PART_NAMES``) or clutter
            (255) is in front at each pixel; 0 is background.
        people: ``people[frame][person]`` ground truth, person index =
            track id.
        actions: each person's action.
        scene_kind: backdrop kind.
    """

    name: str
    split: str
    vid_id: str
    images: List[np.ndarray] = field(repr=False)
    part_maps: List[np.ndarray] = field(repr=False)
    people: List[List[PersonFrame]] = field(repr=False)
    actions: List[str]
    scene_kind: str

    @property
    def num_frames(self) -> int:
        return len(self.images)


def video_name(split: str, index: int) -> Tuple[str, str]:
    """``(name, vid_id)`` of video ``index`` of ``split``."""
    number = _FIRST_VIDEO_NUMBER[split] + index
    return f'{number:06d}_synthetic_{split}', f'{number:06d}'


def _video_stream(seed: int, split: str, index: int,
                  *stream: int) -> np.random.Generator:
    """One of a video's random streams, each keyed apart."""
    seq = np.random.SeedSequence(
        entropy=seed, spawn_key=(_SPLIT_CODES[split], index, *stream))
    return np.random.default_rng(seq)


def video_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of one video (independent of the split sizes)."""
    return _video_stream(seed, split, index)


def look_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of one video's look, apart from
    :func:`video_rng`'s stream so that a look changes no scene."""
    return _video_stream(seed, split, index, 1)


def wardrobe_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of one video's wardrobe, apart from
    :func:`video_rng`'s stream so that clothes change no scene or motion."""
    return _video_stream(seed, split, index, 2)


def _dress_in_suits(scene: Scene, rng: np.random.Generator) -> None:
    """Each person of ``scene`` in a one-piece suit; a team (people who
    share a kit) in one suit."""
    suits = {}
    for person in scene.people:
        kit = id(person.appearance.materials['top'])
        if kit not in suits:
            suits[kit] = sample_garment(rng)
        person.appearance = wear_suit(person.appearance, suits[kit])


def _exposure_offsets(scene: Scene, subframes: int) -> np.ndarray:
    """Sub-frame instants, centred on the frame's own instant."""
    if scene.lighting.exposure <= 0 or subframes <= 1:
        return np.zeros(1)
    return (np.linspace(-0.5, 0.5, subframes) * scene.lighting.exposure)


def generate_video(config: SyntheticConfig, split: str,
                   index: int) -> SyntheticVideo:
    """Generates video ``index`` of ``split``, frames and ground truth."""
    rng = video_rng(config.seed, split, index)
    lo, hi = config.num_frames_range(split)
    n_frames = int(rng.integers(lo, hi + 1))
    n_people = int(rng.integers(config.people[0], config.people[1] + 1))
    scene = sample_scene(rng, config.image_size, n_frames, n_people,
                         fps=config.fps, n_clutter=config.clutter)
    if config.split_wardrobe(split) == 'suits':
        _dress_in_suits(scene, wardrobe_rng(config.seed, split, index))

    offsets = _exposure_offsets(scene, config.blur_subframes)
    n_sub = len(offsets)
    centre = n_sub // 2
    times = (np.arange(n_frames)[:, None] + offsets[None, :]).ravel()
    cams = camera_states(scene, times)
    poses, roots = [], []
    for person in scene.people:
        poses.append(forward_kinematics(person.shape,
                                        person.motion.angles(times)))
        roots.append(person.motion.root(times))

    width, height = config.image_size
    noise = SensorNoise(rng, config.image_size, scene.lighting.noise_sigma)
    look = None
    if config.split_look(split) == 'video':
        grain = look_rng(config.seed, split, index)
        look = sample_video_look(grain)
    images, part_maps, people = [], [], []
    for frame in range(n_frames):
        accum = np.zeros((height, width, 3), np.float32)
        for sub in range(n_sub):
            i = frame * n_sub + sub
            cam = cams[i]
            canvas = render_background(scene, cam)
            part_map = np.zeros((height, width), np.uint8)
            views = {}
            prims = clutter_primitives(scene.clutter, cam)
            for p, person in enumerate(scene.people):
                root = roots[p]
                # People too close to the camera or behind the backdrop are
                # not drawn (and not annotated).
                if not 1.0 < root.z[i] < scene.wall_z - 0.5:
                    continue
                pts = {name: value[i] for name, value in poses[p].items()}
                views[p] = person_view(
                    p, person, pts, (root.x[i], root.z[i], root.lift[i]), cam)
                prims.extend(views[p].primitives)
            composite(canvas, part_map, prims)
            accum += canvas
            if sub == centre:
                frame_views, frame_map = views, part_map
        accum *= 1.0 / n_sub
        image = finish_image(accum, scene, noise, rng)
        images.append(image if look is None else look.apply(image, grain))
        part_maps.append(frame_map)
        people.append([
            person_ground_truth(p, frame_views[p], frame_map,
                                config.image_size)
            if p in frame_views else _absent() for p in range(n_people)
        ])
    name, vid_id = video_name(split, index)
    return SyntheticVideo(name=name, split=split, vid_id=vid_id,
                          images=images, part_maps=part_maps, people=people,
                          actions=[p.motion.action for p in scene.people],
                          scene_kind=scene.kind)


def _absent() -> PersonFrame:
    """Ground truth of a person not drawn in a frame."""
    return PersonFrame(keypoints=np.zeros((17, 3)),
                       in_frame=np.zeros(17, bool), visible=np.zeros(17, bool),
                       bbox=np.zeros(4), bbox_head=np.zeros(4),
                       annotated=False)

"""People of an annotation tool's video task, and the task's skeleton label.

The readers and writers of CVAT's "CVAT for video 1.1" XML (``cvat_io.py``)
and of CVAT-flavoured COCO Keypoints (``coco_keypoints_io.py``) exchange
people as :class:`PersonFrame` s: one person on one frame, joints in the
canonical PoseTrack18 order. This module also holds what both formats share:

* :class:`SkeletonSpec` — the skeleton label (``person``) and the names its
  points have in the task (PoseTrack18's by default, or mapped with a JSON
  file), and :func:`cvat_label_spec`, the label definition a CVAT task needs;
* the two skeleton attributes the round trip relies on: ``person_id``
  (immutable text, our track id: it survives CVAT renumbering its tracks on
  export) and ``needs_review`` (mutable checkbox: ``true`` on propagated
  frames, ``false`` on manual or reviewed ones);
* :class:`AnnotationFormatError`, whose message names file, track and frame
  (``FILE: track T, frame F: problem``).
"""
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..utils.json_file import check_json_type, read_json
from .posetrack_io import (MAX_TRACK_ID, NUM_KEYPOINTS, POSETRACK18_KEYPOINTS,
                           POSETRACK18_SKELETON)

#: Immutable text attribute: the person's track id (PoseTrack ``track_id``).
PERSON_ID = 'person_id'
#: Mutable checkbox: ``true`` on propagated frames, ``false`` on manual ones.
NEEDS_REVIEW = 'needs_review'
#: Label the skeleton tracks carry unless ``--label`` names another.
DEFAULT_LABEL = 'person'

# Where each PoseTrack18 joint sits in CVAT's 100 x 100 skeleton drawing (a
# person facing the viewer: its left side on the image's right).
_NODE_XY = ((50, 12), (50, 20), (50, 4), (56, 10), (44, 10), (62, 25),
            (38, 25), (68, 39), (32, 39), (72, 53), (28, 53), (57, 56),
            (43, 56), (58, 74), (42, 74), (58, 93), (42, 93))
_COLORS = ('#fa3253', '#ff6a4d', '#ffcc33', '#83e070', '#34d1b7', '#3d3df5',
           '#b83df5', '#ff007c', '#24b353', '#b8bcc9', '#66ff66', '#fafa37',
           '#2a7dd1', '#8c78f0', '#ff8f33', '#33ddff', '#cc3366')


class AnnotationFormatError(ValueError):
    """An annotation tool's file cannot be used; the message says where.

    ``FILE: track T, frame F: problem`` for a person, ``FILE: WHERE:
    problem`` otherwise. A ValueError, so the tools end with exit code 2.
    """

    def __init__(self, source: str, problem: str, track: Any = None,
                 frame: Any = None, where: Optional[str] = None) -> None:
        self.source, self.track, self.frame = source, track, frame
        if track is not None or frame is not None:
            parts = []
            if track is not None:
                parts.append(f'track {track}')
            if frame is not None:
                parts.append(f'frame {frame}')
            where = ', '.join(parts)
        super().__init__(f'{source}: {where}: {problem}' if where else
                         f'{source}: {problem}')


@dataclass
class PersonFrame:
    """One person on one frame of a video task.

    Attributes:
        person_id (int): Our track id (PoseTrack ``track_id``); the
            ``person_id`` attribute.
        frame (int): The task's frame number (CVAT numbers the frames of a
            video from 0; for PoseTrack videos: the frame's position).
        keypoints (np.ndarray): ``(17, 2)`` in PoseTrack18 order.
        placed (np.ndarray): ``(17,)`` bool, joints that are labeled (not
            ``outside``).
        occluded (np.ndarray): ``(17,)`` bool, placed joints marked
            occluded.
        needs_review (bool): The ``needs_review`` attribute.
        track: The track as the file names it (for messages).
        score (float, optional): The method's confidence (propagated).
    """
    person_id: int
    frame: int
    keypoints: np.ndarray
    placed: np.ndarray
    occluded: np.ndarray = None
    needs_review: bool = False
    track: Any = None
    score: Optional[float] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keypoints = np.asarray(self.keypoints, np.float64).reshape(
            NUM_KEYPOINTS, 2)
        self.placed = np.asarray(self.placed, bool).reshape(NUM_KEYPOINTS)
        self.occluded = np.zeros(NUM_KEYPOINTS, bool) if \
            self.occluded is None else np.asarray(
                self.occluded, bool).reshape(NUM_KEYPOINTS) & self.placed

    def visibility(self) -> np.ndarray:
        """COCO visibility per joint: 0 not labeled, 1 occluded, 2 visible."""
        return np.where(self.placed, np.where(self.occluded, 1, 2), 0)


class SkeletonSpec:
    """The skeleton label of a task and the names of its points.

    Args:
        label (str): The skeleton label's name. Defaults to ``person``.
        joint_map (Mapping[str, str], optional): The task's point name ->
            PoseTrack18 joint name, for a task whose points are named
            otherwise. Joints no name maps to are never labeled. Defaults
            to PoseTrack18's own names.
    """

    def __init__(self, label: str = DEFAULT_LABEL,
                 joint_map: Optional[Mapping[str, str]] = None) -> None:
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f'the skeleton label must be a non-empty name, '
                             f'got {label!r}')
        self.label = label
        if joint_map is None:
            joint_map = {n: n for n in POSETRACK18_KEYPOINTS}
        names: List[Optional[str]] = [None] * NUM_KEYPOINTS
        for theirs, ours in joint_map.items():
            if ours not in POSETRACK18_KEYPOINTS:
                raise ValueError(
                    f'joint map: {theirs!r} -> {ours!r}: {ours!r} is no '
                    f'PoseTrack18 joint ({", ".join(POSETRACK18_KEYPOINTS)})')
            k = POSETRACK18_KEYPOINTS.index(ours)
            if names[k] is not None:
                raise ValueError(f'joint map: {names[k]!r} and {theirs!r} '
                                 f'both map to {ours!r}')
            names[k] = theirs
        if not any(names):
            raise ValueError('joint map: it maps no point to a joint')
        #: per PoseTrack18 joint, its name in the task (None: not in it)
        self.names: Tuple[Optional[str], ...] = tuple(names)
        self._index = {n: k for k, n in enumerate(names) if n is not None}

    @classmethod
    def from_options(cls, label: str = DEFAULT_LABEL,
                     joint_map_file: Optional[str] = None) -> 'SkeletonSpec':
        """From the tools' ``--label`` and ``--joint-map FILE`` (a JSON
        object: the task's point name -> PoseTrack18 joint name)."""
        mapping = None
        if joint_map_file:
            mapping = read_json(joint_map_file, what='--joint-map',
                                expect=dict)
            for key, value in mapping.items():
                check_json_type(value, str, joint_map_file, key,
                                what='--joint-map')
        try:
            return cls(label, mapping)
        except ValueError as e:
            raise ValueError(f'{joint_map_file or "--label"}: {e}') from None

    def index(self, name: str) -> Optional[int]:
        """PoseTrack18 index of the task's point ``name`` (None: unknown)."""
        return self._index.get(name)

    @property
    def joints(self) -> List[int]:
        """PoseTrack18 indices of the joints the task has, in order."""
        return [k for k, n in enumerate(self.names) if n is not None]

    def edges(self) -> List[Tuple[int, int]]:
        """Skeleton edges (0-based PoseTrack18 indices) between joints the
        task has."""
        have = set(self.joints)
        return [(a - 1, b - 1) for a, b in POSETRACK18_SKELETON
                if a - 1 in have and b - 1 in have]


def cvat_label_spec(spec: SkeletonSpec) -> List[Dict[str, Any]]:
    """The label definition of a CVAT task, as its label constructor's raw
    editor takes it: one skeleton label with the two attributes of the
    round trip, one ``points`` sublabel per joint and the drawing (SVG) of
    the skeleton, its circles naming the sublabels (``data-label-name``;
    CVAT swaps in the sublabel ids when it creates the task)."""
    sublabels, circles = [], []
    for node, k in enumerate(spec.joints, start=1):
        sublabels.append(
            dict(name=spec.names[k], color=_COLORS[k], type='points',
                 attributes=[]))
    node_of = {k: node for node, k in enumerate(spec.joints, start=1)}
    lines = [
        f'<line x1="{_NODE_XY[a][0]}" y1="{_NODE_XY[a][1]}" '
        f'x2="{_NODE_XY[b][0]}" y2="{_NODE_XY[b][1]}" stroke="black" '
        f'data-type="edge" data-node-from="{node_of[a]}" '
        f'stroke-width="0.5" data-node-to="{node_of[b]}"></line>'
        for a, b in spec.edges()
    ]
    for k, node in node_of.items():
        x, y = _NODE_XY[k]
        circles.append(
            f'<circle r="1.5" stroke="black" fill="#b3b3b3" cx="{x}" '
            f'cy="{y}" stroke-width="0.1" data-type="element node" '
            f'data-element-id="{node}" data-node-id="{node}" '
            f'data-label-name="{spec.names[k]}"></circle>')
    return [
        dict(
            name=spec.label,
            color='#ff355e',
            type='skeleton',
            attributes=[
                dict(name=PERSON_ID, mutable=False, input_type='text',
                     default_value='', values=['']),
                dict(name=NEEDS_REVIEW, mutable=True, input_type='checkbox',
                     default_value='false', values=['false']),
            ],
            sublabels=sublabels,
            svg=''.join(lines + circles))
    ]


def parse_person_id(value: Any, source: str, track: Any,
                    frame: Any) -> Optional[int]:
    """The ``person_id`` attribute as a track id; None when empty (a track
    the annotators added: it gets a new id)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number) or \
            not 0 <= number < MAX_TRACK_ID:
        raise AnnotationFormatError(
            source, f'{PERSON_ID} must be a track id, an integer in [0, '
            f'{MAX_TRACK_ID}), got {value!r}', track, frame)
    return int(number)


def parse_flag(value: Any, name: str, source: str, track: Any,
               frame: Any) -> bool:
    """A checkbox attribute: ``true``/``false`` in any case (as CVAT's
    importer takes them) or a JSON boolean."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ('true', 'false'):
        raise AnnotationFormatError(
            source, f'{name} must be true or false, got {value!r}', track,
            frame)
    return text == 'true'


def assign_person_ids(people: Sequence[PersonFrame],
                      track_ids: Sequence[Any], source: str) -> None:
    """Give the people of tracks without a ``person_id`` (``person_id``
    None) new ids after the largest one used, one per track in file order,
    and refuse one person twice on a frame."""
    used = [p.person_id for p in people if p.person_id is not None]
    next_id = max(used) + 1 if used else 0
    new: Dict[Any, int] = {}
    for track in track_ids:
        members = [p for p in people if p.track == track]
        if members and all(p.person_id is None for p in members):
            if next_id >= MAX_TRACK_ID:
                raise AnnotationFormatError(
                    source, f'more than {MAX_TRACK_ID} people', track)
            new[track] = next_id
            next_id += 1
    seen: Dict[Tuple[int, int], Any] = {}
    for p in people:
        if p.person_id is None:
            if p.track not in new:
                raise AnnotationFormatError(
                    source, f'{PERSON_ID} is empty on some frames of the '
                    'track and set on others', p.track, p.frame)
            p.person_id = new[p.track]
        key = (p.person_id, p.frame)
        if key in seen:
            raise AnnotationFormatError(
                source, f'{PERSON_ID} {p.person_id} is also on this frame in '
                f'track {seen[key]} (one person twice on a frame)', p.track,
                p.frame)
        seen[key] = p.track


def person_box(keypoints: np.ndarray, placed: np.ndarray,
               width: Optional[float] = None,
               height: Optional[float] = None,
               margin: float = 0.15) -> Optional[np.ndarray]:
    """A person box ``[x, y, w, h]`` around the placed joints, enlarged by
    ``margin`` of its larger side on each side (at least 4 px), for people
    from a tool that draws no box (the crop of propagation and of top-down
    training needs one). None when no joint is placed."""
    pts = np.asarray(keypoints, np.float64).reshape(-1, 2)[np.asarray(
        placed, bool).reshape(-1)]
    if not len(pts):
        return None
    lo, hi = pts.min(0), pts.max(0)
    pad = max(margin * float((hi - lo).max()), 4.0)
    lo, hi = lo - pad, hi + pad
    if width is not None and height is not None:
        lo = np.maximum(lo, 0)
        hi = np.minimum(hi, [width - 1, height - 1])
    return np.array([lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]])

"""Which labeled frames each unlabeled frame takes its labels from.

One-sided (the paper): the nearest labeled frame within ``±K``. Two-sided:
also the nearest labeled frame on the other side (see
:mod:`.source_fusion` for how the two are combined).
:func:`propagation_sources` gives either plan in one form.
"""
from typing import Dict, Mapping, Optional, Sequence, Tuple

from .source_fusion import TwoSidedFusion


def plan_propagation(labeled_frames: Sequence[int], frames: Sequence[int],
                     k: int) -> Dict[int, int]:
    """Choose the source labeled frame of each frame to propagate to.

    Args:
        labeled_frames (Sequence[int]): Frame numbers with labels.
        frames (Sequence[int]): Frame numbers of the video (the candidates).
        k (int): Maximum distance from a labeled frame (``K >= 1``).

    Returns:
        dict[int, int]: Unlabeled frame -> its source labeled frame: the
        nearest labeled frame within ``k``, the earlier one on a tie.
        Labeled frames themselves are not in it.
    """
    if k < 1:
        raise ValueError(f'the propagation distance K must be >= 1, got {k}')
    labeled = sorted(set(int(t) for t in labeled_frames))
    plan = {}
    for t in sorted(set(int(t) for t in frames) - set(labeled)):
        # min over (distance, frame): equal distances pick the earlier frame
        best = min(((abs(t - s), s) for s in labeled), default=None)
        if best is not None and best[0] <= k:
            plan[t] = best[1]
    return plan


#: Frame -> (nearest labeled frame, the labeled frame on its other side or
#: ``None``).
TwoSidedPlan = Dict[int, Tuple[int, Optional[int]]]


def plan_two_sided(labeled_frames: Sequence[int], frames: Sequence[int],
                   k: int, second_reach: Optional[int] = None
                   ) -> TwoSidedPlan:
    """Both sources of each frame to propagate to.

    Args:
        labeled_frames (Sequence[int]): Frame numbers with labels.
        frames (Sequence[int]): Frame numbers of the video.
        k (int): Maximum distance to the nearest source, as
            :func:`plan_propagation` (which picks it).
        second_reach (int, optional): Maximum distance to the second source,
            the nearest labeled frame on the other side of the frame;
            ``None``: any distance.

    Returns:
        dict: Frame -> ``(near, far)``; ``far`` is ``None`` where the other
        side has no labeled frame within ``second_reach``.
    """
    if second_reach is not None and second_reach < 1:
        raise ValueError(
            f'second_reach must be >= 1 or None, got {second_reach}')
    labeled = sorted(set(int(t) for t in labeled_frames))
    plan: TwoSidedPlan = {}
    for t, near in plan_propagation(labeled, frames, k).items():
        other = ([s for s in labeled if s > t] if near < t else
                 [s for s in labeled if s < t][::-1])
        far = other[0] if other else None
        if far is not None and second_reach is not None \
                and abs(far - t) > second_reach:
            far = None
        plan[t] = (near, far)
    return plan


def match_by_track(near_people: Sequence[Mapping], far_people: Sequence[Mapping]
                   ) -> Sequence[Optional[int]]:
    """For each person of the near source, the index of the far source's
    person with the same ``track_id`` (``None`` where there is none, or the
    track id is missing)."""
    index = {}
    for i, ann in enumerate(far_people):
        if ann.get('track_id') is not None:
            index.setdefault(ann['track_id'], i)
    return [index.get(ann.get('track_id')) if ann.get('track_id') is not None
            else None for ann in near_people]


def propagation_sources(labeled: Sequence[int], frames: Sequence[int],
                        k: int, two_sided: Optional[TwoSidedFusion] = None
                        ) -> Dict[int, Tuple[int, Optional[int]]]:
    """Frame -> (nearest source, second source or ``None``): the one-sided
    plan (second sources ``None``) or, with ``two_sided``, the two-sided
    one within its ``second_reach``."""
    if two_sided is not None:
        return plan_two_sided(labeled, frames, k, two_sided.second_reach)
    return {t: (s, None)
            for t, s in plan_propagation(labeled, frames, k).items()}

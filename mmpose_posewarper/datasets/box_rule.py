"""The person box rule, one for the whole package: which ``[x, y, w, h]``
boxes can define a top-down crop (reader, dataset, label propagation, COCO
export, video demo, inference API, detector)."""
from typing import Any, Optional

import numpy as np

#: The box rule in words.
BOX_RULE = ('a person box [x, y, w, h] is usable when w > 0 and h > 0 and, '
            'clipped to the image ([0, W-1] x [0, H-1], as MMPose\'s '
            'datasets clip), it still has a positive width and height')


def person_box_problem(bbox: Any,
                       width: Optional[float] = None,
                       height: Optional[float] = None) -> Optional[str]:
    """Why a person box cannot define a crop, or ``None`` if it can.

    See :data:`BOX_RULE`. A box of zero or negative size, or one that lies
    outside the image, would make every joint of a top-down crop land on one
    point (the image corner): such a person must never become a label.

    Args:
        bbox: ``[x, y, w, h]`` (4 finite numbers).
        width (float, optional): Image width; with ``height``, the box must
            overlap the image. ``None`` checks the size only.
        height (float, optional): Image height.

    Returns:
        str | None: The problem in words, e.g. ``'[5000, 5000, 40, 60] lies
        outside the 128x96 image'``.
    """
    box = np.asarray(bbox, dtype=np.float64).reshape(-1)
    text = '[' + ', '.join(f'{v:g}' for v in box) + ']'
    if box.shape != (4, ) or not np.isfinite(box).all():
        return f'{text} is not 4 finite numbers [x, y, w, h]'
    if box[2] <= 0 or box[3] <= 0:
        return f'{text} has zero or negative size'
    if width is not None and height is not None:
        x1, y1, x2, y2 = clip_person_box(box, width, height)
        if x2 <= x1 or y2 <= y1:
            return (f'{text} lies outside the {width:g}x{height:g} image '
                    '(nothing of it is left after clipping)')
    return None


def clip_person_box(bbox: Any, width: float, height: float) -> np.ndarray:
    """``[x, y, w, h]`` -> ``[x1, y1, x2, y2]`` clipped to the image, as
    MMPose's COCO-style datasets clip (to ``[0, W-1] x [0, H-1]``)."""
    x, y, w, h = np.asarray(bbox, dtype=np.float64).reshape(4)
    return np.array([
        np.clip(x, 0, width - 1),
        np.clip(y, 0, height - 1),
        np.clip(x + w, 0, width - 1),
        np.clip(y + h, 0, height - 1)
    ])

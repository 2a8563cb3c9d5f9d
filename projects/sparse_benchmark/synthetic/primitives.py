"""Drawable shapes and painter's-algorithm compositing.

Each body part or clutter object becomes one :class:`Primitive` (a tapered
capsule, a convex polygon or an ellipse) with a depth. Drawing them from far
to near onto the frame gives correct occlusion between people, their own
limbs and clutter; the same pass writes a *part map* (uint8 per pixel: which
primitive is in front) from which keypoint visibility is read, so the ground
truth agrees with the pixels by construction.
"""
import math
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import cv2
import numpy as np

from .appearance import Material

_SHIFT = 4  # cv2 fixed-point bits: draw with 1/16 pixel precision
_ONE = 1 << _SHIFT


@dataclass
class Primitive:
    """One shape to draw.

    Attributes:
        kind: ``'capsule'`` (``points`` = 2 end centres, ``radii`` = radius
            at each end), ``'polygon'`` (``points`` = convex outline) or
            ``'ellipse'`` (``points`` = centre, ``radii`` = semi-axes,
            ``angle`` = rotation in degrees).
        points: ``(N, 2)`` pixel coordinates.
        depth: distance from the camera (m); larger is drawn first.
        label: value written to the part map where this shape is in front.
        material: colour and pattern.
        origin: pixel the pattern is anchored to (moves with its owner).
        px_per_m: image pixels per metre at the owner's depth.
        shade_radius: typical half-thickness in pixels; brightness falls
            off towards the shape's outline over about this distance, which
            reads as a rounded limb (0: flat).
        brightness: overall factor (far-side limbs are darker).
    """

    kind: str
    points: np.ndarray
    depth: float
    label: int
    material: Material
    origin: Tuple[float, float]
    px_per_m: float
    radii: Tuple[float, float] = (0.0, 0.0)
    angle: float = 0.0
    shade_radius: float = 0.0
    brightness: float = 1.0
    _extent: Optional[Tuple[float, float, float, float]] = field(
        default=None, repr=False, compare=False)

    def extent(self) -> Tuple[float, float, float, float]:
        """Unclipped bounding box ``(x0, y0, x1, y1)`` in pixels (cached)."""
        if self._extent is None:
            self._extent = self._compute_extent()
        return self._extent

    def _compute_extent(self) -> Tuple[float, float, float, float]:
        p = self.points
        if self.kind == 'capsule':
            (ax, ay), (bx, by) = p.tolist()
            ra, rb = self.radii
            return (min(ax - ra, bx - rb), min(ay - ra, by - rb),
                    max(ax + ra, bx + rb), max(ay + ra, by + rb))
        if self.kind == 'ellipse':
            # Axis-aligned bounds of a rotated ellipse.
            a, b = self.radii
            t = math.radians(self.angle)
            ex = math.hypot(a * math.cos(t), b * math.sin(t))
            ey = math.hypot(a * math.sin(t), b * math.cos(t))
            cx, cy = p[0].tolist()
            return (cx - ex, cy - ey, cx + ex, cy + ey)
        lo, hi = p.min(axis=0).tolist(), p.max(axis=0).tolist()
        return (lo[0], lo[1], hi[0], hi[1])

    def draw_mask(self, mask: np.ndarray, offset: Tuple[int, int]) -> None:
        """Draws the shape's anti-aliased coverage (0..255) into ``mask``,
        whose pixel (0, 0) is image pixel ``offset``."""
        # Plain Python arithmetic: these arrays are tiny and numpy's
        # per-call overhead would dominate the drawing itself.
        ox, oy = offset
        pts = [((x - ox) * _ONE, (y - oy) * _ONE)
               for x, y in self.points.tolist()]
        if self.kind == 'capsule':
            (ax, ay), (bx, by) = pts
            ra, rb = self.radii[0] * _ONE, self.radii[1] * _ONE
            for x, y, r in ((ax, ay, ra), (bx, by, rb)):
                cv2.circle(mask, (round(x), round(y)), max(1, round(r)), 255,
                           -1, cv2.LINE_AA, _SHIFT)
            dx, dy = bx - ax, by - ay
            length = math.hypot(dx, dy)
            if length > 1e-3:
                # Outline joining the two circles' outer tangents.
                nx, ny = -dy / length, dx / length
                quad = np.array([[ax + nx * ra, ay + ny * ra],
                                 [bx + nx * rb, by + ny * rb],
                                 [bx - nx * rb, by - ny * rb],
                                 [ax - nx * ra, ay - ny * ra]])
                cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255,
                                   cv2.LINE_AA, _SHIFT)
        elif self.kind == 'polygon':
            cv2.fillConvexPoly(mask, np.round(np.array(pts)).astype(np.int32),
                               255, cv2.LINE_AA, _SHIFT)
        else:
            (cx, cy), = pts
            axes = (max(1, round(self.radii[0] * _ONE)),
                    max(1, round(self.radii[1] * _ONE)))
            cv2.ellipse(mask, (round(cx), round(cy)), axes, float(self.angle),
                        0, 360, 255, -1, cv2.LINE_AA, _SHIFT)


def composite(canvas: np.ndarray, part_map: np.ndarray,
              primitives: List[Primitive]) -> None:
    """Draws ``primitives`` far-to-near onto ``canvas`` in place.

    Args:
        canvas: ``(H, W, 3)`` float32 image, 0..255.
        part_map: ``(H, W)`` uint8; each pixel gets the label of the nearest
            primitive covering at least half of it.
        primitives: shapes in any order; sorted here by depth (stable, so
            ties keep their given order and output stays deterministic).
    """
    h, w = part_map.shape
    for prim in sorted(primitives, key=lambda p: -p.depth):
        ex0, ey0, ex1, ey1 = prim.extent()
        x0, y0 = max(0, math.floor(ex0) - 1), max(0, math.floor(ey0) - 1)
        x1, y1 = min(w, math.ceil(ex1) + 2), min(h, math.ceil(ey1) + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        prim.draw_mask(mask, (x0, y0))
        alpha = np.multiply(mask, np.float32(1.0 / 255.0), dtype=np.float32)
        roi = canvas[y0:y1, x0:x1]
        roi[:] = cv2.blendLinear(_fill(prim, alpha, x0, y0), roi, alpha,
                                 1.0 - alpha)
        part_map[y0:y1, x0:x1][mask >= 128] = prim.label


def _fill(prim: Primitive, alpha: np.ndarray, x0: int,
          y0: int) -> np.ndarray:
    """Colour of the primitive over its ROI: pattern x shading."""
    mat = prim.material
    h, w = alpha.shape
    if mat.tile is not None:
        k = mat.tile_px_per_m / max(prim.px_per_m, 1e-3)
        iy = np.floor((np.arange(h) + (y0 - prim.origin[1])) * k).astype(int)
        ix = np.floor((np.arange(w) + (x0 - prim.origin[0])) * k).astype(int)
        mod = np.take(np.take(mat.tile, iy, axis=0, mode='wrap'), ix, axis=1,
                      mode='wrap')
        mod *= np.float32(prim.brightness)
    else:
        mod = np.full((h, w), prim.brightness, np.float32)
    if prim.shade_radius > 0.75:
        # Blurring the coverage gives ~1 inside and falls off towards the
        # outline: cheap rounded-body shading for any shape. The fall-off is
        # capped at a few pixels, which keeps big shapes cheap.
        inside = cv2.GaussianBlur(alpha, (0, 0),
                                  min(0.45 * prim.shade_radius, 4.0),
                                  borderType=cv2.BORDER_CONSTANT)
        inside *= 0.45
        inside += 0.55
        mod *= inside
    return mod[..., None] * mat.colour

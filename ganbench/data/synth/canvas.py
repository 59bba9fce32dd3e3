"""Drawing surfaces for one garment: a colour layer and a mask drawn 2x supersampled (for smooth edges),
and a low-resolution soft-shading layer (blurred and enlarged: folds and cylinder shading).

Shapes are given in garment units and placed by the pose (scale, small rotation, position).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PIL import Image, ImageDraw

SIZE = 256
SUPERSAMPLE = 2
SOFT_SIZE = 64
NEUTRAL_SHADE = 128  # soft-layer value meaning "no change in brightness"

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Pose:
    """Where the garment lies in the photo: pixels (at SIZE) per garment unit, angle, and centre."""

    scale: float
    angle_deg: float
    centre_xy: tuple[float, float]
    garment_centre: tuple[float, float]

    def place(self, points: np.ndarray, size: int) -> np.ndarray:
        """Garment units (K, 2) -> pixel coordinates on a ``size`` x ``size`` surface."""
        linear, offset = self._affine(size)
        return np.asarray(points, dtype=float) @ linear + offset

    @cached_property
    def _affines(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {}

    def _affine(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Row-vector affine map (linear part, offset) for a ``size`` px surface, computed once per size."""
        if size not in self._affines:
            angle = np.deg2rad(self.angle_deg)
            zoom = self.scale * size / SIZE
            c, s = np.cos(angle) * zoom, np.sin(angle) * zoom
            linear = np.array([[c, s], [-s, c]])
            offset = np.asarray(self.centre_xy) * (size / SIZE) - np.asarray(self.garment_centre) @ linear
            self._affines[size] = (linear, offset)
        return self._affines[size]


class Canvas:
    """The layers one garment is drawn on, with helpers that take garment-unit coordinates."""

    def __init__(self, pose: Pose, base_rgb: RGB) -> None:
        self.pose = pose
        hi = SIZE * SUPERSAMPLE
        self.colour_image = Image.new("RGB", (hi, hi), base_rgb)
        self.mask_image = Image.new("L", (hi, hi), 0)
        self.soft_image = Image.new("L", (SOFT_SIZE, SOFT_SIZE), NEUTRAL_SHADE)
        self.colour = ImageDraw.Draw(self.colour_image)
        self.mask = ImageDraw.Draw(self.mask_image)
        self.soft = ImageDraw.Draw(self.soft_image)
        self.hi_px_per_unit = pose.scale * SUPERSAMPLE

    def _hi(self, points: np.ndarray) -> list[float]:
        return self.pose.place(points, SIZE * SUPERSAMPLE).ravel().tolist()

    def _lo(self, points: np.ndarray) -> list[float]:
        return self.pose.place(points, SOFT_SIZE).ravel().tolist()

    def width(self, garment_units: float) -> int:
        """A line width in supersampled pixels, at least 1."""
        return max(1, round(garment_units * self.hi_px_per_unit))

    def shape(self, points: np.ndarray, rgb: RGB, in_mask: bool = True) -> None:
        """Fill a polygon in the colour layer (and the mask, for parts that extend the silhouette)."""
        xy = self._hi(points)
        self.colour.polygon(xy, fill=rgb)
        if in_mask:
            self.mask.polygon(xy, fill=255)

    def line(self, points: np.ndarray, rgb: RGB, width: float, in_mask: bool = False) -> None:
        """A polyline of ``width`` garment units in the colour layer."""
        xy = self._hi(points)
        self.colour.line(xy, fill=rgb, width=self.width(width), joint="curve")
        if in_mask:
            self.mask.line(xy, fill=255, width=self.width(width), joint="curve")

    def dot(self, centre: tuple[float, float], radius: float, rgb: RGB, in_mask: bool = False) -> None:
        (x, y), r = self._hi(np.array([centre])), radius * self.hi_px_per_unit
        self.colour.ellipse((x - r, y - r, x + r, y + r), fill=rgb)
        if in_mask:
            self.mask.ellipse((x - r, y - r, x + r, y + r), fill=255)

    def soft_shape(self, points: np.ndarray, value: int) -> None:
        """Fill a polygon in the soft-shading layer (``value`` 128 = unchanged brightness)."""
        self.soft.polygon(self._lo(points), fill=value)

    def soft_line(self, points: np.ndarray, value: int, width_px: int = 1) -> None:
        self.soft.line(self._lo(points), fill=value, width=width_px)


def tone(rgb: RGB, factor: float, lift: float = 0.0) -> RGB:
    """``rgb`` scaled by ``factor`` plus ``lift`` (0..255), clipped: darker or lighter shades."""
    return tuple(min(255, max(0, round(c * factor + lift))) for c in rgb)


def contrast(rgb: RGB, amount: float = 0.45) -> RGB:
    """A visible partner colour: lighter for dark colours, darker for light ones."""
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    if luma < 110:
        return tone(rgb, 1 - amount, 255 * amount)
    return tone(rgb, 1 - amount)

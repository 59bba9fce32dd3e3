"""Garment outlines in garment units (x right, y down, origin at the top centre of the waistband).

A cut turns gender, fit, length and size line into proportions; ``leg_edges`` gives the inner and outer
edge of the right leg at any height, so details (pockets, stripes, rips, cuffs) can follow the leg.
Proportions are our choice, loosely after standard sizing charts: women's cuts have a narrower waist,
fuller hip and lower rise; men's a slightly widening waist-to-hip line and a longer rise; unisex is a
boxy cut (hip no wider than the waist) with a middle rise.
Petite shortens the inseam by 14%, tall lengthens it by 14%, plus widens everything by 24%.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# gender: (waist half-width, hip half-width, rise = waist-top-to-crotch)
GENDER_CUT = {"men's": (0.50, 0.53, 0.68), "women's": (0.40, 0.50, 0.52), "unisex": (0.46, 0.46, 0.60)}
# fit: (leg width at knee, leg width at hem), relative to the thigh
FIT_PROFILE = {
    "skinny": (0.60, 0.42), "slim": (0.70, 0.58), "straight": (0.80, 0.78),
    "bootcut": (0.70, 0.95), "wide-leg": (1.00, 1.35), "relaxed": (0.92, 0.88),
}  # fmt: skip
# length: fraction of the full inseam that is drawn
LENGTH_FRACTION = {"full": 1.0, "ankle": 0.86, "capri": 0.64, "bermuda": 0.30, "short": 0.12}
# size line: (inseam factor, width factor, rise factor)
SIZE_LINE_SCALE = {None: (1.0, 1.0, 1.0), "petite": (0.86, 1.0, 0.95), "tall": (1.14, 0.97, 1.04),
                   "plus": (1.0, 1.24, 1.06)}  # fmt: skip

FULL_INSEAM = 1.75
KNEE_T = 0.45
LEG_SAMPLES = (0.0, 0.12, 0.25, 0.45, 0.65, 0.85, 1.0)


@dataclass(frozen=True)
class Cut:
    """The proportions of one garment, in garment units."""

    waist: float
    hip: float
    rise: float
    band: float
    inseam: float
    knee: float
    hem: float
    length: float
    curvy: bool

    @property
    def hip_y(self) -> float:
        return self.band + 0.55 * (self.rise - self.band)

    @property
    def hem_t(self) -> float:
        return self.length

    @property
    def hem_y(self) -> float:
        return self.y_at(self.length)

    def y_at(self, t: float) -> float:
        """Height of the point a fraction ``t`` down the full inseam."""
        return self.rise + t * self.inseam


def make_cut(gender: str, fit: str, length: str, size_line: str | None, drawstring: bool) -> Cut:
    waist, hip, rise = GENDER_CUT[gender]
    knee, hem = FIT_PROFILE[fit]
    inseam_f, width_f, rise_f = SIZE_LINE_SCALE[size_line]
    return Cut(
        waist=waist * width_f,
        hip=hip * width_f,
        rise=rise * rise_f,
        band=0.10 if drawstring else 0.07,
        inseam=FULL_INSEAM * inseam_f,
        knee=knee,
        hem=hem,
        length=LENGTH_FRACTION[length],
        curvy=gender == "women's",
    )


def leg_edges(cut: Cut, t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner and outer x of the right leg at inseam fraction ``t`` (mirror for the left leg)."""
    t = np.asarray(t, dtype=float)
    thigh = cut.hip * 0.98
    width = thigh * np.interp(t, [0.0, KNEE_T, 1.0], [1.0, cut.knee, cut.hem])
    gap = 0.01 + 0.6 * np.minimum(t, 0.12) + 0.03 * t  # the crotch notch opens fast, then slowly
    centre = np.maximum(thigh / 2 + 0.04 * t, width / 2 + gap)
    centre = np.where(t <= 0, thigh / 2, centre)
    return centre - width / 2, centre + width / 2


def half_edges(cut: Cut, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner and outer x of the right half at heights ``ys`` between the waistband and the hem."""
    ys = np.asarray(ys, dtype=float)
    mid_y = cut.band + 0.5 * (cut.hip_y - cut.band)
    top_outer = np.interp(
        ys,
        [cut.band, mid_y, cut.hip_y, cut.rise],
        [cut.waist, _mid_hip_x(cut), cut.hip, float(leg_edges(cut, 0.0)[1])],
    )
    t = np.clip((ys - cut.rise) / cut.inseam, 0.0, 1.0)
    leg_inner, leg_outer = leg_edges(cut, t)
    above = ys <= cut.rise
    return np.where(above, 0.0, leg_inner), np.where(above, top_outer, leg_outer)


def _mid_hip_x(cut: Cut) -> float:
    hip_bulge = cut.hip + (0.015 if cut.curvy else 0.0)
    return (cut.waist + hip_bulge) / 2 + 0.01


@lru_cache(maxsize=4096)
def strip(cut: Cut, start: float, end: float, y_top: float | None = None) -> np.ndarray:
    """Polygon of the right half between fractions ``start``..``end`` of its width, waistband to hem."""
    top = cut.band if y_top is None else y_top
    ys = np.unique(np.concatenate([[top, cut.hip_y, cut.rise], cut.y_at(_leg_ts(cut))]))
    ys = ys[(ys >= top) & (ys <= cut.hem_y)]
    inner, outer = half_edges(cut, ys)
    left = inner + start * (outer - inner)
    right = inner + end * (outer - inner)
    return np.vstack([np.column_stack([right, ys]), np.column_stack([left, ys])[::-1]])


def _leg_ts(cut: Cut) -> np.ndarray:
    ts = [t for t in LEG_SAMPLES if t < cut.length] + [cut.length]
    return np.array(ts)


def right_half(cut: Cut) -> np.ndarray:
    """Outline of the right half (x >= 0) from the waist down: used for shading and stripes, (K, 2)."""
    ts = _leg_ts(cut)
    inner, outer = leg_edges(cut, ts)
    ys = cut.y_at(ts)
    mid_y = cut.band + 0.5 * (cut.hip_y - cut.band)
    top = [(0.0, cut.band), (cut.waist, cut.band), (_mid_hip_x(cut), mid_y), (cut.hip, cut.hip_y)]
    down = list(zip(outer, ys, strict=True))
    up = list(zip(inner[::-1], ys[::-1], strict=True))
    return np.array(top + down + up)


@lru_cache(maxsize=1024)
def silhouette(cut: Cut) -> np.ndarray:
    """Whole garment outline including the waistband, clockwise from the top left, (K, 2)."""
    half = right_half(cut)[1:]  # drop the centre point under the waistband
    right = np.vstack([[cut.waist, 0.0], half])
    left = right[::-1] * np.array([-1.0, 1.0])
    return np.vstack([[-cut.waist, 0.0], right, left[:-1]])


def mirror(points: np.ndarray) -> np.ndarray:
    return np.asarray(points, dtype=float) * np.array([-1.0, 1.0])


def bounds(cut: Cut, cuff: float = 0.0) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of the garment (cuffs add ``cuff`` below the hem)."""
    _, outer = leg_edges(cut, _leg_ts(cut))
    half_width = max(float(outer.max()), cut.hip, cut.waist)
    return -half_width, 0.0, half_width, cut.hem_y + cuff

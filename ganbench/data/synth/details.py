"""The six optional details, each drawn so it is visible at 64 px: cargo pockets on the outer thighs,
distressed rips with faded patches, pleat folds from the waistband, a drawstring (gathered waistband and
hanging cords), turned-up cuffs, and pinstripes.

Each function takes the canvas, the cut, the palette and four uniforms from the item's jitter.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ganbench.data.synth.canvas import Canvas, contrast, tone
from ganbench.data.synth.construction import METAL, SEAM, STITCH, Palette, both_sides
from ganbench.data.synth.geometry import Cut, half_edges

THREAD = (236, 233, 224)
CUFF_HEIGHT = 0.075
CUFF_FLARE = 0.025


def _leg_box(cut: Cut, y0: float, y1: float, start: float, end: float) -> np.ndarray:
    """Quadrilateral on the right half between heights y0..y1 and width fractions start..end."""
    inner, outer = half_edges(cut, np.array([y0, y1]))
    x = lambda f, k: inner[k] + f * (outer[k] - inner[k])  # noqa: E731
    return np.array([[x(start, 0), y0], [x(end, 0), y0], [x(end, 1), y1], [x(start, 1), y1]])


def draw_cargo_pockets(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    y0 = max(cut.hip_y + 0.05, cut.rise - 0.06)
    y1 = min(y0 + 0.36, cut.hem_y - 0.05)
    pocket = _leg_box(cut, y0, y1, 0.4, 0.95)
    flap = _leg_box(cut, y0 - 0.015, y0 + 0.075, 0.37, 0.97)
    for side_pocket, side_flap in zip(both_sides(pocket), both_sides(flap), strict=True):
        canvas.shape(side_pocket, tone(palette.base, 0.9), in_mask=False)
        canvas.line(np.vstack([side_pocket, side_pocket[:1]]), palette.seam, SEAM)
        canvas.soft_shape(side_pocket, 112)
        canvas.shape(side_flap, tone(palette.base, 0.82), in_mask=False)
        canvas.line(np.vstack([side_flap, side_flap[:1]]), palette.seam, SEAM)
        centre = side_flap.mean(axis=0)
        canvas.dot((float(centre[0]), float(centre[1])), 0.018, palette.seam)


def _rip(cut: Cut, y: float, ragged: float) -> np.ndarray:
    """A frayed hole across the middle of the right leg at height ``y``: a zig-zag outline."""
    inner, outer = half_edges(cut, np.array([y]))
    xs = inner[0] + np.linspace(0.25, 0.75, 6) * (outer[0] - inner[0])
    zig = np.array([0.0, 1.0, -0.6, 0.8, -1.0, 0.0]) * 0.008 * (1 + ragged)
    top = np.column_stack([xs, y - 0.022 + zig])
    bottom = np.column_stack([xs[::-1], y + 0.022 - zig[::-1] * 0.7])
    return np.vstack([top, bottom])


def draw_distressed(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    top, bottom = cut.hip_y + 0.04, cut.hem_y - 0.06
    for k, side in enumerate((1.0, -1.0)):
        for j in range(2):
            y = top + (bottom - top) * (0.15 + 0.5 * j + 0.2 * u[2 * k + j])
            fade = _leg_box(cut, y - 0.08, y + 0.08, 0.12, 0.88) * [side, 1.0]
            canvas.soft_shape(fade, 176)
            rip = _rip(cut, y, u[(2 * k + j + 1) % 4]) * [side, 1.0]
            canvas.shape(rip, THREAD, in_mask=False)
            for dy in (-0.01, 0.004):
                canvas.line(rip[[0, 5]] + [0.0, dy + 0.01], tone(palette.base, 0.7, 60), STITCH * 0.7)


def draw_pleated(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    bottom = cut.band + 0.9 * (cut.rise - cut.band)
    for fraction in (0.22, 0.5):
        x = fraction * cut.waist + 0.05
        pleat = np.array([[x, cut.band], [x + 0.012, (cut.band + bottom) / 2], [x + 0.03, bottom]])
        for side in both_sides(pleat):
            canvas.line(side, palette.seam, SEAM * 2.0)
            canvas.line(side + [0.025, 0.0], palette.highlight, SEAM * 1.5)
            canvas.soft_line(side + [0.04, 0.0], 156, width_px=2)
            canvas.soft_line(side, 92, width_px=2)


def draw_drawstring(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    gathers = np.linspace(-cut.waist + 0.03, cut.waist - 0.03, 19)
    for x in gathers:
        canvas.line(np.array([[x, 0.01], [x + 0.004, cut.band - 0.01]]), tone(palette.band, 0.72), STITCH)
    cord = THREAD if sum(palette.base) < 450 else contrast(palette.base, 0.6)
    for k, side in enumerate((1.0, -1.0)):
        start = np.array([0.045 * side, cut.band * 0.55])
        end = start + [side * (0.03 + 0.05 * u[k]), 0.22 + 0.06 * u[2 + k]]
        middle = (start + end) / 2 + [side * 0.02, 0.0]
        canvas.dot((float(start[0]), float(start[1])), 0.02, METAL)
        canvas.line(np.array([start, middle, end]), cord, 0.016, in_mask=True)
        canvas.dot((float(end[0]), float(end[1]) + 0.01), 0.014, tone(cord, 0.7), in_mask=True)


def draw_cuffed(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    y0 = cut.hem_y - CUFF_HEIGHT * 0.5
    inner, outer = half_edges(cut, np.array([y0]))
    cuff = np.array(
        [
            [inner[0] - CUFF_FLARE * 0.5, y0],
            [outer[0] + CUFF_FLARE, y0],
            [outer[0] + CUFF_FLARE, y0 + CUFF_HEIGHT],
            [inner[0] - CUFF_FLARE * 0.5, y0 + CUFF_HEIGHT],
        ]
    )
    cuff[:, 0] = np.maximum(cuff[:, 0], 0.004)
    for side in both_sides(cuff):
        canvas.shape(side, tone(palette.base, 0.8, 40))
        canvas.line(side[[0, 1]], palette.seam, SEAM * 1.3)
        canvas.line(side[[3, 2]], palette.seam, SEAM * 0.8)
        canvas.soft_line(side[[0, 1]] - [0.0, 0.02], 96, width_px=2)


def draw_striped(canvas: Canvas, cut: Cut, palette: Palette, u: np.ndarray) -> None:
    ys = np.linspace(cut.band + 0.01, cut.hem_y - 0.01, 12)
    inner, outer = half_edges(cut, ys)
    stripe_rgb = contrast(palette.base, 0.5)
    for fraction in (0.17, 0.5, 0.83):  # bold enough to survive downscaling to 64 px
        stripe = np.column_stack([inner + fraction * (outer - inner), ys])
        for side in both_sides(stripe):
            canvas.line(side, stripe_rgb, 0.035)


DetailPainter = Callable[[Canvas, Cut, Palette, np.ndarray], None]
DETAIL_PAINTERS: dict[str, DetailPainter] = {
    "cargo pockets": draw_cargo_pockets,
    "distressed": draw_distressed,
    "pleated": draw_pleated,
    "drawstring": draw_drawstring,
    "cuffed": draw_cuffed,
    "striped": draw_striped,
}

"""The garment every item shares: silhouette, waistband, belt loops, fly, front pockets, hem stitching,
cylinder shading and folds. Jeans get contrast stitching, rivets, whiskers and a faded front; pants a
pressed crease and tonal stitching.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganbench.data.synth.canvas import RGB, Canvas, tone
from ganbench.data.synth.geometry import Cut, half_edges, mirror, silhouette, strip

JEANS_STITCH: RGB = (196, 148, 72)
METAL: RGB = (176, 160, 128)
SEAM = 0.012  # seam line width, garment units
STITCH = 0.007


@dataclass(frozen=True)
class Palette:
    """Colours derived from the garment colour."""

    base: RGB
    band: RGB
    seam: RGB
    highlight: RGB
    stitch: RGB

    @classmethod
    def for_garment(cls, base: RGB, is_jeans: bool) -> Palette:
        return cls(
            base=base,
            band=tone(base, 0.93, 2),
            seam=tone(base, 0.62),
            highlight=tone(base, 1.08, 22),
            stitch=JEANS_STITCH if is_jeans else tone(base, 0.75, 10),
        )


def both_sides(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=float)
    return points, mirror(points)


def draw_body(canvas: Canvas, cut: Cut, palette: Palette) -> None:
    """Silhouette and waistband in flat colour."""
    canvas.shape(silhouette(cut), palette.base)
    band = np.array([[-cut.waist, 0.0], [cut.waist, 0.0], [cut.waist, cut.band], [-cut.waist, cut.band]])
    canvas.shape(band, palette.band)
    canvas.line(np.array([[-cut.waist, cut.band], [cut.waist, cut.band]]), palette.seam, SEAM)
    canvas.line(np.array([[-cut.waist, 0.006], [cut.waist, 0.006]]), palette.highlight, SEAM * 0.8)


def draw_shading(canvas: Canvas, cut: Cut, is_jeans: bool, folds: np.ndarray) -> None:
    """Cylinder shading of each leg (dark edges, lighter centre; jeans fade more) and fabric folds."""
    for side in both_sides(strip(cut, 0.0, 1.0)):
        canvas.soft_shape(side, 108)
    for side in both_sides(strip(cut, 0.18, 0.82)):
        canvas.soft_shape(side, 126)
    for side in both_sides(strip(cut, 0.32, 0.68, y_top=cut.hip_y)):
        canvas.soft_shape(side, 158 if is_jeans else 140)
    canvas.soft_line(np.array([[-cut.waist, cut.band + 0.02], [cut.waist, cut.band + 0.02]]), 104)
    _draw_folds(canvas, cut, is_jeans, folds)


def _draw_folds(canvas: Canvas, cut: Cut, is_jeans: bool, folds: np.ndarray) -> None:
    """Crotch folds, knee creases (long garments) and whiskers (jeans); ``folds`` are 8 uniforms."""
    crotch_fold = np.array(
        [[0.03, cut.rise - 0.02], [0.22 + 0.08 * folds[0], cut.rise - 0.12 - 0.05 * folds[1]]]
    )
    for side in both_sides(crotch_fold):
        canvas.soft_line(side, 100 if not is_jeans else 172)
    if is_jeans:
        for k in range(3):
            whisker = np.array(
                [[0.06, cut.rise - 0.03 * k], [0.3 + 0.06 * folds[2 + k], cut.rise - 0.1 - 0.07 * k]]
            )
            for side in both_sides(whisker):
                canvas.soft_line(side, 170)
    if cut.length < 0.6:
        return
    for k in range(2):
        y = cut.y_at(0.42 + 0.08 * k + 0.04 * folds[5 + k])
        inner, outer = half_edges(cut, np.array([y]))
        crease = np.array(
            [
                [inner[0] + 0.3 * (outer[0] - inner[0]), y],
                [outer[0] - 0.3 * (outer[0] - inner[0]), y - 0.03 + 0.05 * folds[7]],
            ]
        )
        for side in both_sides(crease):
            canvas.soft_line(side, 98)


def draw_waist_hardware(canvas: Canvas, cut: Cut, palette: Palette, is_jeans: bool) -> None:
    """Belt loops, button and fly (garments with an elastic drawstring waist have none of these)."""
    for x in (-0.82, -0.38, 0.38, 0.82):
        loop = np.array(
            [
                [x * cut.waist - 0.018, -0.008],
                [x * cut.waist + 0.018, -0.008],
                [x * cut.waist + 0.018, cut.band + 0.012],
                [x * cut.waist - 0.018, cut.band + 0.012],
            ]
        )
        canvas.shape(loop, tone(palette.band, 0.86))
        canvas.line(loop[[0, 3]], palette.seam, STITCH * 0.6)
    canvas.dot((0.0, cut.band / 2), 0.024, METAL if is_jeans else palette.seam)
    fly = np.array(
        [
            [-0.075, cut.band],
            [-0.075, cut.band + 0.55 * (cut.rise - cut.band)],
            [-0.05, cut.band + 0.7 * (cut.rise - cut.band)],
            [0.0, cut.band + 0.78 * (cut.rise - cut.band)],
        ]
    )
    canvas.line(fly, palette.seam, SEAM)
    canvas.line(fly + [0.018, 0.0], palette.stitch, STITCH)
    if is_jeans:
        canvas.line(fly + [0.036, 0.0], palette.stitch, STITCH)


def draw_front_pockets(canvas: Canvas, cut: Cut, palette: Palette, is_jeans: bool) -> None:
    """Scoop pockets with rivets and a coin pocket (jeans) or slant pockets (pants, shorts)."""
    top_x = 0.55 * cut.waist
    side_y = cut.band + 0.8 * (cut.hip_y - cut.band)
    if is_jeans:
        ts = np.linspace(0, 1, 6)[:, None]
        pocket = (
            (1 - ts) ** 2 * [top_x, cut.band]
            + 2 * ts * (1 - ts) * [top_x + 0.02, side_y]
            + ts**2 * [float(half_edges(cut, np.array([side_y]))[1][0]) - 0.01, side_y]
        )
    else:
        pocket = np.array([[top_x + 0.02, cut.band], [cut.hip - 0.02, cut.hip_y - 0.02]])
    for side in both_sides(pocket):
        canvas.line(side, palette.seam, SEAM)
        canvas.line(side + [0.0, 0.02], palette.stitch, STITCH)
    if is_jeans:
        coin = np.array(
            [
                [top_x - 0.02, cut.band + 0.02],
                [top_x - 0.03, cut.band + 0.13],
                [top_x + 0.12, cut.band + 0.13],
            ]
        )
        canvas.line(coin, palette.stitch, STITCH)
        for side in both_sides(
            np.array([[float(pocket[-1][0]), float(pocket[-1][1])], [top_x + 0.01, cut.band + 0.01]])
        ):
            for point in side:
                canvas.dot((float(point[0]), float(point[1])), 0.014, METAL)


def draw_hem(canvas: Canvas, cut: Cut, palette: Palette) -> None:
    """Hem stitching just above the hem of each leg."""
    y = cut.hem_y - 0.035
    inner, outer = half_edges(cut, np.array([y]))
    for side in both_sides(np.array([[inner[0] + 0.01, y], [outer[0] - 0.01, y]])):
        canvas.line(side, palette.stitch, STITCH)


def draw_crease(canvas: Canvas, cut: Cut, palette: Palette) -> None:
    """The pressed centre crease of tailored pants."""
    ys = np.linspace(cut.hip_y, cut.hem_y - 0.04, 5)
    inner, outer = half_edges(cut, ys)
    crease = np.column_stack([(inner + outer) / 2, ys])
    for side in both_sides(crease):
        canvas.soft_line(side, 156)
        canvas.line(side, tone(palette.base, 0.94), STITCH * 0.8)

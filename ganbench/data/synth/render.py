"""Render one garment as a 256 px product photo (RGBA; alpha = the garment mask).

The photo: an off-white studio background with a slight vertical gradient, a soft drop shadow, the
garment at a jittered position, scale (72-88% of the frame) and rotation (+-4 degrees), shaded with
folds, denim twill for jeans or a faint fabric grain otherwise. Only the visual attributes are read
(type, gender, colour_lab, fit, length, size_line, details); title words cannot change the image.

Speed: shapes are PIL polygons (2x supersampled, box-reduced), shading is drawn at 64 px, and texture
and background tiles are computed once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from PIL import Image, ImageFilter
from scipy.ndimage import gaussian_filter

from colorspace.convert import lab_to_srgb
from ganbench.data.synth import attributes as a
from ganbench.data.synth.canvas import NEUTRAL_SHADE, RGB, SIZE, SOFT_SIZE, SUPERSAMPLE, Canvas, Pose
from ganbench.data.synth.construction import (
    Palette,
    draw_body,
    draw_crease,
    draw_front_pockets,
    draw_hem,
    draw_shading,
    draw_waist_hardware,
)
from ganbench.data.synth.details import CUFF_HEIGHT, DETAIL_PAINTERS
from ganbench.data.synth.geometry import Cut, bounds, make_cut

BACKGROUND_RGB = np.array([244.0, 242.0, 237.0])
SHADOW_STRENGTH = 0.3
HIGHLIGHT_WEIGHT = 220  # shade 1.1 moves 9% towards white, so folds show on black garments too
N_TINTS = 16
N_JITTER = 32
DRAW_ORDER = ("striped", "pleated", "cargo pockets", "distressed", "cuffed", "drawstring")


class RenderError(ValueError):
    """An item cannot be rendered (unknown attribute value or malformed colour)."""


@dataclass(frozen=True)
class Jitter:
    """All random choices of one photo, drawn in a fixed order so that changing an attribute never
    shifts another random choice. Layout of ``u``: 0-3 pose, 4-5 shadow offset, 6-7 texture offset,
    8-15 folds, 16-23 details, 24-27 drawstring cords, 28 background tint, 29-31 spare."""

    u: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Jitter:
        return cls(rng.random(N_JITTER))

    def pose(self, cut: Cut, cuff: float) -> Pose:
        x0, y0, x1, y1 = bounds(cut, cuff)
        fill = 0.72 + 0.16 * self.u[0]
        scale = fill * SIZE / max(x1 - x0, y1 - y0)
        slack = (1 - fill) * 0.4 * SIZE
        centre = (SIZE / 2 + (self.u[1] - 0.5) * slack, SIZE / 2 + (self.u[2] - 0.5) * slack)
        return Pose(scale, (self.u[3] - 0.5) * 8.0, centre, ((x0 + x1) / 2, (y0 + y1) / 2))


@lru_cache(maxsize=1)
def _noise_tiles() -> tuple[np.ndarray, np.ndarray]:
    """Denim twill and plain fabric grain, 2x the image size, as multipliers around 1 (fixed seed)."""
    rng = np.random.default_rng(20200301)
    n = 2 * SIZE
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    twill = np.sin(2 * np.pi * (x + 2 * y) / 4.0)
    slub = gaussian_filter(rng.standard_normal((n, n)), sigma=(6.0, 0.6), mode="wrap")
    slub = (slub / slub.std()).astype(np.float32)
    grain = rng.standard_normal((n, n)).astype(np.float32)
    denim = 1 + 0.06 * twill + 0.05 * slub + 0.04 * grain
    fabric = 1 + 0.02 * grain
    return denim.astype(np.float32), fabric.astype(np.float32)


@cache
def _background(tint_index: int) -> tuple[Image.Image, Image.Image]:
    """Studio sweep in one of ``N_TINTS`` off-white tints (darker at the top and in the corners), and the
    same sweep fully in shadow."""
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / (SIZE - 1)
    vignette = 1 - 0.03 * ((x - 0.5) ** 2 + (y - 0.6) ** 2) - 0.02 * (1 - y)
    tint = BACKGROUND_RGB + np.random.default_rng(tint_index).uniform(-4, 4, 3)
    lit = vignette[..., None] * tint
    as_image = lambda a: Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))  # noqa: E731
    return as_image(lit), as_image(lit * (1 - SHADOW_STRENGTH))


@lru_cache(maxsize=2)
def _solid(value: int) -> Image.Image:
    return Image.new("RGB", (SIZE, SIZE), (value, value, value))


def garment_rgb(colour_lab: object) -> RGB:
    """The 8-bit sRGB colour a garment with CIELAB ``colour_lab`` is painted with."""
    try:
        lab = np.asarray(colour_lab, dtype=np.float64)
    except (TypeError, ValueError):
        lab = np.full(1, np.nan)
    if lab.shape != (3,) or not np.isfinite(lab).all():
        raise RenderError(f"colour_lab must be three finite numbers [L, a, b], got {colour_lab!r}")
    return tuple(int(v) for v in lab_to_srgb(lab, gamut="clip", as_uint8=True))


def _paint(canvas: Canvas, cut: Cut, item: Mapping, palette: Palette, jitter: Jitter) -> None:
    is_jeans = item["type"] == "jeans"
    details = set(item.get("details") or ())
    draw_body(canvas, cut, palette)
    draw_shading(canvas, cut, is_jeans, jitter.u[8:16])
    if item["type"] == "pants":
        draw_crease(canvas, cut, palette)
    if "striped" in details:
        DETAIL_PAINTERS["striped"](canvas, cut, palette, jitter.u[16:20])
    draw_front_pockets(canvas, cut, palette, is_jeans)
    if "drawstring" not in details:
        draw_waist_hardware(canvas, cut, palette, is_jeans)
    if "cuffed" not in details:
        draw_hem(canvas, cut, palette)
    for detail in DRAW_ORDER[1:]:
        if detail in details:
            uniforms = jitter.u[24:28] if detail == "drawstring" else jitter.u[20:24]
            DETAIL_PAINTERS[detail](canvas, cut, palette, uniforms)


def _shadow(mask_hi: Image.Image, jitter: Jitter) -> Image.Image:
    """A soft drop shadow (L, 255 = full shadow): the garment mask blurred and shifted down and right."""
    small = mask_hi.reduce(SUPERSAMPLE * SIZE // SOFT_SIZE).filter(ImageFilter.GaussianBlur(3))
    shadow = Image.new("L", (SIZE, SIZE), 0)
    shadow.paste(
        small.resize((SIZE, SIZE), Image.BILINEAR), (3 + int(3 * jitter.u[4]), 6 + int(3 * jitter.u[5]))
    )
    return shadow


def _shading(canvas: Canvas, item: Mapping, jitter: Jitter) -> tuple[Image.Image, Image.Image]:
    """Soft shading times fabric texture, as a darkening factor and a highlight weight (both L)."""
    soft = canvas.soft_image.filter(ImageFilter.BoxBlur(1)).resize((SIZE, SIZE), Image.BILINEAR)
    denim, fabric = _noise_tiles()
    dx, dy = int(jitter.u[6] * SIZE), int(jitter.u[7] * SIZE)
    texture = (denim if item["type"] == "jeans" else fabric)[dy : dy + SIZE, dx : dx + SIZE]
    shade = np.asarray(soft, dtype=np.float32) * (texture / NEUTRAL_SHADE)
    darken = np.clip(shade * 255, 0, 255).astype(np.uint8)
    highlight = np.clip((shade - 1) * HIGHLIGHT_WEIGHT, 0, 255).astype(np.uint8)
    return Image.fromarray(darken), Image.fromarray(highlight)


def _compose(canvas: Canvas, item: Mapping, jitter: Jitter) -> np.ndarray:
    """Shade the garment (darken towards black, highlight towards white), lay it over the shadowed
    background, attach the mask as alpha."""
    alpha = canvas.mask_image.reduce(SUPERSAMPLE)
    darken, highlight = _shading(canvas, item, jitter)
    garment = Image.composite(canvas.colour_image.reduce(SUPERSAMPLE), _solid(0), darken)
    garment = Image.composite(_solid(255), garment, highlight)
    lit, shaded = _background(int(jitter.u[28] * N_TINTS))
    photo = Image.composite(garment, Image.composite(shaded, lit, _shadow(canvas.mask_image, jitter)), alpha)
    photo.putalpha(alpha)
    return np.asarray(photo)


def _check(item: Mapping) -> None:
    for key, allowed in (
        ("type", a.TYPES),
        ("gender", a.GENDERS),
        ("fit", a.FITS),
        ("length", a.LENGTHS),
        ("size_line", (*a.SIZE_LINES, None)),
    ):
        if item.get(key) not in allowed:
            raise RenderError(f"item {key} must be one of {allowed}, got {item.get(key)!r}")
    unknown = set(item.get("details") or ()) - set(a.DETAILS)
    if unknown:
        raise RenderError(f"item details must be among {a.DETAILS}, got unknown {sorted(unknown)}")


def render_item(item: Mapping, rng: np.random.Generator) -> np.ndarray:
    """Draw ``item`` (its visual fields) as a (256, 256, 4) uint8 RGBA photo; ``rng`` gives the jitter."""
    _check(item)
    jitter = Jitter.draw(rng)
    details = set(item.get("details") or ())
    cut = make_cut(item["gender"], item["fit"], item["length"], item["size_line"], "drawstring" in details)
    pose = jitter.pose(cut, CUFF_HEIGHT * 0.5 if "cuffed" in details else 0.0)
    palette = Palette.for_garment(garment_rgb(item.get("colour_lab")), item["type"] == "jeans")
    canvas = Canvas(pose, palette.base)
    _paint(canvas, cut, item, palette, jitter)
    return _compose(canvas, item, jitter)

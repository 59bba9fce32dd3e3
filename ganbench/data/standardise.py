"""One standardisation step for every catalog image: background removal, tight crop, square pad, resize.

Background removal (our choices; the paper is silent):
- An image with an alpha channel that is not fully opaque uses its alpha as the foreground mask
  (the only reliable way for white garments on white backgrounds).
- Otherwise the background colour is the median of the border pixels, and the background is the part
  of the "near-background" region that is connected to the image border (``scipy.ndimage.label``).
  A pixel is near-background when its RGB distance to the background colour is within ``tolerance``,
  or within the looser ``shadow_tolerance`` *and* in a smooth area (local RGB change at most
  ``edge_threshold``): soft shadows change slowly, garment outlines change sharply. Near-background
  pockets inside the garment (white stripes, holes) stay foreground because they do not touch the border.
  The one-pixel ring of shadow next to the outline (never "smooth", since the outline is beside it) is
  then given to the background where it blends into the background next to it.
- Foreground specks smaller than ``min_component_fraction`` of the largest foreground part are dropped.

The standardised image is RGBA with alpha = foreground mask, cropped tightly to the mask (plus an
optional ``margin``), padded to a square with transparent white centred on the short side, and resized.

Defaults were set on the synthetic renders with their alpha removed: against the renderer's exact
garment masks the flood-fill mask has median IoU 0.997 over 60 photos (``shadow_tolerance`` 70 gave
0.953: dark shadow cores stayed foreground). White and near-white garments on the off-white background
cannot be told apart without alpha (IoU 0.75): give such photos an alpha channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

WHITE = 255


class NoForegroundError(ValueError):
    """The image holds nothing but background (or is fully transparent)."""


@dataclass(frozen=True)
class StandardiseOptions:
    """Parameters of the standardisation step (RGB distances are in 0..255 units)."""

    size: int = 256
    tolerance: float = 28.0
    shadow_tolerance: float = 120.0
    edge_threshold: float = 6.0
    min_component_fraction: float = 0.02
    margin: float = 0.0
    alpha_threshold: int = 128


DEFAULT_OPTIONS = StandardiseOptions()


def as_rgba_array(image: np.ndarray) -> np.ndarray:
    """Validate an HxWx3 / HxWx4 (or HxW grey) uint8 array and return it as HxWx4 uint8."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image array, got dtype {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or min(array.shape[:2]) < 2:
        raise ValueError(f"expected an image array of shape (H, W, 3) or (H, W, 4), got {array.shape}")
    if array.shape[2] == 3:
        alpha = np.full(array.shape[:2] + (1,), 255, np.uint8)
        array = np.concatenate([array, alpha], axis=2)
    return array


def background_colour(rgb: np.ndarray) -> np.ndarray:
    """Median colour of the image border (float, 3)."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[1:-1, 0], rgb[1:-1, -1]]).astype(np.float32)
    return np.median(border, axis=0)


def _squared(diff: np.ndarray) -> np.ndarray:
    return np.einsum("ijk,ijk->ij", diff, diff)


def _neighbour_differences(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared RGB distances between vertical (H-1, W) and horizontal (H, W-1) neighbours, int32."""
    image = rgb.astype(np.int32)
    return _squared(image[1:] - image[:-1]), _squared(image[:, 1:] - image[:, :-1])


def _local_change(vertical: np.ndarray, horizontal: np.ndarray) -> np.ndarray:
    """Largest squared RGB distance from each pixel to its 4-neighbours."""
    change = np.zeros((horizontal.shape[0], vertical.shape[1]), np.int32)
    for diff, a, b in ((vertical, np.s_[1:], np.s_[:-1]), (horizontal, np.s_[:, 1:], np.s_[:, :-1])):
        np.maximum(change[a], diff, out=change[a])
        np.maximum(change[b], diff, out=change[b])
    return change


def _peel_shadow_ring(
    vertical: np.ndarray, horizontal: np.ndarray, near: np.ndarray, background: np.ndarray, limit: float
) -> np.ndarray:
    """Background plus the one-pixel ring of near-background pixels that blend smoothly into it.

    Pixels next to the garment outline are never "smooth" (the outline is beside them), so they would
    stay foreground; each is moved to the background when it differs from an adjacent background pixel
    by at most ``limit``.
    """
    peeled = background.copy()
    close_v, close_h = vertical <= limit**2, horizontal <= limit**2
    peeled[1:] |= near[1:] & background[:-1] & close_v
    peeled[:-1] |= near[:-1] & background[1:] & close_v
    peeled[:, 1:] |= near[:, 1:] & background[:, :-1] & close_h
    peeled[:, :-1] |= near[:, :-1] & background[:, 1:] & close_h
    return peeled


def _drop_specks(foreground: np.ndarray, min_fraction: float) -> np.ndarray:
    labels, n = ndimage.label(foreground)
    if n <= 1:
        return foreground
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.flatnonzero(sizes >= min_fraction * sizes.max()) + 1
    return np.isin(labels, keep)


def foreground_mask(rgb: np.ndarray, options: StandardiseOptions = DEFAULT_OPTIONS) -> np.ndarray:
    """Boolean foreground mask of an opaque RGB image: everything not border-connected background."""
    rgb = np.asarray(rgb)[:, :, :3]
    distance = _squared(rgb.astype(np.int32) - np.rint(background_colour(rgb)).astype(np.int32))
    vertical, horizontal = _neighbour_differences(rgb)
    smooth = _local_change(vertical, horizontal) <= options.edge_threshold**2
    loose = distance <= options.shadow_tolerance**2
    near = (distance <= options.tolerance**2) | (loose & smooth)
    labels, _ = ndimage.label(near)
    border_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    background = np.isin(labels, border_labels[border_labels > 0])
    background = _peel_shadow_ring(vertical, horizontal, loose, background, options.edge_threshold)
    return _drop_specks(~background, options.min_component_fraction)


def _with_mask_alpha(rgba: np.ndarray, options: StandardiseOptions) -> np.ndarray:
    """RGBA whose alpha is the foreground mask (the image's own alpha when it has a real one)."""
    alpha = rgba[:, :, 3]
    if alpha.min() < 255:
        if not (alpha >= options.alpha_threshold).any():
            raise NoForegroundError("the image is fully transparent")
        return rgba
    mask = foreground_mask(rgba[:, :, :3], options)
    if not mask.any():
        raise NoForegroundError("no foreground found: the whole image looks like background")
    out = rgba.copy()
    out[:, :, 3] = np.where(mask, 255, 0).astype(np.uint8)
    return out


def _crop_pad_square(rgba: np.ndarray, options: StandardiseOptions) -> np.ndarray:
    opaque = rgba[:, :, 3] >= options.alpha_threshold
    rows, cols = np.flatnonzero(opaque.any(axis=1)), np.flatnonzero(opaque.any(axis=0))
    crop = rgba[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape[:2]
    side = int(round(max(height, width) * (1 + 2 * options.margin)))
    canvas = np.zeros((side, side, 4), np.uint8)
    canvas[:, :, :3] = WHITE
    top, left = (side - height) // 2, (side - width) // 2
    canvas[top : top + height, left : left + width] = crop
    return canvas


def resize_rgba(rgba: np.ndarray, size: int) -> np.ndarray:
    """Resize a square RGBA array (Lanczos; Pillow premultiplies alpha so edges do not darken)."""
    if rgba.shape[0] == size and rgba.shape[1] == size:
        return rgba
    image = Image.fromarray(rgba, mode="RGBA")
    return np.asarray(image.resize((size, size), Image.Resampling.LANCZOS))


def standardise(image: np.ndarray, options: StandardiseOptions = DEFAULT_OPTIONS) -> np.ndarray:
    """Standardised RGBA image (size, size, 4) uint8 whose alpha is the foreground mask.

    Raises ``NoForegroundError`` when nothing but background is found, ``ValueError`` for arrays that
    are not images.
    """
    rgba = _with_mask_alpha(as_rgba_array(image), options)
    return resize_rgba(_crop_pad_square(rgba, options), options.size)


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """RGB uint8 of an RGBA image laid over a white background (integer arithmetic, rounded)."""
    alpha = rgba[:, :, 3:4].astype(np.uint32)
    blended = rgba[:, :, :3].astype(np.uint32) * alpha + WHITE * (255 - alpha) + 127
    return (blended // 255).astype(np.uint8)


def mask_of(rgba: np.ndarray, threshold: int = 128) -> np.ndarray:
    """Foreground mask 0/1 uint8 of an RGBA image."""
    return (rgba[:, :, 3] >= threshold).astype(np.uint8)


def cache_views(rgba: np.ndarray, sizes: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """{size: (RGB on white (S, S, 3), mask 0/1 (S, S))} of a standardised square RGBA image.

    Sizes that divide the image side are area averages of the composited image and of the alpha
    (exact: compositing on white commutes with averaging); other sizes are Lanczos resizes.
    """
    side = rgba.shape[0]
    rgb, alpha = composite_on_white(rgba), rgba[:, :, 3]
    views = {}
    for size in sizes:
        if side % size == 0:
            factor = side // size
            small_rgb = np.asarray(Image.fromarray(rgb).reduce(factor)) if factor > 1 else rgb
            small_alpha = np.asarray(Image.fromarray(alpha).reduce(factor)) if factor > 1 else alpha
        else:
            small = resize_rgba(rgba, size)
            small_rgb, small_alpha = composite_on_white(small), small[:, :, 3]
        views[size] = (small_rgb, (small_alpha >= 128).astype(np.uint8))
    return views

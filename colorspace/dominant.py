"""Dominant colour of a product image: the Lab of the largest colour cluster of its foreground.

Steps: (1) foreground = the given mask, else the alpha channel, else everything not connected to the
image border through background-coloured pixels; (2) deduplicate the foreground pixels (optionally
quantised, keeping each bin's exact mean colour) so k-means sees a few thousand weighted colours instead
of ~65k pixels; (3) weighted k-means in Lab; (4) merge clusters whose centroids are closer than
``merge_de`` CIEDE2000 (shading splits one garment colour into light and dark clusters); (5) return the
centroid of the heaviest cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from colorspace.convert import srgb_to_lab
from colorspace.difference import delta_e


class ImageInputError(ValueError):
    """Raised for an image or mask that is not in the expected form."""


@dataclass(frozen=True)
class DominantColour:
    """The result with its evidence: cluster centroids (Lab) and their pixel counts, heaviest first."""

    lab: np.ndarray
    share: float
    n_foreground: int
    n_unique: int
    cluster_labs: np.ndarray
    cluster_counts: np.ndarray
    mask_source: str


def _as_uint8_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ImageInputError(f"image must have shape (H, W, 3) or (H, W, 4), got {image.shape}")
    if image.dtype == np.uint8:
        return image
    if np.issubdtype(image.dtype, np.floating):
        return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    raise ImageInputError(f"image must be uint8 or float in 0..1, got dtype {image.dtype}")


def border_connected_background(rgb: np.ndarray, background_de: float = 10.0) -> np.ndarray:
    """Boolean (H, W): pixels within ``background_de`` (CIE76) of the median border colour that are
    connected (4-neighbourhood) to the image border."""
    from scipy import ndimage

    lab = srgb_to_lab(rgb.astype(np.float32) / 255.0)
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    near = np.linalg.norm(lab - np.median(border, axis=0), axis=-1) < background_de
    labels, _ = ndimage.label(near)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, edge_labels[edge_labels > 0])


def region_to_measure(
    image: np.ndarray, mask: np.ndarray | None = None, background_de: float = 10.0
) -> tuple[np.ndarray, str]:
    """The pixels ``dominant_colour`` measures, (H, W) boolean, and where they came from: "mask" (given),
    "alpha" (the image's own) or "border" (not connected to the border's median colour within
    ``background_de`` dE76). Standardisation cuts garments out with a different rule
    (``ganbench.data.standardise.foreground_mask``: RGB flood fill that also removes soft shadows).

    A mask may be boolean, 0/1, 0/255 (uint8, > 127 is foreground) or float in 0..1 (> 0.5)."""
    image = _as_uint8_image(image)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != image.shape[:2]:
            raise ImageInputError(f"mask must be (H, W) = {image.shape[:2]} like the image, got {mask.shape}")
        if np.issubdtype(mask.dtype, np.floating):
            return mask > 0.5, "mask"  # soft masks in 0..1
        return mask > (127 if mask.dtype == np.uint8 and mask.max() > 1 else 0), "mask"
    if image.shape[-1] == 4:
        return image[..., 3] > 127, "alpha"
    return ~border_connected_background(image[..., :3], background_de), "border"


def unique_colours(pixels: np.ndarray, quantise_bits: int | None = 5) -> tuple[np.ndarray, np.ndarray]:
    """Deduplicate uint8 pixels (N, 3): (mean sRGB 0..1 of each bin (M, 3), pixel count (M,)).

    With ``quantise_bits`` b < 8 each channel is binned to its top b bits; the bin's value is the exact
    mean of its pixels, so quantising merges near-identical colours without shifting them.
    """
    bits = quantise_bits or 8
    q = (pixels >> (8 - bits)).astype(np.int64)
    codes = (q[:, 0] << (2 * bits)) | (q[:, 1] << bits) | q[:, 2]
    if bits <= 6:  # a dense histogram (<= 2^18 bins) is faster than sorting
        histogram = np.bincount(codes, minlength=1 << (3 * bits))
        present = np.flatnonzero(histogram)
        inverse = np.searchsorted(present, codes)
        counts = histogram[present]
    else:
        _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    sums = np.stack([np.bincount(inverse, weights=pixels[:, c], minlength=len(counts)) for c in range(3)], 1)
    return sums / counts[:, None] / 255.0, counts


@cache
def _openmp_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # scanning the loaded libraries takes ~10 ms: do it once


def _merge_close(labs: list[np.ndarray], counts: list[float], merge_de: float) -> None:
    """Merge, in place, the closest pair of centroids while their CIEDE2000 is below ``merge_de``."""
    while len(labs) > 1:
        centroids = np.array(labs)
        distances = delta_e(centroids[:, None], centroids[None, :])
        np.fill_diagonal(distances, np.inf)
        i, j = np.unravel_index(np.argmin(distances), distances.shape)
        if distances[i, j] >= merge_de:
            return
        total = counts[i] + counts[j]
        labs[i] = (labs[i] * counts[i] + labs[j] * counts[j]) / total
        counts[i] = total
        del labs[j], counts[j]


def dominant_colour_details(
    image: np.ndarray, mask: np.ndarray | None = None, k: int = 4, merge_de: float = 10.0,
    quantise_bits: int | None = 5, background_de: float = 10.0, random_state: int = 0,
) -> DominantColour:  # fmt: skip
    """Like ``dominant_colour`` but with the clusters and counts behind the answer.

    If no foreground pixel is found (e.g. a white garment on white without alpha) the whole image is
    used and ``mask_source`` says "whole image (no foreground found)".
    """
    from sklearn.cluster import KMeans

    rgb = _as_uint8_image(image)
    fg, source = region_to_measure(rgb, mask, background_de)
    if not fg.any():
        fg, source = np.ones(rgb.shape[:2], bool), "whole image (no foreground found)"
    colours, counts = unique_colours(rgb[..., :3][fg], quantise_bits)
    lab = srgb_to_lab(colours)
    n_clusters = min(k, len(lab))
    # A few thousand points: OpenMP start-up and barriers cost more than extra threads save.
    with _openmp_controller().limit(limits=1, user_api="openmp"):
        model = KMeans(n_clusters=n_clusters, n_init=3, random_state=random_state)
        model.fit(lab, sample_weight=counts)
    weights = np.bincount(model.labels_, weights=counts, minlength=n_clusters)
    labs = [model.cluster_centers_[c] for c in range(n_clusters) if weights[c] > 0]
    kept = [float(w) for w in weights if w > 0]
    _merge_close(labs, kept, merge_de)
    order = np.argsort(kept)[::-1]
    cluster_labs, cluster_counts = np.array(labs)[order], np.array(kept)[order]
    return DominantColour(cluster_labs[0], float(cluster_counts[0] / counts.sum()), int(counts.sum()),
                          len(counts), cluster_labs, cluster_counts, source)  # fmt: skip


def dominant_colour(
    image: np.ndarray, mask: np.ndarray | None = None, k: int = 4, merge_de: float = 10.0,
    quantise_bits: int | None = 5, background_de: float = 10.0, random_state: int = 0,
) -> np.ndarray:  # fmt: skip
    """Lab (3,) of the dominant foreground colour of ``image`` (H, W, 3|4; uint8 or float 0..1).

    ``mask`` (H, W) overrides alpha; without either, the border-connected background (pixels within
    ``background_de`` CIE76 of the median border colour) is removed. ``k`` k-means clusters in Lab
    (weighted by pixel counts, fixed ``random_state``), merged below ``merge_de`` dE00; defaults are our
    choice (the paper does not describe its dominant-colour step).
    """
    return dominant_colour_details(image, mask, k, merge_de, quantise_bits, background_de, random_state).lab

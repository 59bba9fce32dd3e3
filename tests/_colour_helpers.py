"""Synthetic product photos for the colour tests: a pair of trousers with shading on a plain background."""

from __future__ import annotations

import numpy as np

from colorspace import lab_to_srgb

OFF_WHITE_LAB = (96.0, 0.5, 3.0)


def trouser_mask(size: int = 128) -> np.ndarray:
    """Boolean (size, size): a waistband and two slightly flared legs with a gap between them."""
    y, x = np.mgrid[0:size, 0:size] / size
    waist = (y > 0.10) & (y < 0.22) & (np.abs(x - 0.5) < 0.24)
    flare = 0.10 + 0.04 * (y - 0.2)
    legs = (y >= 0.2) & (y < 0.92) & (np.abs(np.abs(x - 0.5) - 0.13) < flare) & (np.abs(x - 0.5) > 0.015)
    return waist | legs


def product_image(
    garment_lab, background_lab=OFF_WHITE_LAB, size: int = 128, shading: float = 6.0, noise: int = 2,
    alpha: bool = False, seed: int = 0,
) -> np.ndarray:  # fmt: skip
    """uint8 (size, size, 3|4) image of trousers of ``garment_lab`` with L* shading of +-``shading``
    across each leg (symmetric, so the garment's mean colour is ``garment_lab``) and pixel noise."""
    mask = trouser_mask(size)
    _, x = np.mgrid[0:size, 0:size] / size
    lab = np.empty((size, size, 3))
    lab[:] = background_lab
    leg_phase = np.cos(2 * np.pi * (np.abs(x - 0.5) - 0.13) / 0.24)  # folds: lighter ridges, darker creases
    shaded = np.asarray(garment_lab, float) + np.stack([shading * leg_phase, 0 * x, 0 * x], -1)
    lab[mask] = shaded[mask]
    rgb = lab_to_srgb(lab, as_uint8=True).astype(np.int16)
    rgb += np.random.default_rng(seed).integers(-noise, noise + 1, rgb.shape, dtype=np.int16)
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    if not alpha:
        return rgb
    return np.concatenate([rgb, (mask * 255).astype(np.uint8)[..., None]], -1)

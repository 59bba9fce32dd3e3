"""Standardisation: background removal (off-white + shadow, alpha, white on white), crop, square, sizes."""

import numpy as np
import pytest
from _data_helpers import GARMENT_BOX, OFF_WHITE, blank_photo, garment_photo, white_garment_rgba

from ganbench.data.standardise import (
    NoForegroundError,
    StandardiseOptions,
    composite_on_white,
    foreground_mask,
    mask_of,
    standardise,
)


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    return rows.min(), rows.max() + 1, cols.min(), cols.max() + 1


@pytest.mark.parametrize("colour", [(40, 60, 120), (20, 20, 20), (200, 200, 200), (180, 40, 40)])
def test_off_white_background_with_shadow_is_removed_exactly(colour):
    image = garment_photo(colour=colour)
    mask = foreground_mask(image)
    top, bottom, left, right = GARMENT_BOX
    expected = np.zeros(mask.shape, bool)
    expected[top:bottom, left:right] = True
    # the shadow is background; the near-background stripe inside the garment stays foreground
    assert (mask == expected).all()


def test_standardised_image_is_tight_square_and_sized():
    options = StandardiseOptions(size=64)
    out = standardise(garment_photo(), options)
    assert out.shape == (64, 64, 4) and out.dtype == np.uint8
    top, bottom, left, right = _bbox(mask_of(out))
    # garment is 60 x 28 px: the long side fills the square, the short side is centred
    assert (top, bottom) == (0, 64)
    width = right - left
    assert abs(width - 64 * 28 / 60) <= 2
    assert abs(left - (64 - right)) <= 1
    # padding is transparent and composites to white
    assert out[32, 0, 3] == 0
    assert (composite_on_white(out)[32, 0] == 255).all()


@pytest.mark.parametrize("size", [64, 128, 256])
def test_sizes(size):
    out = standardise(garment_photo(), StandardiseOptions(size=size))
    assert out.shape == (size, size, 4)
    assert mask_of(out).mean() == pytest.approx(28 / 60, abs=0.06)


def test_alpha_channel_is_the_mask():
    rgba = np.zeros((50, 40, 4), np.uint8)
    rgba[:, :, :3] = OFF_WHITE
    rgba[5:45, 12:22, :3] = (90, 30, 30)
    rgba[5:45, 12:22, 3] = 255
    out = standardise(rgba, StandardiseOptions(size=40))
    assert _bbox(mask_of(out))[:2] == (0, 40)
    assert abs(mask_of(out).mean() - 10 / 40) < 0.05
    centre = composite_on_white(out)[20, 20]
    assert np.abs(centre.astype(int) - (90, 30, 30)).max() <= 2


def test_white_garment_on_white_background_uses_alpha():
    out = standardise(white_garment_rgba(), StandardiseOptions(size=60))
    mask = mask_of(out)
    top, bottom, left, right = _bbox(mask)
    assert (top, bottom) == (0, 60)
    assert abs((right - left) - 20) <= 1  # 60 x 20 garment fills the height, a third of the width
    assert mask[:, :15].sum() == 0 and mask[:, -15:].sum() == 0
    # without alpha the same picture has no detectable foreground
    with pytest.raises(NoForegroundError):
        standardise(white_garment_rgba()[:, :, :3].copy())


def test_blank_and_transparent_images_have_no_foreground():
    with pytest.raises(NoForegroundError):
        standardise(blank_photo())
    transparent = np.zeros((20, 20, 4), np.uint8)
    with pytest.raises(NoForegroundError):
        standardise(transparent)


def test_specks_are_dropped_and_bad_arrays_rejected():
    image = garment_photo()
    image[2, 2] = (0, 0, 0)  # a dust speck near the corner
    top, bottom, left, right = _bbox(foreground_mask(image))
    assert (top, left) == (GARMENT_BOX[0], GARMENT_BOX[2])
    with pytest.raises(ValueError, match="uint8"):
        standardise(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        standardise(np.zeros((10, 10, 2), np.uint8))

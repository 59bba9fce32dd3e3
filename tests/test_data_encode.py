"""Catalog PNGs: our Up-filtered encoder round-trips exactly through Pillow."""

import io

import numpy as np
import pytest
from PIL import Image

from ganbench.data.encode import encode_image, png_bytes
from ganbench.data.standardise import StandardiseOptions


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (17, 5), (64, 64)])
def test_png_round_trips_through_pillow(shape):
    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, shape + (4,), dtype=np.uint8)
    rgba[..., 3] = np.where(rgba[..., 3] > 100, 255, 0)
    with Image.open(io.BytesIO(png_bytes(rgba))) as image:
        image.load()
        assert image.mode == "RGBA" and image.size == (shape[1], shape[0])
        np.testing.assert_array_equal(np.asarray(image), rgba)


def test_png_rejects_arrays_that_are_not_rgba():
    with pytest.raises(ValueError, match=r"\(H, W, 4\) uint8"):
        png_bytes(np.zeros((4, 4, 3), np.uint8))


def test_encoded_image_is_the_standardised_image():
    photo = np.full((40, 30, 4), 0, np.uint8)
    photo[5:35, 10:20] = (30, 60, 200, 255)
    encoded = encode_image(photo, StandardiseOptions(size=32))
    with Image.open(io.BytesIO(encoded.png)) as image:
        decoded = np.asarray(image)
    assert decoded.shape == (32, 32, 4) and decoded[16, 16].tolist() == [30, 60, 200, 255]
    assert encoded.options == StandardiseOptions(size=32)

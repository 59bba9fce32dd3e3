"""Catalog PNGs: lossless RGBA files whose decoded pixels are the standardised image."""

import hashlib
import io

import numpy as np
import pytest
from PIL import Image

from ganbench.data.encode import encode_image, png_bytes
from ganbench.data.standardise import StandardiseOptions
from ganbench.data.synth import make_items, render_at

# SHA-256 of the decoded pixels of items 0..5 (seed 0) as catalog PNGs, recorded with the hand-written
# Up-filter + ISA-L writer before issue 20 replaced it with Pillow: the encoder may change the files'
# bytes (and so a new catalog's hash), never the pixels training reads.
PIXELS_BEFORE_ISSUE_20 = "51a21d27cbd00d94e386f8518c5ba9959f85da0db7058c0a0560a0aea98399c0"


def _decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.mode == "RGBA"
        return np.asarray(image)


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (17, 5), (64, 64)])
def test_png_round_trips_through_pillow(shape):
    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, shape + (4,), dtype=np.uint8)
    rgba[..., 3] = np.where(rgba[..., 3] > 100, 255, 0)
    np.testing.assert_array_equal(_decode(png_bytes(rgba)), rgba)


def test_a_non_contiguous_array_is_encoded_as_its_values():
    rgba = np.random.default_rng(0).integers(0, 256, (8, 12, 4), dtype=np.uint8)[:, ::2]
    np.testing.assert_array_equal(_decode(png_bytes(rgba)), rgba)


@pytest.mark.parametrize("array", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.float32),
                                   np.zeros((4, 4), np.uint8)])
def test_png_rejects_arrays_that_are_not_rgba_uint8(array):
    with pytest.raises(ValueError) as err:
        png_bytes(array)
    assert str(array.shape) in str(err.value) and str(array.dtype) in str(err.value)


def test_encoded_image_is_the_standardised_image():
    photo = np.full((40, 30, 4), 0, np.uint8)
    photo[5:35, 10:20] = (30, 60, 200, 255)
    encoded = encode_image(photo, StandardiseOptions(size=32))
    decoded = _decode(encoded.png)
    assert decoded.shape == (32, 32, 4) and decoded[16, 16].tolist() == [30, 60, 200, 255]
    assert encoded.options == StandardiseOptions(size=32)


def test_synthetic_catalog_pixels_are_those_of_the_writer_before_pillow():
    digest = hashlib.sha256()
    for index, item in enumerate(make_items(0, range(6))):
        digest.update(_decode(encode_image(render_at(0, index, item)).png).tobytes())
    assert digest.hexdigest() == PIXELS_BEFORE_ISSUE_20

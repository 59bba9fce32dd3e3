"""From an image array to the bytes of a catalog image file: standardise, then encode as PNG.

``write_catalog`` does this for every image it is given, unless a producer already did it where the
image was made (``EncodedImage``): the synthetic catalog standardises and encodes in its rendering
processes, so the writer's process only writes files and hashes them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ganbench.data.standardise import DEFAULT_OPTIONS, StandardiseOptions, standardise

# Pillow's zlib level 1. Measured on 256 px synthetic photos (AMD EPYC, benchmarks/png_writer_speed.py):
# 3.9 ms CPU per image, files within 1% of the hand-written Up-filter + ISA-L writer this replaced in issue
# 20, which took 0.45 ms. That is about 12 s more CPU for a 3,000-item catalog, built once (the issue put it
# at 9 s of a 47-minute run), and ~7 -> ~10 ms per item for `data synth` as a whole; a standard encoder and
# one dependency fewer were judged worth it. Level 6 (Pillow's default): 8% smaller files, 10 ms per image.
PNG_COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class EncodedImage:
    """A catalog image already standardised with ``options`` and encoded: the file's bytes."""

    png: bytes
    options: StandardiseOptions


def png_bytes(rgba: np.ndarray) -> bytes:
    """An 8-bit RGBA PNG of ``rgba`` (H, W, 4) uint8, written by Pillow; lossless, so reading the file
    back gives ``rgba`` exactly (the catalog's pixels do not depend on the encoder, only its bytes do)."""
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 4) uint8 array, got {rgba.shape} {rgba.dtype}")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buffer, format="PNG",
                                                              compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def encode_image(image: np.ndarray, options: StandardiseOptions = DEFAULT_OPTIONS) -> EncodedImage:
    """Standardise ``image`` (HxWx3 or HxWx4 uint8) and encode it; ``ValueError`` if it cannot be."""
    return EncodedImage(png_bytes(standardise(image, options)), options)

"""Sample grids written during training carry their query text: each image is captioned with its step."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from ganbench.drawing.labelled_grid import GAP, LINE, PAD
from ganbench.train.samples import save_sample_grid


def test_sample_grid_captions_every_step_and_leaves_short_rows_blank(tmp_path):
    queries = [["women's black pants", "petite", "capri"], ["men's red shorts"]]
    images = [torch.full((len(q), 3, 8, 8), 40 + 50 * k, dtype=torch.uint8) for k, q in enumerate(queries)]
    path = save_sample_grid(images, queries, tmp_path / "step_000010.png", tile_size=128)
    pixels = np.asarray(Image.open(path).convert("L"))
    row_height = 128 + LINE  # one caption line under each 128 px tile
    assert pixels.shape == (PAD + 2 * (row_height + GAP) + PAD, PAD + 3 * (128 + GAP) - GAP + PAD)

    def ink(y0: int, x0: int) -> bool:  # dark text pixels in the caption band under the tile at (y0, x0)
        band = pixels[y0 + 128: y0 + row_height, x0: x0 + 128]
        return bool((band < 100).any())

    top, left = PAD + GAP // 2, PAD
    second_row = top + row_height + GAP
    assert all(ink(top, left + c * (128 + GAP)) for c in range(3))  # every step of query 1 captioned
    assert ink(second_row, left)  # query 2's only step
    assert not ink(second_row, left + 128 + GAP)  # no image and no caption after its last step
    assert (pixels[second_row: second_row + 128, left + 128 + GAP:] == 255).all()

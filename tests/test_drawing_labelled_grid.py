"""The labelled grid behind sample grids, strips and `ganbench generate`: text wrapped in full, spanning
headers, captions, and tiles shown at the requested size without changing their pixels."""

from __future__ import annotations

import numpy as np

from ganbench.drawing.labelled_grid import Header, font, labelled_grid, resize_tile, step_labels, wrap


def test_wrap_keeps_every_word_and_fits_the_width():
    face = font()
    text = "women's black pants petite capri with an extraordinarily-long-hyphenated-word"
    lines = wrap(text, 90, face)
    assert len(lines) > 2 and all(face.getlength(line) <= 90 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing cut, no ellipsis


def test_tiles_are_upscaled_by_nearest_neighbour():
    tile = np.zeros((4, 4, 3), np.uint8)
    tile[:2, :2] = 200
    shown = resize_tile(tile, 16)
    assert shown.shape == (16, 16, 3) and set(np.unique(shown)) == {0, 200}
    assert (shown[:8, :8] == 200).all() and (shown[8:, 8:] == 0).all()


def test_grid_size_follows_tiles_headers_and_captions():
    tiles = [[np.full((8, 8, 3), v, np.uint8) for v in (10, 60)] for _ in range(3)]
    plain = labelled_grid(tiles, 32)
    assert plain.size == (6 + 2 * 32 + 6 + 6, 6 + 3 * (32 + 6) + 6)
    headed = labelled_grid(tiles, 32, headers=[[Header("a query", 2)], [Header("seed 0"), Header("seed 1")]])
    captioned = labelled_grid(tiles, 32, captions=[["x", "y"]] * 3)
    assert headed.size[1] > plain.size[1] and captioned.size[1] == plain.size[1] + 3 * 17
    pixels = np.asarray(headed.convert("RGB"))
    assert (pixels == 10).all(axis=-1).sum() == 3 * 32 * 32  # every tile pasted whole, pixels unchanged


def test_step_labels_mark_added_words():
    assert step_labels(["women's black pants", "petite", "capri"]) == [
        "women's black pants", "+ petite", "+ capri"]

"""The renderer: every visual attribute changes the photo, title-only fields never do, colours are true."""

from __future__ import annotations

import numpy as np
import pytest
from _synth_helpers import BASE_ITEM, as_model_input, changed_fraction, render, variant

from colorspace import catalog_terms
from ganbench.data.synth import make_items, render_at
from ganbench.data.synth.render import RenderError, render_item

VISIBLE_CHANGES = [
    {"type": "jeans"}, {"type": "shorts", "length": "bermuda"}, {"type": "shorts", "length": "short"},
    {"gender": "women's"}, {"gender": "unisex"},
    *({"fit": fit} for fit in ("skinny", "slim", "bootcut", "wide-leg", "relaxed")),
    *({"length": length} for length in ("ankle", "capri")),
    *({"size_line": line} for line in ("petite", "tall", "plus")),
    *({"details": [detail]} for detail in ("cargo pockets", "distressed", "pleated", "drawstring", "cuffed",
                                           "striped")),
]  # fmt: skip
TITLE_ONLY_CHANGES = [
    {"brand": "Halden"}, {"material": "wool blend"}, {"size_code": "Size 8P"}, {"id": "other"},
    {"title": "Completely Different Title 40W x 30L"}, {"query": ["unisex pants", "skinny"]},
    {"colour": "khaki"}, {"split": "test"},
]  # fmt: skip


@pytest.fixture(scope="module")
def base_photo() -> np.ndarray:
    return render(BASE_ITEM)


def test_photo_is_rgba_256_on_off_white_with_garment_mask(base_photo: np.ndarray) -> None:
    assert base_photo.shape == (256, 256, 4) and base_photo.dtype == np.uint8
    alpha = base_photo[..., 3]
    assert 0.1 < np.mean(alpha == 255) < 0.6
    corner = base_photo[:8, :8, :3].reshape(-1, 3)
    assert (corner > 220).all() and (alpha[:8, :8] == 0).all()
    assert not (base_photo[..., :3] == 255).all(-1).any()  # off-white, never pure white


@pytest.mark.parametrize("change", VISIBLE_CHANGES, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_each_visual_attribute_changes_what_a_model_sees(change: dict, base_photo: np.ndarray) -> None:
    photo = render(variant(**change))
    assert changed_fraction(photo, base_photo) > 0.005
    assert changed_fraction(as_model_input(photo), as_model_input(base_photo)) > 0.01


def test_garment_colour_changes_the_photo(base_photo: np.ndarray) -> None:
    other = render(variant(colour_lab=[55.0, 5.0, 24.0]))
    garment = base_photo[..., 3] == 255
    shift = np.abs(other[..., :3].astype(int) - base_photo[..., :3].astype(int))[garment].mean()
    assert shift > 1.0


@pytest.mark.parametrize("change", TITLE_ONLY_CHANGES, ids=lambda c: next(iter(c)))
def test_title_only_fields_never_change_the_photo(change: dict, base_photo: np.ndarray) -> None:
    assert render(variant(**change)).tobytes() == base_photo.tobytes()


def test_render_jitter_moves_and_scales_the_garment() -> None:
    boxes = set()
    for seed in range(4):
        alpha = render_item(BASE_ITEM, np.random.default_rng(seed))[..., 3] > 0
        rows, cols = np.nonzero(alpha.any(1))[0], np.nonzero(alpha.any(0))[0]
        boxes.add((rows[0], rows[-1], cols[0], cols[-1]))
    assert len(boxes) == 4


def test_garment_pixels_keep_the_recorded_colour() -> None:
    import colour

    terms = {t.name: np.array(t.lab) for t in catalog_terms()}
    items = make_items(5, range(16))
    errors_recorded, errors_term = [], []
    for index, item in enumerate(items):
        rgba = render_at(5, index, item)
        pixels = rgba[..., :3][rgba[..., 3] == 255][::4].astype(float) / 255
        median_lab = np.median(colour.XYZ_to_Lab(colour.sRGB_to_XYZ(pixels)), axis=0)
        errors_recorded.append(colour.delta_E(median_lab, np.array(item["colour_lab"]), method="CIE 2000"))
        errors_term.append(colour.delta_E(median_lab, terms[item["colour"]], method="CIE 2000"))
    assert max(errors_recorded) < 6.0 and np.mean(errors_recorded) < 3.0
    assert max(errors_term) < 8.0


@pytest.mark.parametrize("bad", [{"fit": "baggy"}, {"type": "skirt"}, {"details": ["sequins"]},
                                 {"colour_lab": [50.0, "x", 0.0]}, {"colour_lab": [50.0, 1.0]},
                                 {"colour_lab": None}, {"size_line": "short"}])
def test_bad_items_raise_a_clear_error(bad: dict) -> None:
    with pytest.raises(RenderError, match=next(iter(bad))):
        render(variant(**bad))

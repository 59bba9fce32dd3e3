"""Dominant colour of synthetic product images with a known garment Lab."""

from __future__ import annotations

import numpy as np
import pytest
from _asserts import raises_naming
from _colour_helpers import product_image, trouser_mask

from colorspace import default_lookup, delta_e, dominant_colour
from colorspace.dominant import ImageInputError, dominant_colour_details, region_to_measure, unique_colours


@pytest.mark.parametrize("term", ["navy", "khaki", "red", "heather grey", "light wash", "burgundy", "stone"])
def test_garment_colour_is_recovered_on_off_white_background(term):
    garment_lab = default_lookup().term_lab(term)
    result = dominant_colour_details(product_image(garment_lab, seed=len(term)))
    assert result.mask_source == "border"
    assert result.n_foreground == trouser_mask().sum()
    assert delta_e(result.lab, garment_lab) < 3.0


def test_white_garment_on_white_background_needs_and_uses_alpha():
    garment_lab = (96.5, 0.0, 1.0)
    image = product_image(garment_lab, background_lab=(100.0, 0.0, 0.0), alpha=True)
    lab = dominant_colour(image)
    assert delta_e(lab, garment_lab) < 3.0
    details = dominant_colour_details(image)
    assert details.mask_source == "alpha" and details.n_foreground == trouser_mask().sum()
    # Without alpha the garment cannot be told from the background: most of it would be lost.
    border_mask, source = region_to_measure(image[..., :3])
    assert source == "border" and border_mask.sum() < 0.5 * trouser_mask().sum()


def test_no_foreground_falls_back_to_the_whole_image_and_says_so():
    flat = np.full((32, 32, 3), 240, np.uint8)
    result = dominant_colour_details(flat)
    assert result.mask_source == "whole image (no foreground found)" and result.n_foreground == 32 * 32


def test_explicit_mask_and_float_images():
    garment_lab = default_lookup().term_lab("olive")
    image = product_image(garment_lab)
    mask = trouser_mask().astype(np.uint8)
    assert delta_e(dominant_colour(image, mask=mask), garment_lab) < 3.0
    assert delta_e(dominant_colour(image.astype(np.float32) / 255.0), garment_lab) < 3.0


def test_largest_cluster_wins_over_a_small_detail():
    garment_lab = default_lookup().term_lab("dark wash")
    image = product_image(garment_lab)
    image[20:30, 50:78] = (150, 90, 40)  # a tan leather patch on the waistband
    result = dominant_colour_details(image)
    assert delta_e(result.lab, garment_lab) < 3.0
    assert len(result.cluster_labs) >= 2 and result.share < 1.0


def test_background_is_removed_only_where_connected_to_the_border():
    image = product_image((40.0, 0.0, 0.0))
    image[60:66, 44:50] = image[0, 0]  # a background-coloured spot inside the left leg
    mask, source = region_to_measure(image)
    assert source == "border"
    assert trouser_mask()[60:66, 44:50].all()
    assert mask[60:66, 44:50].all()  # enclosed, so it stays foreground
    assert not mask[0, 0] and not mask[100, 64]  # the border and the gap between the legs are background
    assert mask[trouser_mask()].all()


def test_unique_colours_keep_exact_bin_means_and_counts():
    pixels = np.array([[10, 10, 10], [11, 10, 10], [200, 0, 0], [10, 10, 10]], dtype=np.uint8)
    colours, counts = unique_colours(pixels, quantise_bits=5)
    assert counts.tolist() == [3, 1]
    np.testing.assert_allclose(colours[0] * 255, [31 / 3, 10, 10])
    colours, counts = unique_colours(pixels, quantise_bits=None)
    assert sorted(counts.tolist()) == [1, 1, 2]


def test_bad_images_get_clear_errors():
    with pytest.raises(ImageInputError, match=r"\(H, W, 3\)"):
        dominant_colour(np.zeros((8, 8), np.uint8))
    with raises_naming(ImageInputError, "int32"):
        dominant_colour(np.zeros((8, 8, 3), np.int32))
    with raises_naming(ImageInputError, "mask", "(4, 4)"):
        dominant_colour(np.zeros((8, 8, 3), np.uint8), mask=np.ones((4, 4)))

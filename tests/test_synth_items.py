"""Synthetic items: determinism, independence of streams, coverage of every attribute value, titles."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.stats import spearmanr

from colorspace import catalog_terms
from ganbench.data.catalog import ITEM_FIELDS
from ganbench.data.synth import attributes as attr
from ganbench.data.synth import make_items, render_at
from ganbench.data.synth.titles import BRANDS, MATERIALS
from ganbench.data.text import (
    DETAIL_WORDS,
    FIT_WORDS,
    GENDER_WORDS,
    LENGTH_WORDS,
    SIZE_LINE_WORDS,
    TYPE_WORDS,
    parse_attributes,
    tokenize,
)  # fmt: skip


@pytest.fixture(scope="module")
def many_items() -> list[dict]:
    return make_items(11, range(2500))


def test_items_have_exactly_the_catalog_fields() -> None:
    item = make_items(0, range(1))[0]
    assert tuple(item) == ITEM_FIELDS
    assert item["image"] == f"images/{item['id']}.png"
    assert len(item["colour_lab"]) == 3


def test_same_seed_gives_identical_items_and_image_bytes() -> None:
    first, second = make_items(3, range(4)), make_items(3, range(4))
    assert first == second
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        assert render_at(3, index, a).tobytes() == render_at(3, index, b).tobytes()


def test_different_seed_gives_different_items_and_images() -> None:
    a, b = make_items(3, range(6)), make_items(4, range(6))
    assert [i["title"] for i in a] != [i["title"] for i in b]
    assert [i["colour_lab"] for i in a] != [i["colour_lab"] for i in b]
    assert not np.array_equal(render_at(3, 0, a[0]), render_at(4, 0, b[0]))


def test_an_item_depends_only_on_seed_and_index_not_on_catalog_size() -> None:
    long = make_items(5, range(12))
    assert make_items(5, range(4)) == long[:4]
    assert make_items(5, [9]) == [long[9]]


def test_every_attribute_value_and_colour_term_appears(many_items: list[dict]) -> None:
    seen = {key: Counter(item[key] for item in many_items) for key in ("type", "gender", "fit", "length",
                                                                       "size_line", "colour")}  # fmt: skip
    assert set(seen["type"]) == set(attr.TYPES)
    assert set(seen["gender"]) == set(attr.GENDERS)
    assert set(seen["fit"]) == set(attr.FITS)
    assert set(seen["length"]) == set(attr.LENGTHS)
    assert set(seen["size_line"]) == {*attr.SIZE_LINES, None}
    assert set(seen["colour"]) == {t.name for t in catalog_terms()}
    assert len(seen["colour"]) >= 60
    assert set(d for item in many_items for d in item["details"]) == set(attr.DETAILS)


def test_colour_frequencies_are_long_tailed(many_items: list[dict]) -> None:
    counts = Counter(item["colour"] for item in many_items)
    names = [t.name for t in catalog_terms()]
    ranked = [counts[name] for name in names]
    rho, _ = spearmanr(np.arange(len(names)), ranked)
    assert rho < -0.7  # popularity order holds
    assert max(ranked) > 10 * np.median(ranked)  # a head and a long tail
    groups = (("navy", "navy blue", "midnight blue"), ("burgundy", "maroon", "wine"), ("khaki", "tan"))
    for synonyms in groups:
        assert all(counts[s] > 0 for s in synonyms)


def test_lengths_and_size_lines_fit_the_garment(many_items: list[dict]) -> None:
    for item in many_items:
        if item["type"] == "shorts":
            assert item["length"] in ("bermuda", "short")
            assert item["fit"] not in ("skinny", "bootcut")
        else:
            assert item["length"] in ("full", "ankle", "capri")
        if item["size_line"] == "petite":
            assert item["gender"] == "women's"


def test_recorded_lab_is_a_small_jitter_around_the_term(many_items: list[dict]) -> None:
    import colour

    terms = {t.name: t.lab for t in catalog_terms()}
    recorded = np.array([item["colour_lab"] for item in many_items[:600]])
    term_labs = np.array([terms[item["colour"]] for item in many_items[:600]])
    distance = colour.delta_E(recorded, term_labs, method="CIE 2000")
    assert distance.max() < 5.0
    assert 0.3 < distance.mean() < 2.5  # there is jitter, and it is small
    assert len({tuple(lab) for lab in recorded}) > 500  # shades differ between items


def test_titles_parse_back_to_the_items_attributes(many_items: list[dict]) -> None:
    for item in many_items[:800]:
        parsed = parse_attributes(item["title"])
        for key in ("type", "gender", "colour", "fit", "size_line"):
            assert parsed[key] == item[key], (key, item["title"])
        assert parsed["length"] in ((item["length"], None) if item["length"] == "full" else (item["length"],))
        assert sorted(parsed["details"]) == sorted(item["details"]), item["title"]


def test_titles_vary_in_word_order_and_carry_brand_material_and_size(many_items: list[dict]) -> None:
    first_tokens = Counter(tokenize(item["title"])[0] for item in many_items[:300])
    assert len(first_tokens) > 10
    for item in many_items[:300]:
        assert item["brand"] in item["title"] and item["size_code"] in item["title"]
        assert item["material"].lower() in item["title"].lower()


def test_brands_and_materials_hold_no_colour_or_attribute_words() -> None:
    colour_words = {w for t in catalog_terms() for w in tokenize(t.name)}
    tables = (TYPE_WORDS, GENDER_WORDS, FIT_WORDS, LENGTH_WORDS, SIZE_LINE_WORDS, DETAIL_WORDS)
    attribute_words = {w for table in tables for phrase in table for w in tokenize(phrase)}
    words = {w for name in BRANDS + sum(MATERIALS.values(), ()) for w in tokenize(name)}
    assert not words & (colour_words | attribute_words)


def test_query_streams_start_broad_and_add_every_visual_attribute(many_items: list[dict]) -> None:
    for item in many_items[:500]:
        steps = item["query"]
        assert steps[0].startswith(item["gender"]) and steps[0].endswith(item["type"])
        words = " | ".join(steps)
        expected = [item["colour"], item["fit"], *item["details"], item["size_line"] or item["fit"]]
        assert all(value in words for value in expected), (steps, item)
        assert (item["length"] in steps) == (item["length"] != "full")
    assert len({len(item["query"]) for item in many_items}) > 3


def test_catalog_term_colours_agree_with_colour_science() -> None:
    # the vocabulary computes Lab with colorspace.convert (no colour-science import at start-up)
    from colorspace.reference import hex_to_srgb, srgb_to_lab_reference

    terms = catalog_terms()
    reference = srgb_to_lab_reference(np.stack([hex_to_srgb(term.hex) for term in terms]))
    np.testing.assert_allclose([term.lab for term in terms], reference, atol=1e-9)

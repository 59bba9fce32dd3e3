""""denim" is a colour only when it is the whole colour phrase ("denim shorts"), not beside another
colour term ("light wash denim shorts": colour light wash, fabric denim)."""

from __future__ import annotations

import pytest

import colorspace
from ganbench.data.batches import colour_token, step_tokens
from ganbench.data.text import colour_phrase_matches, find_colour, parse_attributes, tokenize


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("light wash denim shorts", "light wash"),
        ("Men's Denim Navy Jeans", "navy"),  # a tie in length used to go to the first term: denim
        ("women's denim black skinny jeans", "black"),
        ("women's denim shorts", "denim"),
        ("raw denim jeans", "raw denim"),  # a colour term of its own
    ],
)
def test_denim_is_a_colour_only_as_the_whole_colour_phrase(text, colour):
    assert find_colour(tokenize(text)) == colour
    assert parse_attributes(text)["colour"] == colour


def test_match_filter_keeps_denim_alone_and_drops_it_beside_a_colour():
    assert colour_phrase_matches([(0, 1, "denim")]) == [(0, 1, "denim")]
    assert colour_phrase_matches([(0, 2, "light wash"), (2, 3, "denim")]) == [(0, 2, "light wash")]
    assert colour_phrase_matches([]) == []


def test_colour_model_gives_one_cluster_token_for_light_wash_denim():
    lookup = colorspace.default_lookup()
    tokens = step_tokens("women's light wash denim shorts", lookup, colour_model=True)
    clusters = [t for t in tokens if t.startswith("<colour_")]
    assert clusters == [colour_token(lookup.cluster_of("light wash"))]
    assert tokens == ["women's", clusters[0], "denim", "shorts"]
    alone = step_tokens("women's denim shorts", lookup, colour_model=True)
    assert alone == ["women's", colour_token(lookup.cluster_of("denim")), "shorts"]

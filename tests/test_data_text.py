"""Tokeniser, vocabulary, attribute parser and query streams."""

import pytest

from colorspace.vocabulary import catalog_terms
from ganbench.data.text import Vocabulary, find_colour, parse_attributes, query_stream, tokenize


def test_tokenize_keeps_possessives_and_splits_size_codes():
    assert tokenize("Women's Navy Blue Pants 32W x 30L") == [
        "women's",
        "navy",
        "blue",
        "pants",
        "32w",
        "x",
        "30l",
    ]
    assert tokenize("MEN\u2019S wide-leg, off-white   chinos!") == [
        "men's",
        "wide-leg",
        "off-white",
        "chinos",
    ]
    assert tokenize("") == []


def test_vocabulary_min_freq_unk_and_round_trip():
    vocabulary = Vocabulary.build([["a", "b", "a"], ["c", "a", "b"]], min_freq=2)
    assert vocabulary.tokens == ["<pad>", "<unk>", "a", "b"]
    assert (Vocabulary.PAD, Vocabulary.UNK) == (0, 1)
    assert vocabulary.encode(["a", "c", "b"]) == [2, 1, 3]
    assert vocabulary.encode("A b zzz") == [2, 3, 1]
    assert vocabulary.decode([2, 3, 0, 0]) == ["a", "b"]
    restored = Vocabulary.from_json(vocabulary.to_json())
    assert restored == vocabulary and restored.hash == vocabulary.hash and len(restored) == 4
    assert Vocabulary.build([["a", "c"]]).hash != vocabulary.hash
    with pytest.raises(ValueError, match="min_freq"):
        Vocabulary.build([["a"]], min_freq=0)


def test_parse_attributes_full_title():
    parsed = parse_attributes("Levi's Women's Light Wash Distressed Petite Capri Jean Shorts 32W x 30L")
    assert parsed == {"type": "shorts", "gender": "women's", "colour": "light wash", "fit": None,
                      "length": "capri", "size_line": "petite", "details": ["distressed"]}  # fmt: skip


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Men Navy Blue Slim Fit Trousers", {"type": "pants", "gender": "men's", "colour": "navy blue",
                                             "fit": "slim"}),
        ("Ladies dark gray wide leg pants, plus size", {"gender": "women's", "colour": "dark grey",
                                                         "fit": "wide-leg", "size_line": "plus"}),
        ("Unisex OFF-WHITE bootcut jeans tall", {"type": "jeans", "gender": "unisex", "colour": "off white",
                                                 "fit": "bootcut", "size_line": "tall"}),
        ("Acme cotton chinos", {"type": "pants", "gender": None, "colour": None}),
        ("Cargo shorts with drawstring, striped", {"details": ["cargo pockets", "drawstring", "striped"]}),
    ],
)  # fmt: skip
def test_parse_attributes_cases(title, expected):
    parsed = parse_attributes(title)
    for key, value in expected.items():
        assert parsed[key] == value, (title, key)


def test_colour_terms_come_from_colorspace_and_longest_match_wins():
    names = [term.name for term in catalog_terms()]
    for name in names:
        assert find_colour(tokenize(f"women's {name} pants")) == name
    assert find_colour(["navy", "blue"]) == "navy blue"
    assert find_colour(["blue", "with", "navy", "blue"]) == "navy blue"
    assert find_colour(["blue", "and", "red"]) == "blue"  # tie: the first
    assert find_colour(["zebra"], colour_names=["zebra"]) == "zebra"


def test_query_stream_order():
    attributes = parse_attributes("Women's Black Skinny Petite Capri Pants with cargo pockets")
    assert query_stream(attributes) == ["women's black pants", "skinny", "capri", "petite", "cargo pockets"]
    assert query_stream({"type": "jeans"}) == ["jeans"]
    assert query_stream({}) == []


def test_parser_reads_the_synthetic_titles():
    """The parser recovers every attribute the synthetic titles state (a "full" length is left unsaid)."""
    from ganbench.data.synth import make_items

    for item in make_items(3, range(120)):
        parsed = parse_attributes(item["title"])
        for key in ("type", "gender", "colour", "fit", "size_line"):
            assert parsed[key] == item[key], (item["title"], key)
        assert parsed["length"] == item["length"] or (parsed["length"] is None and item["length"] == "full")
        assert sorted(parsed["details"]) == sorted(item["details"]), item["title"]

"""The word-swap shift: pairs that change one attribute word, and the conditioning shift they cause."""

import math

import pytest
import torch
from _models_helpers import build_model

from ganbench.eval.generation import ModelSource
from ganbench.eval.word_swap import ATTRIBUTES, swap_pairs, word_swap_metrics

HEAD = {"type": "pants", "gender": "women's", "colour": "black", "length": None, "details": []}
ITEMS = [
    {"query": ["women's black pants", "petite", "slim", "capri"], **HEAD, "fit": "slim", "length": "capri"},
    {"query": ["men's navy jeans", "cargo pockets", "skinny"], "type": "jeans", "gender": "men's",
     "colour": "navy", "fit": "skinny", "length": None, "details": ["cargo pockets"]},
    {"query": ["men's shorts", "relaxed", "red", "short", "cuffed"], "type": "shorts", "gender": "men's",
     "colour": "red", "fit": "relaxed", "length": "short", "details": ["cuffed"]},
    {"query": ["women's black pants", "distressed", "straight", "cargo pockets"], **HEAD,
     "fit": "straight", "details": ["cargo pockets", "distressed"]},
]


def test_pairs_swap_the_named_value_for_the_next_one_as_whole_words():
    assert swap_pairs(ITEMS[:3], "gender") == [(["women's black pants"], ["men's black pants"]),
                                               (["men's navy jeans"], ["women's navy jeans"]),
                                               (["men's shorts"], ["women's shorts"])]  # not in "women's"
    assert swap_pairs(ITEMS, "type")[0] == (["women's black pants"], ["women's black shorts"])  # sorted
    assert swap_pairs(ITEMS[:1], "gender") == []  # one value: nothing to swap to


def test_refinement_words_are_probed_in_the_prefix_that_ends_at_the_step_naming_them():
    assert swap_pairs(ITEMS, "fit") == [
        (["women's black pants", "petite", "slim"], ["women's black pants", "petite", "straight"]),
        (["men's navy jeans", "cargo pockets", "skinny"], ["men's navy jeans", "cargo pockets", "slim"]),
        (["men's shorts", "relaxed"], ["men's shorts", "skinny"]),  # relaxed, skinny, slim, straight
        (["women's black pants", "distressed", "straight"], ["women's black pants", "distressed", "relaxed"]),
    ]
    assert swap_pairs(ITEMS, "length")[1] == (["men's shorts", "relaxed", "red", "short"],
                                              ["men's shorts", "relaxed", "red", "capri"])  # not in "shorts"
    assert swap_pairs(ITEMS, "colour")[2] == (["men's shorts", "relaxed", "red"],
                                              ["men's shorts", "relaxed", "black"])  # a later colour step


def test_a_detail_swap_names_the_next_detail_the_item_does_not_have():
    assert swap_pairs(ITEMS, "details") == [
        (["men's navy jeans", "cargo pockets"], ["men's navy jeans", "cuffed"]),
        (["men's shorts", "relaxed", "red", "short", "cuffed"],
         ["men's shorts", "relaxed", "red", "short", "distressed"]),
        (["women's black pants", "distressed"], ["women's black pants", "cuffed"]),  # wraps, skips its own
    ]  # the first item names no detail


class WordSource:
    """Conditioning whose mean reads only whether the probe stream names ``word`` (sigma 0.5), like a
    title reader: the whole stream is one text."""

    def __init__(self, word: str) -> None:
        self.word, self.seen = word, []

    def conditioning(self, streams):
        self.seen += streams
        mu = torch.tensor([[1.0, 1.0] if self.word in " ".join(s).split() else [0.0, 0.0] for s in streams])
        return mu, torch.full_like(mu, 0.5)


def test_shift_is_per_dimension_rms_in_units_of_sigma_and_zero_for_unread_words():
    shifts = word_swap_metrics(WordSource("women's"), ITEMS, seed=0, rounds=20)["word_swap_shift"]
    assert set(shifts) == set(ATTRIBUTES)
    assert shifts["gender"]["mean"] == pytest.approx(2.0)  # |(1, 1)| / (sqrt(2) * 0.5)
    assert shifts["gender"]["n"] == 4
    assert shifts["type"]["mean"] == 0.0 and shifts["fit"]["mean"] == 0.0


def test_a_source_blind_to_fit_words_scores_zero_on_fit_and_one_reading_them_more():
    blind = word_swap_metrics(WordSource("women's"), ITEMS, seed=0, rounds=20)["word_swap_shift"]
    reading = WordSource("slim")
    seeing = word_swap_metrics(reading, ITEMS, seed=0, rounds=20)["word_swap_shift"]
    assert blind["fit"]["mean"] == pytest.approx(0.0) and blind["fit"]["n"] == 4
    assert seeing["fit"]["mean"] == pytest.approx(1.0)  # two of four pairs name "slim" on one side only
    assert seeing["details"]["mean"] == 0.0  # no detail probe stream reaches the fit step "slim"
    assert ["women's black pants", "petite", "slim"] in reading.seen  # the prefix, not the whole query


@pytest.mark.parametrize("name", ["stackgan-lstm", "stackgan-prefix"])  # a title and a query-stream reader
def test_models_of_both_readings_give_a_shift_for_their_refinement_words(name):
    items = [{"query": ["women's black pants", "petite", "slim"], "fit": "slim", "gender": "women's"},
             {"query": ["men's navy blue jeans", "skinny", "capri"], "fit": "skinny", "gender": "men's"}]
    shifts = word_swap_metrics(ModelSource(build_model(name)), items, seed=0, rounds=20)["word_swap_shift"]
    assert shifts["fit"]["n"] == 2 and shifts["fit"]["mean"] > 0.01
    assert shifts["gender"]["mean"] > 0.01 and shifts["length"]["mean"] is None  # no length named: no pairs
    assert all(e["mean"] is None or math.isfinite(e["mean"]) for e in shifts.values())


def test_a_source_without_conditioning_gets_no_value():
    class Photos:
        def conditioning(self, texts):
            return None

    shifts = word_swap_metrics(Photos(), ITEMS, seed=0, rounds=20)["word_swap_shift"]
    assert all(entry["mean"] is None for entry in shifts.values())

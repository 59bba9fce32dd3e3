"""The word-swap shift: pairs that change one attribute word, and the conditioning shift they cause."""

import pytest
import torch

from ganbench.eval.word_swap import swap_pairs, word_swap_metrics

ITEMS = [
    {"query": ["women's black pants", "petite"], "type": "pants", "gender": "women's", "colour": "black"},
    {"query": ["men's navy jeans"], "type": "jeans", "gender": "men's", "colour": "navy"},
    {"query": ["men's shorts", "red"], "type": "shorts", "gender": "men's", "colour": "red"},
]


def test_pairs_swap_the_named_value_for_the_next_one_as_whole_words():
    assert swap_pairs(ITEMS, "gender") == [("women's black pants", "men's black pants"),
                                           ("men's navy jeans", "women's navy jeans"),
                                           ("men's shorts", "women's shorts")]  # not inside "women's"
    assert swap_pairs(ITEMS, "type")[0] == ("women's black pants", "women's black shorts")  # sorted, next
    assert swap_pairs(ITEMS, "colour") == [("women's black pants", "women's navy pants"),
                                           ("men's navy jeans", "men's black jeans")]  # red: not in step 1
    assert swap_pairs(ITEMS[:1], "gender") == []  # one value: nothing to swap to


class GenderOnlySource:
    """Conditioning whose mean reads only the gender word (sigma 0.5 everywhere)."""

    def conditioning(self, texts):
        mu = torch.tensor([[1.0, 1.0] if "women's" in t[0] else [0.0, 0.0] for t in texts])
        return mu, torch.full_like(mu, 0.5)


def test_shift_is_per_dimension_rms_in_units_of_sigma_and_zero_for_unread_words():
    shifts = word_swap_metrics(GenderOnlySource(), ITEMS, seed=0, rounds=20)["word_swap_shift"]
    assert shifts["gender"]["mean"] == pytest.approx(2.0)  # |(1, 1)| / (sqrt(2) * 0.5)
    assert shifts["gender"]["n"] == 3
    assert shifts["type"]["mean"] == 0.0 and shifts["colour"]["mean"] == 0.0


def test_a_source_without_conditioning_gets_no_value():
    class Photos:
        def conditioning(self, texts):
            return None

    shifts = word_swap_metrics(Photos(), ITEMS, seed=0, rounds=20)["word_swap_shift"]
    assert all(entry["mean"] is None for entry in shifts.values())

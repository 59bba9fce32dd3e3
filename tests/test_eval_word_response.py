"""Per-word response on hand-made predictions: a source that always shows what the word asks scores 1, one
that never changes scores 0, words without an evaluation-network head are n/a with their movement kept."""

import numpy as np
import pytest
from _eval_helpers import FakeLookup

from ganbench.data.text import parse_attributes
from ganbench.eval.attributes import UNKNOWN, LabelSpace, parse_requests
from ganbench.eval.word_response import COLOUR_WORDS, word_index, word_response_metrics

SPACE = LabelSpace(classes={"type": ("pants", "shorts"), "colour": ("black", "navy", "red", "khaki"),
                            "length": ("capri", "full")}, lookup=FakeLookup())
STREAMS = [["women's pants", "navy", "petite", "capri"], ["men's red shorts", "capri"],
           ["women's black pants", "cargo pockets", "Petite"], ["men's khaki pants"]]
NOTHING = np.array([1, 0, 1])  # what an image shows where its words ask nothing: pants, black, full


def _metrics(predicted, pooled=None, refines=True):
    requests = parse_requests(STREAMS, SPACE, parse_attributes)
    predicted = np.asarray(predicted)
    pooled = np.zeros(predicted.shape[:2] + (4,), np.float32) if pooled is None else pooled
    return word_response_metrics(STREAMS, predicted, pooled, requests, SPACE.heads, seed=0, rounds=50,
                                 refines=refines, parse=parse_attributes)


def _following() -> np.ndarray:
    """Each image shows every class its words so far ask for (and NOTHING's class where they ask none)."""
    labels = parse_requests(STREAMS, SPACE, parse_attributes).labels
    return np.where(labels == UNKNOWN, NOTHING, labels)


def _static() -> np.ndarray:
    """Every step repeats the first step's image."""
    following = _following()
    return np.repeat(following[:, :1], following.shape[1], axis=1)


def test_words_are_the_steps_after_the_first_grouped_by_what_they_name():
    index, words = word_index(STREAMS, parse_attributes)
    assert words == ["capri", "petite", "cargo pockets", COLOUR_WORDS]  # length, size line, details, colour
    np.testing.assert_array_equal(index[0], [-1, 3, 1, 0])  # "navy" counts under any colour term
    np.testing.assert_array_equal(index[2], [-1, 2, 1, -1])  # "Petite" is "petite"
    np.testing.assert_array_equal(index[3], [-1, -1, -1, -1])


def test_a_source_that_always_shows_the_asked_class_responds_to_every_word_with_a_head():
    metrics = _metrics(_following())
    response = metrics["response_by_word"]
    assert response["capri"]["mean"] == 1.0 and response["capri"]["n"] == 2
    assert response["capri"]["steps"] == 2 and response["capri"]["head"] == "length"
    assert response[COLOUR_WORDS]["mean"] == 1.0 and response[COLOUR_WORDS]["head"] == "colour"


def test_a_source_that_never_changes_scores_zero_and_does_not_move():
    metrics = _metrics(_static())
    response, movement = metrics["response_by_word"], metrics["step_distance_by_word"]
    assert response["capri"]["mean"] == 0.0 and response["capri"]["n"] == 2
    assert response[COLOUR_WORDS]["mean"] == 0.0 and response[COLOUR_WORDS]["n"] == 1
    assert all(entry["mean"] == 0.0 for entry in movement.values())


def test_words_without_a_head_are_not_applicable_but_their_movement_is_measured():
    pooled = np.zeros((4, 4, 4), np.float32)
    pooled[0, 2, 0] = 3.0  # "petite" of stream 0 moves by 3 (and "capri" after it by 3 back)
    metrics = _metrics(_following(), pooled)
    petite = metrics["response_by_word"]["petite"]
    assert petite["mean"] is None and petite["n"] == 0 and petite["steps"] == 2 and petite["head"] is None
    moved = metrics["step_distance_by_word"]["petite"]
    assert moved["mean"] == pytest.approx(1.5) and moved["n"] == 2  # 3 and 0 over its two steps
    assert metrics["step_distance_by_word"]["cargo pockets"]["mean"] == 0.0


def test_a_step_whose_previous_image_already_showed_the_class_is_not_scored():
    predicted = _following()
    predicted[1, 0, 2] = 0  # stream 1 already shows "capri" before the word: not a response
    capri = _metrics(predicted)["response_by_word"]["capri"]
    assert capri["n"] == 1 and capri["steps"] == 2 and capri["mean"] == 1.0


def test_a_source_that_draws_no_refinement_gets_every_word_undefined():
    metrics = _metrics(_following(), refines=False)
    assert set(metrics["response_by_word"]) == {"capri", "petite", "cargo pockets", COLOUR_WORDS}
    assert all(e["mean"] is None and e["n"] == 0 for table in metrics.values() for e in table.values())
    assert metrics["response_by_word"]["capri"]["head"] == "length"

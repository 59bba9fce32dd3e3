"""Query parsing, attribute accuracy, refinement retention and retrieval on hand-made predictions."""

import numpy as np
import pytest
import torch
from _asserts import raises_naming
from _eval_helpers import FakeLookup

from ganbench.data.text import parse_attributes
from ganbench.eval.accuracy import attribute_accuracy, majority_rate
from ganbench.eval.attributes import LabelSpace, parse_requests
from ganbench.eval.retention import refinement_metrics
from ganbench.eval.retrieval import nearest_products, precision_at_k

SPACE = LabelSpace(
    classes={
        "type": ("pants", "shorts"),
        "colour": ("black", "navy", "red", "khaki"),
        "length": ("capri", "full"),
    },
    lookup=FakeLookup(),
)
STREAMS = [["women's navy pants", "petite", "capri"], ["men's red shorts"], ["black pants", "capri"]]


def test_requests_follow_the_growing_query():
    requests = parse_requests(STREAMS, SPACE, parse_attributes)
    assert requests.labels.shape == (3, 3, 3)
    np.testing.assert_array_equal(requests.labels[0], [[0, 1, -1], [0, 1, -1], [0, 1, 0]])
    np.testing.assert_array_equal(requests.touched[0, 1], [False, False, False])  # "petite": no head
    np.testing.assert_array_equal(requests.touched[0, 2], [False, False, True])  # "capri": length
    np.testing.assert_array_equal(requests.final_labels(), [[0, 1, 0], [1, 2, -1], [0, 0, 0]])
    assert requests.colour_terms == ["navy", "red", "black"]
    np.testing.assert_array_equal(requests.n_steps, [3, 1, 2])


def test_an_empty_stream_is_refused():
    with raises_naming(ValueError, "stream", [1]):
        parse_requests([["pants"], []], SPACE, parse_attributes)


def test_attribute_accuracy_scores_only_what_the_query_asks():
    requested = np.array([[0, 1, -1], [1, 2, -1], [0, 0, 0]])
    predicted = np.array([[0, 1, 1], [0, 2, 1], [0, 3, 0]])
    accuracy = attribute_accuracy(predicted, requested, SPACE.heads, seed=0)
    assert accuracy["type"]["mean"] == pytest.approx(2 / 3) and accuracy["type"]["n"] == 3
    assert accuracy["colour"]["mean"] == pytest.approx(2 / 3)
    assert accuracy["length"]["mean"] == 1.0 and accuracy["length"]["n"] == 1


def _refinement(predicted, pooled=None):
    requests = parse_requests(STREAMS, SPACE, parse_attributes)
    pooled = np.zeros((3, 3, 4), np.float32) if pooled is None else pooled
    return refinement_metrics(np.asarray(predicted), pooled, requests, SPACE.heads, seed=0)


def test_retention_is_one_for_an_image_that_never_changes():
    predicted = [[[0, 1, 1]] * 3, [[1, 2, 0]] * 3, [[0, 0, 1]] * 3]
    metrics = _refinement(predicted)
    assert metrics["retention_rate"]["mean"] == 1.0
    # observations: stream 0 steps 2,3 -> 3 + 2 untouched heads; stream 2 step 2 -> 2
    assert metrics["retention_rate"]["n"] == 7
    assert metrics["step_feature_distance"]["mean"] == 0.0 and metrics["step_feature_distance"]["n"] == 3
    # the two "capri" steps ask for length 0 ("capri"); the unchanged images still show class 1
    assert metrics["response_rate"]["mean"] == 0.0 and metrics["response_rate"]["n"] == 2
    assert metrics["refinement_score"]["mean"] == 0.0  # retention 1, response 0


def test_a_static_image_that_already_shows_the_request_does_not_respond():
    # every image shows length 0 ("capri") from the start: the old rate counted both capri steps as hits
    predicted = [[[0, 1, 0]] * 3, [[1, 2, 0]] * 3, [[0, 0, 0]] * 3]
    metrics = _refinement(predicted)
    assert metrics["response_rate_raw"]["mean"] == 1.0 and metrics["response_rate_raw"]["n"] == 2
    # no step qualifies (the previous image already showed "capri"): undefined, not 0 or 1
    assert metrics["response_rate"]["mean"] is None and metrics["response_rate"]["n"] == 0
    assert metrics["refinement_score"]["mean"] is None
    assert metrics["response_by_attribute"]["length"]["mean"] is None


def test_retention_and_response_of_a_model_that_follows_the_words():
    predicted = [[[0, 1, 1], [0, 1, 1], [0, 1, 0]], [[1, 2, 0]] * 3, [[0, 0, 1], [1, 0, 0], [0, 0, 0]]]
    pooled = np.zeros((3, 3, 4), np.float32)
    pooled[0, 2, 0] = 3.0  # stream 0 moves by 3 at its last step
    pooled[2, 1, 1] = 4.0  # stream 2 moves by 4 at its second step
    metrics = _refinement(predicted, pooled)
    assert metrics["response_rate"]["mean"] == 1.0 and metrics["response_rate"]["n"] == 2
    assert metrics["retention_rate"]["mean"] == pytest.approx(6 / 7)  # stream 2 lost its type
    assert metrics["refinement_score"]["mean"] == pytest.approx(2 * (6 / 7) / (1 + 6 / 7))
    assert metrics["retention_by_attribute"]["type"]["mean"] == pytest.approx(2 / 3)
    assert metrics["step_feature_distance"]["mean"] == pytest.approx(7 / 3)
    assert metrics["step_feature_distance"]["std"] > 0


def test_single_step_streams_give_no_refinement_metric():
    requests = parse_requests([["men's red shorts"], ["black pants"]], SPACE, parse_attributes)
    metrics = refinement_metrics(np.zeros((2, 1, 3), int), np.zeros((2, 1, 4)), requests, SPACE.heads, seed=0)
    assert metrics["retention_rate"]["mean"] is None and metrics["retention_rate"]["n"] == 0
    assert metrics["refinement_score"]["mean"] is None and metrics["response_rate"]["mean"] is None


def test_precision_at_k_counts_products_that_share_the_requested_attributes():
    gallery = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    labels = np.array([[0, 1, -1], [1, 1, -1], [0, 2, -1], [0, 2, -1]])
    queries = torch.tensor([[1.0, 0.05], [0.05, 1.0], [1.0, 0.0]])
    requested = np.array([[0, 1, -1], [0, 2, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(nearest_products(queries, gallery, 2)[:2], [[0, 1], [2, 3]])
    entries = precision_at_k(queries, gallery, labels, requested, k=2, seed=0)
    raw, normalised = entries["precision_at_k_raw"], entries["precision_at_k"]
    assert raw["mean"] == pytest.approx((0.5 + 1.0) / 2) and raw["n"] == 2  # the third asks nothing
    # the first query has a single relevant product in the gallery and finds it: 1 / min(k, 1)
    assert normalised["mean"] == 1.0 and normalised["n"] == 2


def test_precision_at_k_never_retrieves_the_query_s_own_product():
    gallery = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    labels = np.array([[0, 1, -1], [1, 1, -1], [0, 2, -1], [0, 2, -1]])
    queries, requested = torch.tensor([[0.05, 1.0]]), np.array([[0, 2, -1]])
    np.testing.assert_array_equal(nearest_products(queries, gallery, 2, exclude=np.array([2])), [[3, 1]])
    entries = precision_at_k(queries, gallery, labels, requested, k=2, seed=0, exclude=np.array([2]))
    assert entries["precision_at_k_raw"]["mean"] == 0.5  # product 2 would have been the second hit
    assert entries["precision_at_k"]["mean"] == 1.0  # the one relevant product left was found


def test_k_larger_than_the_gallery_is_refused():
    with pytest.raises(ValueError, match="gallery size"):
        nearest_products(torch.zeros(1, 2), torch.ones(3, 2), 4)


def test_majority_rate_is_the_share_of_the_most_requested_class_among_asking_streams():
    requested = np.array([[0, 1, -1], [1, 1, -1], [0, 2, 0], [0, -1, 1]])
    rate = majority_rate(requested, SPACE.classes)
    assert rate["type"]["mean"] == pytest.approx(3 / 4) and rate["type"]["class"] == "pants"
    assert rate["colour"]["mean"] == pytest.approx(2 / 3) and rate["colour"]["class"] == "navy"
    assert rate["colour"]["n"] == 3 and rate["colour"]["spread"] == "exact"
    assert rate["length"]["mean"] == pytest.approx(1 / 2)


def test_majority_rate_of_an_unasked_head_is_none_and_a_wrong_shape_is_refused():
    requested = np.array([[0, 1, -1], [1, 1, -1]])
    assert majority_rate(requested, SPACE.classes)["length"] == {
        "mean": None, "std": None, "n": 0, "spread": "exact", "class": None}
    with pytest.raises(ValueError, match="must be"):
        majority_rate(requested[:, :2], SPACE.classes)

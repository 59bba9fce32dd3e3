"""Diversity metrics on arrays of known geometry: per-query spread, real groups, pixel differences,
improved precision / recall and intra-FID."""

import numpy as np
import pytest
import torch
import torch_fidelity
from _eval_helpers import random_images

from ganbench.eval.evalnet import AttributeClassifier, EvalNetOptions, save_eval_net
from ganbench.eval.extractor import CLASSIFIER_EXTRACTOR, POOLED, classifier_extractor, register_extractors
from ganbench.eval.features import ImageTensorDataset, extract_features
from ganbench.eval.fid import fid_entry, fid_statistics
from ganbench.eval.intra_fid import intra_fid
from ganbench.eval.precision_recall import PRECISION, RECALL, precision_recall
from ganbench.eval.query_diversity import (
    RealGroups,
    diversity_ratio,
    mean_pairwise_distance,
    mean_pixel_difference,
    pair_pixel_entry,
    real_pixel_difference,
)

HEADS = ["type", "gender", "colour", "fit", "length"]


def test_identical_draws_have_no_spread_and_known_points_their_mean_distance():
    assert mean_pairwise_distance(np.ones((4, 8))) == 0.0
    assert mean_pairwise_distance(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])) == pytest.approx(20 / 3)
    assert np.isnan(mean_pairwise_distance(np.zeros((1, 3))))
    same = torch.full((3, 3, 4, 4), 7, dtype=torch.uint8)
    assert mean_pixel_difference(same) == 0.0
    black_white = torch.stack([torch.zeros(3, 4, 4), torch.full((3, 4, 4), 255.0)]).to(torch.uint8)
    assert mean_pixel_difference(black_white) == pytest.approx(1.0)
    # three images 0, 51, 255: pairs differ by 51, 255 and 204 (of 255)
    three = torch.stack([torch.full((3, 2, 2), v) for v in (0, 51, 255)]).to(torch.uint8)
    assert mean_pixel_difference(three) == pytest.approx((51 + 255 + 204) / 3 / 255)


def test_diversity_is_the_ratio_of_mean_spreads_over_the_scored_queries():
    entry = diversity_ratio(np.array([1.0, 2.0, 5.0, np.nan]), np.array([1.0, 4.0, 0.0, 1.0]), seed=0,
                            rounds=50)
    # (1 + 2) / (1 + 4), not the mean of the ratios (0.75); zero and NaN spreads are left out
    assert entry["mean"] == pytest.approx(0.6) and entry["n"] == 2
    assert entry["spread"] == "bootstrap" and entry["std"] > 0
    assert diversity_ratio(np.zeros(3), np.ones(3), 0, 10)["mean"] == 0.0
    assert diversity_ratio(np.array([np.nan]), np.ones(1), 0, 10) == {"mean": None, "std": None, "n": 0,
                                                                      "spread": "bootstrap"}


def _pool() -> tuple[np.ndarray, np.ndarray]:
    """Labels (type, gender, colour, fit, length) and 1-d features of six train photos."""
    labels = np.array([[0, 0, 0, 0, 0],   # the only photo with length 0
                       [0, 0, 0, 0, 1],
                       [0, 0, 0, 0, 1],
                       [0, 0, 1, 1, 1],
                       [1, 1, 2, 2, 2],
                       [1, 1, 2, 2, 2]])  # the last two are identical photos: no spread
    features = np.array([[0.0], [1.0], [3.0], [10.0], [5.0], [5.0]])
    return labels, features


def test_a_real_group_backs_off_from_length_to_type_until_it_has_two_photos_with_a_spread():
    labels, features = _pool()
    groups = RealGroups(labels, features, HEADS, seed=0)
    full = groups.group(np.array([0, 0, 0, 0, 1]))
    assert full.key == ((0, 0), (1, 0), (2, 0), (3, 0), (4, 1)) and list(full.members) == [1, 2]
    assert full.spread == pytest.approx(2.0)
    lone = groups.group(np.array([0, 0, 0, 0, 0]))  # one photo of length 0: drop length, then 3 photos
    assert lone.key == ((0, 0), (1, 0), (2, 0), (3, 0)) and list(lone.members) == [0, 1, 2]
    unasked = groups.group(np.array([0, -1, -1, -1, -1]))  # only the type is asked: only it constrains
    assert unasked.key == ((0, 0),) and list(unasked.members) == [0, 1, 2, 3]
    identical = groups.group(np.array([1, 1, 2, 2, 2]))  # two identical photos down to type 1: whole pool
    assert identical.key == () and len(identical.members) == 6


def test_real_pixel_pairs_share_every_label_and_none_come_without_such_a_pair():
    labels, _ = _pool()
    pairs = real_pixel_difference(labels, seed=0, max_pairs=40)
    assert pairs.shape == (40, 2) and (pairs[:, 0] != pairs[:, 1]).all()
    assert (labels[pairs[:, 0]] == labels[pairs[:, 1]]).all()
    assert real_pixel_difference(np.eye(3, dtype=np.int64), seed=0).shape == (0, 2)
    first = torch.zeros(2, 3, 2, 2, dtype=torch.uint8)
    second = torch.full((2, 3, 2, 2), 51, dtype=torch.uint8)
    assert pair_pixel_entry(first, second, 0, 10)["mean"] == pytest.approx(0.2)


def _cloud(n: int, centre: float, seed: int) -> torch.Tensor:
    return centre + torch.from_numpy(np.random.default_rng(seed).normal(size=(n, 2))).float()


def test_precision_and_recall_of_known_geometry():
    real = _cloud(200, 0.0, 0)
    same = precision_recall(_cloud(200, 0.0, 1), real, k=3, seed=0)
    assert same[PRECISION]["mean"] > 0.8 and same[RECALL]["mean"] > 0.8
    collapsed = precision_recall(torch.full((200, 2), 0.05), real, k=3, seed=0)  # one point, real-looking
    assert collapsed[PRECISION]["mean"] == 1.0 and collapsed[RECALL]["mean"] < 0.02
    far = precision_recall(_cloud(200, 50.0, 2), real, k=3, seed=0)
    assert far[PRECISION]["mean"] == 0.0 and far[RECALL]["mean"] == 0.0
    assert same[PRECISION]["n"] == 200 and same[PRECISION]["std"] is None  # equal sizes: one round
    assert same[PRECISION]["spread"] == "subsets"


def test_precision_and_recall_compare_equal_sizes_and_need_more_than_k_images():
    real = _cloud(500, 0.0, 0)
    entries = precision_recall(_cloud(100, 0.0, 1), real, k=3, seed=0)
    assert entries[RECALL]["n"] == 100 and entries[RECALL]["std"] is not None  # 10 subsets of 100 real
    assert 0.6 < entries[RECALL]["mean"] < 1.0
    tiny = precision_recall(_cloud(3, 0.0, 1), real, k=3, seed=0)
    assert tiny[PRECISION] == {"mean": None, "std": None, "n": 3, "spread": "subsets"}


def test_precision_and_recall_take_one_pass_per_round_at_the_size_of_a_pass():
    passes = [_cloud(100, 0.0, 1), _cloud(100, 50.0, 2)]  # one pass like the real images, one far away
    entries = precision_recall(passes, _cloud(300, 0.0, 0), k=3, seed=0, rounds=4)
    assert entries[PRECISION]["n"] == 100
    # rounds alternate: ~0.9 on the first pass, 0 on the second
    assert entries[PRECISION]["mean"] == pytest.approx(0.45, abs=0.08) and entries[PRECISION]["std"] > 0.35


def test_intra_fid_scores_each_type_against_its_own_real_images():
    generated = torch.cat([_cloud(150, 0.0, 1), _cloud(150, 3.0, 2)]).double()
    real = torch.cat([_cloud(150, 0.0, 3), _cloud(150, 0.0, 4)]).double()
    asked, truth = np.repeat([0, 1], 150), np.repeat([0, 1], 150)
    metrics, counts = intra_fid(generated, asked, real, truth, ("pants", "shorts"), seed=0)
    per_type = metrics["intra_fid"]
    assert per_type["pants"]["mean"] < 0.3 < 10 < per_type["shorts"]["mean"]  # shorts drawn 3 sigma away
    expected = fid_entry(generated[:150], fid_statistics(real[:150]), 0)
    assert per_type["pants"] == expected  # the pooled FID's own code, per class
    assert metrics["intra_fid_mean"]["mean"] == pytest.approx((per_type["pants"]["mean"]
                                                                + per_type["shorts"]["mean"]) / 2)
    assert counts == {"pants": {"generated": 150, "reference": 150}, "shorts": {"generated": 150,
                                                                                "reference": 150}}
    missing, _ = intra_fid(generated, asked, real, truth, ("pants", "shorts", "jeans"), seed=0)
    assert missing["intra_fid"]["jeans"]["mean"] is None and missing["intra_fid_mean"]["mean"] is None


def test_torch_fidelity_prc_through_our_registered_extractor_gives_our_numbers(tmp_path):
    """calculate_metrics(prc=True) on images with the classifier named: no VGG16 is asked for (there is
    no network here), and the feature-level call on the same features agrees exactly."""
    torch.manual_seed(0)
    model = AttributeClassifier({"type": ["jeans", "pants"]}, image_size=16, width=4).eval()
    net = save_eval_net(model, EvalNetOptions(image_size=16, width=4), "k", tmp_path / "net", {}, {})
    register_extractors()
    fake, real = random_images(40, 16, seed=1), random_images(40, 16, seed=2)
    theirs = torch_fidelity.calculate_metrics(
        input1=ImageTensorDataset(fake), input2=ImageTensorDataset(real), prc=True,
        feature_extractor=CLASSIFIER_EXTRACTOR, feature_extractor_weights_path=str(net.path), cuda=False,
        cache=False, verbose=False, save_cpu_ram=True, prc_neighborhood=3)
    extractor = classifier_extractor(net, [POOLED])
    features = [extract_features(images, extractor)[POOLED] for images in (fake, real)]
    ours = precision_recall(*features, k=3, seed=0)
    assert ours[PRECISION]["mean"] == pytest.approx(theirs[torch_fidelity.KEY_METRIC_PRECISION])
    assert ours[RECALL]["mean"] == pytest.approx(theirs[torch_fidelity.KEY_METRIC_RECALL])

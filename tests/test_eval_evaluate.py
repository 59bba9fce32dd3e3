"""A whole evaluation on a tiny drawn catalog with fake models, and the real-feature cache."""

import json

import numpy as np
import pytest
import torch
from _asserts import names_all, raises_naming
from _eval_helpers import (
    FakeCatalog,
    FakeLookup,
    FakeModel,
    make_inception_weights,
    one_thread,  # noqa: F401  (autouse fixture)
)

from ganbench.config import EvalConfig, EvalNetOptions, SecondNetOptions
from ganbench.eval.colour import colour_differences, term_labs
from ganbench.eval.evalnet_train import ensure_eval_net
from ganbench.eval.evaluate import evaluate_model, write_metrics
from ganbench.eval.extractor import POOLED, classifier_extractor
from ganbench.eval.features import cached_real_features
from ganbench.eval.summary import format_summary

NAMES = (
    "is_type",
    "is_colour",
    "is_gender",
    "fid",
    "kid",
    "colour_de00_mean",
    "colour_de00_median",
    "colour_de00_within_5",
    "colour_de00_within_10",
    "retention_rate",
    "response_rate",
    "response_rate_raw",
    "refinement_score",
    "step_feature_distance",
    "precision_at_k",
    "precision_at_k_raw",
    "query_diversity",
    "seed_pixel_difference",
    "real_pixel_difference",
    "improved_precision",
    "improved_recall",
    "intra_fid_mean",
)
SETTINGS = EvalConfig(
    n_samples=32,  # two whole passes over the 16 test streams
    seed=3,
    k=3,
    batch_size=8,
    bootstrap_rounds=20,
    net=EvalNetOptions(image_size=16, width=4, epochs=15, patience=15, batch_size=16),  # all 15 epochs
    net2=SecondNetOptions(image_size=16, width=4, epochs=6, patience=2, batch_size=8),
)


@pytest.fixture
def catalog(tmp_path):
    return FakeCatalog(tmp_path / "catalog", n=64)


def _without_timing(metrics):
    return {k: v for k, v in metrics.items() if k not in ("timing", "provenance")}  # when and where it ran


def test_evaluation_reports_every_named_metric_with_its_spread(catalog, tmp_path):
    metrics = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=lambda _: None)
    for name in NAMES:
        entry = metrics[name]
        assert set(entry) == {"mean", "std", "n", "spread"}, name
        assert entry["mean"] is not None, name
    assert set(metrics["attribute_accuracy"]) == {"type", "gender", "colour"}
    assert metrics["n_samples"] == 32 and metrics["seed"] == 3
    assert metrics["streams"] == {"test_streams": 16, "passes": 2, "n_samples_requested": 32}
    assert metrics["reference"]["set"] == "train" and metrics["reference"]["n_images"] == 42
    assert metrics["settings"]["is_splits"] == 1  # 32 images: one split, never splits under 50
    assert set(metrics["versions"]) >= {"ganbench", "torch", "torch-fidelity"}
    assert metrics["catalog"]["hash"] == catalog.hash and metrics["fid_features"] == "ganbench-attributes"
    assert metrics["is_type"]["spread"] == "isc_splits" and metrics["kid"]["spread"] == "kid_subsets"
    assert metrics["fid"]["spread"] == "bootstrap"
    # the fake model draws exactly what is asked, in the catalog's own colours
    assert metrics["colour_de00_mean"]["mean"] < 3 and metrics["colour_de00_within_5"]["mean"] == 1.0
    assert metrics["attribute_accuracy"]["type"]["mean"] >= 0.9
    words = metrics["response_by_word"]  # "petite" has no head; later colour steps pool under one row
    assert list(words) == list(metrics["step_distance_by_word"]) == ["petite", "any colour term"]
    assert words["petite"]["mean"] is None and words["petite"]["steps"] == 32
    assert words["any colour term"]["head"] == "colour" and words["any colour term"]["n"] > 0
    out = write_metrics(metrics, tmp_path / "out" / "metrics.json")
    assert json.loads(out.read_text())["is_type"] == metrics["is_type"]
    assert "attribute_accuracy.colour" in format_summary(metrics)


def test_the_report_reads_every_metric_with_its_spread(catalog):
    from ganbench.report.results import split_metrics

    metrics = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=lambda _: None)
    entries, extras = split_metrics(metrics)
    assert set(NAMES) <= set(entries)
    nested = {"attribute_accuracy.type", "retention_by_attribute.colour", "colour_de00_by_cluster.red",
              "majority_rate.type", "word_swap_shift.type", "intra_fid.pants"}
    assert nested <= set(entries)
    assert all(spread in ("isc_splits", "kid_subsets", "bootstrap", "subsets") for name, (_, _, _, spread)
               in entries.items() if not name.startswith("majority_rate."))
    assert entries["majority_rate.type"][3] == "exact"  # a count over the test queries: no spread
    assert extras["fid_features"] == "ganbench-attributes" and "versions" in extras and "timing" in extras


def test_the_same_checkpoint_and_seed_give_identical_metrics(catalog):
    first = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=lambda _: None)
    second = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=lambda _: None)
    assert _without_timing(first) == _without_timing(second)


def test_a_model_that_never_changes_the_image_retains_everything_but_scores_no_refinement(catalog):
    metrics = evaluate_model(
        FakeModel(size=16, static=True), catalog, FakeLookup(), SETTINGS, log=lambda _: None
    )
    assert metrics["retention_rate"]["mean"] == 1.0 and metrics["retention_rate"]["n"] > 0
    assert metrics["step_feature_distance"]["mean"] == 0.0
    assert metrics["response_rate"]["mean"] == 0.0 and metrics["refinement_score"]["mean"] == 0.0
    assert metrics["response_by_word"]["any colour term"]["mean"] == 0.0
    assert metrics["step_distance_by_word"]["petite"]["mean"] == 0.0


def test_n_samples_is_rounded_to_whole_passes_over_the_test_streams(catalog):
    from ganbench.eval.generation import evaluation_streams

    streams = evaluation_streams(catalog, 40)  # 16 test streams: 40 / 16 = 2.5 -> 3 passes (halves up)
    assert len(streams) == 48 and streams.passes == 3
    assert evaluation_streams(catalog, 20).passes == 1 and evaluation_streams(catalog, 60).passes == 4
    counts = np.unique(evaluation_streams(catalog, 60).items, return_counts=True)[1]
    assert set(counts) == {4}  # every test query counted equally
    assert names_all(evaluation_streams(catalog, 20).describe(), "n_samples 20", "passes")


def test_generated_images_far_from_the_catalog_have_a_larger_fid(catalog):
    class Noise(FakeModel):
        def generate(self, query_streams, seed):
            g = torch.Generator().manual_seed(seed)
            return [
                torch.randint(0, 256, (len(s), 3, 16, 16), dtype=torch.uint8, generator=g)
                for s in query_streams
            ]

    settings = SETTINGS.model_copy(update=dict(fid_samples=32))  # all 32 drawn images: 16 are fewer than
    # the 32 feature dimensions, and that FID's bias would swamp the difference
    faithful = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), settings, log=lambda _: None)
    noise = evaluate_model(Noise(size=16), catalog, FakeLookup(), settings, log=lambda _: None)
    assert noise["fid"]["mean"] > 4 * faithful["fid"]["mean"]  # 10.8 vs 2.4 with the cosine-trained net
    assert noise["second_fid"]["mean"] > faithful["second_fid"]["mean"]  # a 5-photo net: a weaker judge
    assert noise["precision_at_k"]["mean"] < faithful["precision_at_k"]["mean"]


def test_colour_fidelity_is_near_zero_for_catalog_images_against_their_own_colours(catalog):
    images = torch.from_numpy(catalog.images(32)).permute(0, 3, 1, 2)
    own = colour_differences(images, [it["colour"] for it in catalog.items], term_labs(FakeLookup()))
    shuffled = [catalog.items[(i + 4) % len(catalog.items)]["colour"] for i in range(len(catalog.items))]
    other = colour_differences(images, shuffled, term_labs(FakeLookup()))
    assert np.nanmax(own) < 2.0
    assert np.nanmean(other) > 20


def test_real_features_are_cached_and_invalidated_when_the_catalog_changes(catalog):
    net = ensure_eval_net(catalog, FakeLookup(), SETTINGS.net, log=lambda _: None)
    extractor = classifier_extractor(net, [POOLED])
    cache, logged = catalog.root / "cache", []
    indices = catalog.indices("test")

    def features():
        return cached_real_features(
            catalog, "test", indices, 16, extractor, net.weights_hash, cache, log=logged.append
        )

    first = features()
    again = features()
    assert "reusing" in logged[-1] and torch.equal(first[POOLED], again[POOLED])
    catalog.repaint(int(indices[0]), "red" if catalog.items[int(indices[0])]["colour"] != "red" else "navy")
    changed = features()
    assert "extracting" in logged[-1] and len(list(cache.glob("real_test_*.pt"))) == 2
    assert not torch.equal(first[POOLED][0], changed[POOLED][0])


def test_fid_and_kid_switch_to_inception_with_a_weights_file(tmp_path):
    catalog = FakeCatalog(tmp_path / "small", n=12)  # 3 test items
    weights = make_inception_weights(tmp_path / "inception.pth")
    settings = EvalConfig(
        n_samples=3,
        seed=0,
        k=2,
        inception_weights=str(weights),
        inception_feature="64",  # stops the network early: a fast test
        bootstrap_rounds=5,
        net=EvalNetOptions(image_size=16, width=4, epochs=1, batch_size=16),
        net2=SecondNetOptions(image_size=16, width=4, epochs=6, patience=2, batch_size=8),
    )
    metrics = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), settings, log=lambda _: None)
    assert metrics["fid_features"] == "inception-v3-compat:64"
    assert metrics["fid"]["n"] == 3 and np.isfinite(metrics["fid"]["mean"])
    assert metrics["second_fid"]["n"] == 3 and np.isfinite(metrics["second_fid"]["mean"])  # its own features


def test_too_few_samples_is_a_clear_error(catalog):
    with pytest.raises(ValueError, match="n_samples"):  # refused where the settings are built
        EvalConfig(n_samples=1, net=SETTINGS.net)
    settings = EvalConfig.model_construct(n_samples=1, net=SETTINGS.net)  # and by evaluation itself
    with pytest.raises(ValueError, match="at least 2"):
        evaluate_model(FakeModel(size=16), catalog, FakeLookup(), settings, log=lambda _: None)


def test_a_model_returning_the_wrong_shape_is_named(catalog):
    class Wrong(FakeModel):
        def generate(self, query_streams, seed):
            return [torch.zeros(1, 3, 16, 16) for _ in query_streams]

    with raises_naming(ValueError, "model.generate", "uint8"):
        evaluate_model(Wrong(size=16), catalog, FakeLookup(), SETTINGS, log=lambda _: None)


def test_the_summary_says_when_n_samples_was_rounded_and_repeats_warnings():
    metrics = {"n_samples": 180, "seed": 0, "fid_features": "ganbench-attributes",
               "streams": {"test_streams": 60, "passes": 3, "n_samples_requested": 200},
               "reference": {"set": "train", "n_images": 480, "note": "each drawn photo once"},
               "warnings": ["the generated set has 60 images in 128-d features"],
               "refinement_score": {"mean": None, "std": None, "n": 0, "spread": "bootstrap"}}
    lines = format_summary(metrics).splitlines()
    assert any(line.startswith("refinement_score") and "n/a" in line for line in lines)
    assert "against 480 train images" in lines[-4]
    assert lines[-3] == ("(n_samples 200 rounded to 180: whole passes over the 60 test streams, so every "
                         "query counts equally)")
    assert lines[-2:] == ["(reference: each drawn photo once)",
                          "warning: the generated set has 60 images in 128-d features"]

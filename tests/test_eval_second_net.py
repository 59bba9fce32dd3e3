"""The second, independent evaluation network and FID at an equal sample size (issue 19)."""

import json

import numpy as np
import pytest
import torch
from _asserts import raises_naming
from _eval_helpers import (
    FakeCatalog,
    FakeLookup,
    FakeModel,
    one_thread,  # noqa: F401  (autouse fixture)
)

from ganbench.config import ConfigError, EvalConfig, EvalNetOptions, SecondNetOptions
from ganbench.config.loader import load_section
from ganbench.eval.calibration import evaluate_baseline
from ganbench.eval.directions import HIGHER, LOWER, direction
from ganbench.eval.evalnet import REPORT_FILE
from ganbench.eval.evalnet2 import ResidualClassifier, ensure_second_net, split_val
from ganbench.eval.evaluate import METRICS_FORMAT, evaluate_model
from ganbench.eval.fid import equal_n_fid_entry, fid_statistics, fid_subsets, frechet_distance
from ganbench.report.results import split_metrics

SECOND = ("second_is_type", "second_is_colour", "second_is_gender", "second_fid", "second_kid")
SETTINGS = EvalConfig(
    n_samples=32,  # two whole passes over the 16 test streams
    seed=3, k=3, batch_size=8, bootstrap_rounds=10,
    net=EvalNetOptions(image_size=16, width=4, epochs=15, batch_size=16),
    net2=SecondNetOptions(image_size=16, width=4, epochs=12, patience=3, batch_size=8),
)


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """One catalog, a model row and the real-images row (each evaluation trains nothing twice)."""
    torch.set_num_threads(1)
    catalog = FakeCatalog(tmp_path_factory.mktemp("second") / "catalog", n=64)
    model = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=quiet)
    real = evaluate_baseline("real", catalog, FakeLookup(), SETTINGS, image_size=16, log=quiet)
    return catalog, model, real


def test_the_second_net_adds_its_metrics_with_sane_values(evaluated):
    catalog, metrics, _ = evaluated
    assert metrics["format"] == METRICS_FORMAT == "ganbench-metrics/3"
    for name in SECOND:
        assert set(metrics[name]) == {"mean", "std", "n", "spread"}, name
        assert metrics[name]["mean"] is not None, name
    assert 1.0 <= metrics["second_is_type"]["mean"] <= 2.0 + 1e-6  # two type classes
    assert 1.0 <= metrics["second_is_colour"]["mean"] <= 4.0 + 1e-6
    assert metrics["second_fid"]["mean"] >= 0 and metrics["second_fid"]["n"] == metrics["fid"]["n"] == 16
    assert metrics["second_kid"]["n"] == metrics["kid"]["n"] == 32  # KID: every drawn image
    provenance = metrics["second_eval_net"]
    assert provenance["heads"] == metrics["eval_net"]["heads"] == ["type", "gender", "colour"]
    assert set(provenance["test_accuracy"]) == set(provenance["heads"])
    assert provenance["train_split"] == "val (80%; 20% held out for stopping)"
    assert provenance["key"] != metrics["eval_net"]["key"]
    assert provenance["weights_hash"] != metrics["eval_net"]["weights_hash"]


def test_the_second_net_trains_only_on_val_items(evaluated):
    catalog, metrics, _ = evaluated
    report = json.loads((catalog.root / "eval_net" / f"net2-{metrics['second_eval_net']['key']}"
                         / REPORT_FILE).read_text())
    trained, held = set(report["train_items"]), set(report["holdout_items"])
    assert trained | held == set(catalog.indices("val").tolist()) and not trained & held
    assert len(held) == round(0.2 * len(catalog.indices("val")))  # 6 val items: 1 held out
    assert report["split"] == "test" and report["n_images"] == len(catalog.indices("test"))
    assert 1 <= report["training"]["epochs_run"] <= 12


def test_calibration_rows_get_the_second_net_metrics(evaluated):
    _, model, real = evaluated
    assert all(real[name]["mean"] is not None for name in SECOND)
    assert real["second_eval_net"] == model["second_eval_net"]  # the same stored net judges both rows


def test_fid_uses_the_same_n_for_a_model_and_the_real_row(evaluated):
    _, model, real = evaluated
    assert model["settings"]["fid_samples"] == real["settings"]["fid_samples"] == 16  # one per test stream
    assert model["settings"]["fid_subsets"] == 2 and real["settings"]["fid_subsets"] == 1
    assert model["fid"]["n"] == real["fid"]["n"] == real["second_fid"]["n"] == 16
    assert not any("fid_samples" in w for w in model["warnings"] + real["warnings"])


def test_the_report_reads_the_second_net_as_metrics_and_its_provenance_as_an_extra(evaluated):
    entries, extras = split_metrics(evaluated[1])
    assert set(SECOND) <= set(entries) and "second_eval_net" in extras
    assert not any(name.startswith("second_eval_net") for name in entries)
    old, _ = split_metrics({k: v for k, v in evaluated[1].items() if not k.startswith("second_")})
    assert "fid" in old and not any(name.startswith("second_") for name in old)  # a /2 file still reads


def test_directions_of_the_second_net_metrics():
    assert all(direction(f"second_is_{h}") == HIGHER for h in ("type", "colour", "gender"))
    assert direction("second_fid") == direction("second_kid") == LOWER


def test_second_net_off_removes_its_keys_and_the_stored_net_is_reused(evaluated):
    catalog, metrics, _ = evaluated
    off = evaluate_model(FakeModel(size=16), catalog, FakeLookup(),
                         SETTINGS.model_copy(update=dict(second_net=False)), log=quiet)
    assert not any(key.startswith("second_") for key in off)
    assert off["fid"] == metrics["fid"]  # the first evaluator's numbers do not depend on the second
    logged = []
    again = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), SETTINGS, log=logged.append)
    assert any(line.startswith("eval-net2: reusing") for line in logged)
    assert not any(line.startswith("eval-net2 epoch") for line in logged)
    assert sum("real features: reusing" in line for line in logged) == 2  # one cache per net's weights
    assert again["second_fid"] == metrics["second_fid"]


def test_a_changed_option_trains_a_new_second_net(evaluated):
    catalog, metrics, _ = evaluated
    classes = {h: list(n) for h, n in (("type", ["pants", "shorts"]), ("gender", ["men's", "women's"]))}
    options = SETTINGS.net2.model_copy(update=dict(epochs=1))
    net = ensure_second_net(catalog, FakeLookup(), classes, options, log=quiet)
    assert net.key != metrics["second_eval_net"]["key"] and isinstance(net.model, ResidualClassifier)
    assert list(net.classes) == ["type", "gender"]


def test_a_catalog_without_val_items_is_a_clear_error(tmp_path):
    catalog = FakeCatalog(tmp_path / "catalog", n=16)
    for item in catalog.items:
        item["split"] = "train" if item["split"] == "val" else item["split"]
    with raises_naming(ValueError, "eval.second_net"):
        ensure_second_net(catalog, FakeLookup(), {"type": ["pants", "shorts"]}, SETTINGS.net2, log=quiet)


def test_split_val_is_seeded_disjoint_and_keeps_a_training_item():
    val = np.arange(100, 130)
    fit, held = split_val(val, 0.2, seed=0)
    assert len(held) == 6 and len(fit) == 24 and not set(fit) & set(held)
    assert np.array_equal(held, split_val(val, 0.2, seed=0)[1])
    assert not np.array_equal(held, split_val(val, 0.2, seed=1)[1])
    assert [len(part) for part in split_val(np.array([7]), 0.2, 0)] == [1, 0]


def test_fid_subsets_are_disjoint_and_of_equal_size():
    subsets = fid_subsets(900, 300, seed=0)
    assert [len(s) for s in subsets] == [300, 300, 300]
    assert len(np.unique(np.concatenate(subsets))) == 900
    assert [len(s) for s in fid_subsets(950, 300, seed=0)] == [300, 300, 300]  # 50 left out
    assert [len(s) for s in fid_subsets(200, 300, seed=0)] == [200]


def test_equal_n_fid_is_the_mean_of_torch_fidelitys_fid_over_the_subsets():
    rng = np.random.default_rng(0)
    real = torch.from_numpy(rng.normal(size=(400, 8)))
    fake = torch.from_numpy(rng.normal(0.3, 1.0, size=(90, 8)))
    subsets = fid_subsets(90, 30, seed=1)
    entry = equal_n_fid_entry(fake, subsets, fid_statistics(real), seed=0, rounds=5)
    expected = np.mean([frechet_distance(fid_statistics(fake[s]), fid_statistics(real)) for s in subsets])
    assert entry["n"] == 30 and entry["mean"] == pytest.approx(expected, rel=1e-6)
    assert entry["std"] > 0


def test_too_few_drawn_images_for_fid_samples_is_a_warning(evaluated):
    catalog = evaluated[0]
    settings = SETTINGS.model_copy(update=dict(fid_samples=40, second_net=False))
    metrics = evaluate_model(FakeModel(size=16), catalog, FakeLookup(), settings, log=quiet)
    assert metrics["settings"]["fid_samples"] == 32 and metrics["settings"]["fid_subsets"] == 1
    assert any("32" in w and "fid_samples = 40" in w for w in metrics["warnings"])


def test_second_net_options_are_validated_and_documented():
    with raises_naming(ConfigError, "'eval.net2.holdout'"):
        load_section("eval", overrides=["eval.net2.holdout=1.0"])
    with raises_naming(ConfigError, "'eval.fid_samples'"):
        load_section("eval", overrides=["eval.fid_samples=1"])
    section = load_section("eval", overrides=["eval.second_net=false", "eval.net2.patience=2"])
    assert section.second_net is False and section.net2.patience == 2

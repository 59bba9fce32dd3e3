"""Metric sanity: the calibration rows bracket every metric, scored by the same code as a model.

On a small drawn catalog (tests/_eval_helpers.FakeCatalog) with a small evaluation network: ``real
images`` beats ``mean image`` on every metric with a direction where both have a value, the mean image
scores 0 on refinement, FID between two real sets is far below the mean image's, and a generator that
ignores its text scores chance attribute accuracy.
"""


import numpy as np
import pytest
import torch
from _eval_helpers import (
    FakeCatalog,
    FakeLookup,
    one_thread,  # noqa: F401  (autouse fixture)
)

from ganbench.config import EvalConfig, EvalNetOptions, SecondNetOptions
from ganbench.eval.calibration import evaluate_baseline
from ganbench.eval.directions import HIGHER, LOWER, direction
from ganbench.eval.evaluate import evaluate_source
from ganbench.eval.features import catalog_images_at
from ganbench.report.results import split_metrics

SETTINGS = EvalConfig(
    n_samples=72,  # three passes over the 24 test streams
    seed=1,
    k=3,
    batch_size=32,
    bootstrap_rounds=20,
    device="cpu",
    net=EvalNetOptions(image_size=16, width=4, epochs=15, batch_size=16),
    net2=SecondNetOptions(image_size=16, width=4, epochs=6, patience=2, batch_size=8),
)
SIZE = 16


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return FakeCatalog(tmp_path_factory.mktemp("calibration") / "catalog", n=96)


@pytest.fixture(scope="module")
def rows(catalog):
    return {name: evaluate_baseline(name, catalog, FakeLookup(), SETTINGS, SIZE, log=_quiet)
            for name in ("real", "mean-image")}


def _directional(metrics: dict) -> dict[str, float]:
    """Headline metrics and per-attribute accuracies that have a direction and a value."""
    entries, _ = split_metrics(metrics)
    return {name: mean for name, (mean, *_) in entries.items()
            if direction(name) in (HIGHER, LOWER) and np.isfinite(mean) and "_by_" not in name}


# Improved precision asks only whether each drawn image lies inside the real images' k-NN balls: the one
# mean image sits amid the real features, inside them, and scores 100% (its recall is 0%), here as on the
# synthetic catalog. A known limit of the metric (Naeem et al. 2020), not a bug: it is checked apart.
NOT_BRACKETED = {"improved_precision"}


def test_real_images_beat_the_mean_image_on_every_metric_with_a_direction(rows):
    real, mean = _directional(rows["real"]), _directional(rows["mean-image"])
    shared = sorted(set(real) & set(mean) - NOT_BRACKETED)
    expected = {"is_type", "is_colour", "is_gender", "fid", "kid", "colour_de00_mean", "precision_at_k",
                "attribute_accuracy.type", "attribute_accuracy.gender", "attribute_accuracy.colour",
                "improved_recall", "intra_fid_mean", "intra_fid.pants", "intra_fid.shorts"}
    assert expected <= set(shared)
    assert real["improved_precision"] > 0.9 and mean["improved_recall"] == 0.0
    worse = [(name, real[name], mean[name]) for name in shared
             if not (real[name] > mean[name] if direction(name) == HIGHER else real[name] < mean[name])]
    assert not worse


def test_the_real_row_has_no_refinement_and_the_mean_image_scores_zero(rows):
    real, mean = rows["real"], rows["mean-image"]
    for name in ("retention_rate", "response_rate", "refinement_score"):
        assert real[name]["mean"] is None, name  # one photo per item: no refinement sequence
    assert mean["retention_rate"]["mean"] == 1.0 and mean["response_rate"]["mean"] == 0.0
    assert mean["refinement_score"]["mean"] == 0.0 and mean["refinement_score"]["n"] > 0
    assert real["baseline"]["row"] == "real images" and mean["baseline"]["row"] == "mean image"
    assert real["conditioning_strength"]["mean"] is None  # no text conditioning in a calibration row


def test_fid_of_two_real_sets_is_far_below_the_mean_image(rows, catalog):
    real, mean = rows["real"], rows["mean-image"]
    assert real["reference"]["set"] == "train" and real["fid"]["mean"] < mean["fid"]["mean"] / 5
    halves = evaluate_baseline("real", catalog, FakeLookup(),
                               SETTINGS.model_copy(update=dict(reference="test")), SIZE, log=_quiet)
    assert "disjoint halves" in halves["reference"]["note"] and halves["reference"]["n_images"] == 12
    # 12 photos against 12 in 32-d features: small-sample bias lifts FID, yet it stays well below
    assert halves["fid"]["mean"] < mean["fid"]["mean"] / 2


class RandomPhotos:
    """A generator that ignores its text: a random train photo per stream, the same at every step."""

    refines, shows_catalog_photos = True, False

    def __init__(self, catalog) -> None:
        self.catalog, self.train = catalog, catalog.indices("train")

    def draw(self, steps, items, seed):
        chosen = np.random.default_rng(seed).choice(self.train, len(steps))
        return [photo[None].repeat(len(s), 1, 1, 1)
                for photo, s in zip(catalog_images_at(self.catalog, SIZE, chosen), steps, strict=True)]

    def conditioning(self, texts):
        return None


def test_a_generator_that_ignores_its_text_scores_chance_accuracy(catalog):
    settings = SETTINGS.model_copy(update=dict(n_samples=480))  # 20 passes
    metrics = evaluate_source(RandomPhotos(catalog), catalog, FakeLookup(), settings, log=_quiet)
    train, test = catalog.indices("train"), catalog.indices("test")
    for head in ("type", "gender", "colour"):
        asked = np.array([catalog.items[i][head] for i in test])
        shown = np.array([catalog.items[i][head] for i in train])
        chance = sum(np.mean(asked == value) * np.mean(shown == value) for value in set(asked))
        accuracy = metrics["attribute_accuracy"][head]
        tolerance = 4 * np.sqrt(chance * (1 - chance) / accuracy["n"]) + 0.03
        assert abs(accuracy["mean"] - chance) < tolerance, (head, accuracy["mean"], chance)
    assert torch.is_tensor(catalog_images_at(catalog, SIZE, train[:1]))

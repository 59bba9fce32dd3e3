"""The evaluation network: training on a catalog, its report, storage keyed to catalog and lookup table."""

import json

import numpy as np
import pytest
import torch
from _asserts import raises_naming
from _eval_helpers import (
    FakeCatalog,
    FakeLookup,
    one_thread,  # noqa: F401  (autouse fixture)
)

from ganbench.config import ConfigError
from ganbench.config.loader import load_section
from ganbench.eval.attributes import UNKNOWN, LabelSpace
from ganbench.eval.evalnet import CLASSIFIER_FILE, REPORT_FILE, EvalNetOptions, load_eval_net
from ganbench.eval.evalnet_train import classify, ensure_eval_net, format_report

OPTIONS = EvalNetOptions(image_size=16, width=4, epochs=10, batch_size=16)
QUICK = EvalNetOptions(image_size=16, width=4, epochs=1, batch_size=32)


@pytest.fixture
def catalog(tmp_path):
    return FakeCatalog(tmp_path / "catalog", n=96)


def test_label_space_keeps_heads_with_two_or_more_values(catalog):
    space = LabelSpace.from_items(catalog.items, FakeLookup())
    assert space.heads == ("type", "gender", "colour")  # fit and length are absent from the catalog
    assert space.classes["type"] == ("pants", "shorts")
    assert space.label("colour", "navy blue") == space.label("colour", "navy") == 1
    assert space.label("type", "jeans") == UNKNOWN and space.label("gender", None) == UNKNOWN
    assert space.label_matrix(catalog.items[:3]).shape == (3, 3)


def test_label_space_refuses_a_catalog_with_nothing_to_classify():
    items = [{"type": "pants", "gender": "men's", "colour": "red"}] * 3
    with raises_naming(ValueError, "train split", "attribute"):
        LabelSpace.from_items(items, FakeLookup())


def test_training_stores_the_net_and_a_test_report(catalog):
    logged = []
    net = ensure_eval_net(catalog, FakeLookup(), OPTIONS, log=logged.append)
    assert net.path == catalog.root / "eval_net" / net.key / CLASSIFIER_FILE and net.path.is_file()
    report = json.loads((net.path.parent / REPORT_FILE).read_text())
    assert set(report["heads"]) == {"type", "gender", "colour"}
    colour = report["heads"]["colour"]
    assert np.asarray(colour["confusion"]).shape == (4, 4)
    assert np.asarray(colour["confusion"]).sum() == colour["n"] == len(catalog.indices("test"))
    # The drawn garments are easy: type and gender are the rectangle's height and width.
    assert report["heads"]["type"]["accuracy"] >= 0.9 and report["heads"]["gender"]["accuracy"] >= 0.9
    assert (net.path.parent / "confusion_colour.csv").is_file()
    lines = format_report(report).splitlines()  # accuracy lines, then how training stopped
    assert len(lines) == 2 + len(report["heads"]) and lines[-1].startswith("trained ")
    training = report["training"]  # stopped on the val split (9 of the 96 items), the best epoch kept
    assert 1 <= training["best_epoch"] <= training["epochs_run"] <= 10 and report["n_val"] == 9
    assert training["best_val_accuracy"] == max(e["val_accuracy"] for e in training["history"])
    assert any(line.startswith(f"eval-net epoch {training['epochs_run']}/10") for line in logged)


def test_the_stored_net_is_reused_and_predicts_the_same(catalog):
    first = ensure_eval_net(catalog, FakeLookup(), QUICK, log=lambda _: None)
    logged = []
    second = ensure_eval_net(catalog, FakeLookup(), QUICK, log=logged.append)
    assert second.key == first.key and second.weights_hash == first.weights_hash
    assert any("reusing" in line for line in logged) and not any("epoch" in line for line in logged)
    images = torch.from_numpy(catalog.images(16)).permute(0, 3, 1, 2)
    for head, predicted in classify(first.model, images).items():
        np.testing.assert_array_equal(predicted, classify(second.model, images)[head])


def test_a_changed_catalog_or_lookup_table_trains_a_new_net(catalog):
    first = ensure_eval_net(catalog, FakeLookup(), QUICK, log=lambda _: None)
    catalog.repaint(0, "red")
    after_change = ensure_eval_net(catalog, FakeLookup(), QUICK, log=lambda _: None)
    assert after_change.key != first.key
    regrouped = FakeLookup({"black": 0, "navy": 0, "navy blue": 0, "red": 1, "khaki": 1}, ["dark", "light"])
    other_lookup = ensure_eval_net(catalog, regrouped, QUICK, log=lambda _: None)
    assert other_lookup.key not in (first.key, after_change.key)
    assert other_lookup.classes["colour"] == ["dark", "light"]


def test_loading_something_else_is_a_clear_error(tmp_path):
    with raises_naming(FileNotFoundError, tmp_path / "none.pt"):
        load_eval_net(tmp_path / "none.pt")
    stranger = tmp_path / "stranger.pt"
    torch.save({"weights": torch.zeros(2)}, stranger)
    with raises_naming(ValueError, stranger):
        load_eval_net(stranger)


def test_options_are_validated_by_the_settings_tree():
    expected = r"--set eval.net.epochs=0 \(over <defaults>\): 'eval.net.epochs' must be at least 1"
    with pytest.raises(ConfigError, match=expected):
        load_section("eval", overrides=["eval.net.epochs=0"])
    with raises_naming(ConfigError, "'eval.net.patience'"):
        load_section("eval", overrides=["eval.net.patience=0"])
    assert load_section("eval", overrides=["eval.net.epochs=3"]).net == EvalNetOptions(epochs=3)


def test_training_stops_once_val_accuracy_stops_improving_and_keeps_the_best_epoch():
    from ganbench.eval.convergence import Schedule, fit_until_stable, mean_accuracy
    from ganbench.eval.evalnet import AttributeClassifier

    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (24, 3, 16, 16), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, 2, (24, 1), generator=generator)  # noise: nothing generalises to val
    model = AttributeClassifier({"type": ["a", "b"]}, image_size=16, width=4)
    fit = fit_until_stable(model, (images[:16], labels[:16]), (images[16:], labels[16:]),
                           Schedule(max_epochs=30, patience=3, batch_size=8, learning_rate=3e-3, seed=0),
                           log=lambda _: None)
    assert fit.epochs_run == fit.best_epoch + 3 < 30 and fit.stopped == "no improvement for 3 epochs"
    assert mean_accuracy(model, images[16:], labels[16:]) == pytest.approx(fit.best_val_accuracy, abs=1e-5)
    assert not model.training


def test_without_val_images_every_epoch_runs():
    from ganbench.eval.convergence import Schedule, fit_until_stable
    from ganbench.eval.evalnet import AttributeClassifier

    images = torch.zeros(4, 3, 16, 16, dtype=torch.uint8)
    labels = torch.tensor([[0], [1], [0], [1]])
    fit = fit_until_stable(AttributeClassifier({"type": ["a", "b"]}, image_size=16, width=4),
                           (images, labels), (images[:0], labels[:0]),
                           Schedule(max_epochs=3, patience=1, batch_size=2, learning_rate=1e-3, seed=0),
                           log=lambda _: None)
    assert fit.epochs_run == fit.best_epoch == 3 and fit.best_val_accuracy is None

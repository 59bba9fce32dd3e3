"""The explorer's views as plain Python, on a tiny restgan and stackgan-bow trained in the test: images per
step and model, colour readings, eval-net predictions, noise locking, unknown words, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _asserts import names_all, raises_naming
from _explore_helpers import STREAM

from colorspace import default_lookup, delta_e, dominant_colour
from ganbench.explore.refine import refine
from ganbench.explore.sources import ExploreError, open_run, run_folder


@pytest.fixture(scope="module")
def paths(explore_runs):
    return explore_runs


@pytest.fixture(scope="module")
def models(paths):
    return [open_run(paths["restgan"]), open_run(paths["stackgan-bow"])]


def test_one_image_per_step_and_model_with_readings(models):
    result = refine(models, STREAM, seed=3)
    assert [c.label for c in result.columns] == ["restgan", "stackgan-bow"]
    lab_black = np.asarray(default_lookup().term_lab("black"))
    for column in result.columns:
        assert column.message == "" and len(column.images) == 2
        for step in column.images:
            assert step.image.shape == (32, 32, 3) and step.image.dtype == np.uint8
            assert step.colour.term == "black"
            assert np.allclose(step.colour.requested_lab, lab_black)
            found = np.asarray(dominant_colour(step.image))  # 32 px: measured as generated
            assert np.allclose(step.colour.dominant_lab, found, atol=1e-6)
            assert step.colour.delta_e == pytest.approx(float(delta_e(found, lab_black)), abs=1e-6)
            net = models[0].eval_net
            assert set(step.predictions) == {"type", "gender", "colour"}
            assert all(step.predictions[h] in net.classes[h] for h in step.predictions)


def test_predictions_are_the_eval_nets_argmax(models):
    column = refine(models[:1], STREAM, seed=0).columns[0]
    images = torch.from_numpy(np.stack([s.image for s in column.images])).permute(0, 3, 1, 2)
    _, logits = models[0].eval_net.model(images)
    for i, step in enumerate(column.images):
        for head, name in step.predictions.items():
            assert models[0].eval_net.classes[head][int(logits[head][i].argmax())] == name


def test_locked_restgan_column_is_the_models_own_strip(models):
    restgan = models[0]
    column = refine([restgan], STREAM, seed=5, lock_noise=True).columns[0]
    strip = restgan.model.generate([STREAM], 5)[0].permute(0, 2, 3, 1).numpy().astype(int)
    # one stream of two steps against two one-step streams: the same noise and text states, up to the
    # float rounding of another batch size
    assert all(np.abs(a.image - b).max() <= 2 for a, b in zip(column.images, strip, strict=True))


def test_lock_noise_keeps_a_baselines_noise_across_steps(models):
    bow = models[1]  # a bag of words: repeating the words leaves the text embedding unchanged
    steps = ["women's black pants", "women's black pants"]
    locked = refine([bow], steps, seed=2, lock_noise=True).columns[0].images
    free = refine([bow], steps, seed=2, lock_noise=False).columns[0].images
    assert np.array_equal(locked[0].image, locked[1].image)
    assert np.array_equal(free[0].image, locked[0].image)  # step 1 uses the seed itself
    assert not np.array_equal(free[1].image, locked[1].image)  # step 2: seed + 1


def test_other_seed_other_images(models):
    a = refine(models[:1], STREAM, seed=0).columns[0].images[0].image
    b = refine(models[:1], STREAM, seed=1).columns[0].images[0].image
    assert not np.array_equal(a, b)


def test_unknown_words_are_flagged_with_a_suggestion(models):
    result = refine(models, ["women's burgandy pants", "petite qqqzzz"])
    flags = {u.word: u for u in result.unknown}
    assert set(flags) == {"burgandy", "qqqzzz"}
    assert flags["burgandy"].suggestion == "burgundy" and flags["burgandy"].step == 1
    assert flags["burgandy"].models == ("restgan", "stackgan-bow")
    assert flags["qqqzzz"].suggestion is None and flags["qqqzzz"].step == 2
    assert all(len(c.images) == 2 for c in result.columns)  # some unknown words: still drawn


def test_a_near_vocabulary_word_is_suggested(models):
    flags = {u.word: u for u in refine(models, ["women's black pants", "petit"]).unknown}
    assert flags["petit"].suggestion == "petite"


def test_only_unknown_words_give_a_message_not_images(models):
    result = refine(models, ["qwerty asdfgh"])
    for column in result.columns:
        assert column.images == [] and names_all(column.message, column.label, "vocabulary")


@pytest.mark.parametrize(("steps", "expected"), [
    ([], "the query is empty"),
    (["women's black pants", "   "], "step 2 is empty"),
    (["", "petite"], "step 1 is empty"),
    (["women's black pants", "?!"], "step 2 .'\\?!'. has no words"),
])
def test_empty_steps_are_refused(models, steps, expected):
    with pytest.raises(ExploreError, match=expected):
        refine(models, steps)


def test_a_folder_that_is_not_a_run_is_one_clear_error(paths, tmp_path):
    with raises_naming(ExploreError, paths["catalog"], "config.toml"):
        open_run(paths["catalog"])
    with raises_naming(ExploreError, tmp_path / "missing"):
        open_run(tmp_path / "missing")
    (tmp_path / "half" / "run").mkdir(parents=True)
    (tmp_path / "half" / "run" / "config.toml").write_text(
        (paths["restgan"] / "config.toml").read_text())
    assert run_folder(tmp_path / "half") == tmp_path / "half" / "run"  # a cell folder of ganbench run
    with raises_naming(ExploreError, tmp_path / "half", "checkpoint"):
        open_run(tmp_path / "half")


def test_catalog_query_streams_are_the_splits_distinct_streams(paths):
    from ganbench.data.catalog import Catalog
    from ganbench.explore.sources import catalog_streams

    catalog = Catalog.open(paths["catalog"])
    expected = list(dict.fromkeys(tuple(item["query"]) for item in catalog.items))
    assert catalog_streams(catalog, "train") == [list(s) for s in expected]
    assert len(expected) < len(catalog.items)  # the tiny catalog repeats streams: they are listed once
    assert catalog_streams(catalog, "test") == []  # every tiny item is in the train split


def test_several_seeds_are_the_consecutive_seeds_each_drawn_as_alone(models):
    result = refine(models, STREAM, seed=3, n_seeds=2)
    assert result.seeds == [3, 4] and result.seed == 3
    alone = {seed: refine(models, STREAM, seed=seed).columns for seed in (3, 4)}
    for k, column in enumerate(result.columns):
        assert len(column.by_seed) == 2 and column.images is column.by_seed[0]
        for seed, images in zip(result.seeds, column.by_seed, strict=True):
            expected = alone[seed][k].images
            assert all(np.array_equal(a.image, b.image) and a.predictions == b.predictions
                       for a, b in zip(images, expected, strict=True))
    assert not np.array_equal(result.columns[0].by_seed[0][0].image, result.columns[0].by_seed[1][0].image)


@pytest.mark.parametrize("n_seeds", [0, 9, 1.5, "2"])
def test_a_bad_number_of_seeds_is_refused(models, n_seeds):
    with raises_naming(ExploreError, repr(n_seeds)):
        refine(models, STREAM, n_seeds=n_seeds)

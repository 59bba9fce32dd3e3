"""Explorer points of issue 21, as plain Python on the shipped pretrained models: fit and length readings,
the unknown-word note naming each model once, the vocabulary hint, the strip as a PNG, no "a -0"."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ganbench.explore.app import Explorer
from ganbench.explore.download import TILE
from ganbench.explore.refine import SHOWN_HEADS, flag_unknown, refine
from ganbench.explore.render import _lab_text, unknown_words_text
from ganbench.explore.sources import open_pretrained


@pytest.fixture(scope="module")
def explorer():
    return Explorer([open_pretrained("restgan-synth"), open_pretrained("stackgan-bow-synth")])


def test_fit_and_length_are_read_beside_type_gender_and_colour(explorer):
    assert {"fit", "length"} <= set(SHOWN_HEADS)
    result = refine(explorer.models, ["women's black pants", "skinny ankle"], 0, True, 1)
    classes = explorer.models[0].eval_net.classes
    for step in result.columns[0].images:
        assert set(step.predictions) == {h for h in SHOWN_HEADS if h in classes}
        assert {"fit", "length"} <= set(step.predictions)
        assert step.predictions["fit"] in classes["fit"] and step.predictions["length"] in classes["length"]


def test_a_word_twice_names_each_model_once(explorer):
    flags = flag_unknown(explorer.models, ["qwerty pants qwerty"])
    assert [(f.word, f.models) for f in flags] == [("qwerty", ("restgan-synth", "stackgan-bow-synth"))]
    text = unknown_words_text(flags, len(explorer.models))
    assert "restgan-synth, restgan-synth" not in text and "(unknown to" not in text  # all models lack it


def test_the_vocabulary_is_listed_on_the_page(explorer):
    hint = explorer.vocabulary_hint()
    for word in ("pants", "women's", "petite", "navy blue", "burgundy"):
        assert f"`{word}`" in hint
    assert "`<unk>`" in hint and hint.count("`<") == 1  # special tokens are not offered as words


def test_the_strip_downloads_as_one_png_per_model_and_seed_row(explorer, tmp_path):
    steps = ["women's black pants", "petite"]
    path, note = explorer.download(steps, 2, True, 2)
    assert note == "" and path.endswith(".png")
    with Image.open(path) as image:
        width, height = image.size
    assert width >= 2 * TILE and height >= 4 * TILE  # 2 steps x (2 models x 2 seeds)
    assert explorer.download([], 0, True, 1) == (None, "⚠ start with a first query, then download its strip")
    assert explorer.download(steps, -1, True, 1)[0] is None


def test_lab_values_never_print_minus_zero():
    assert _lab_text((50.2, -0.3, 0.4)) == "L 50 a 0 b 0"
    assert _lab_text(np.array([10.0, -0.49, -2.6], dtype=np.float32)) == "L 10 a 0 b -3"

"""The explorer page's controls as plain Python (:class:`Explorer` on the shipped pretrained models), its
HTML, the Gradio wiring, and ``ganbench explore``'s one-line refusals (port in use, not a run, no Gradio)."""

from __future__ import annotations

import base64
import io
import re
import socket

import numpy as np
import pytest
from _asserts import names_all
from click.testing import CliRunner
from PIL import Image

from ganbench.cli import main
from ganbench.explore import server
from ganbench.explore.app import DEFAULT_SEEDS, KEEP, Explorer, build_app, parse_seed, parse_seed_count
from ganbench.explore.refine import step_images
from ganbench.explore.sources import ExploreError, open_pretrained

IMAGE = re.compile(r'<img class="gb-image" data-model="([^"]+)" data-step="(\d+)" data-seed="(\d+)"[^>]*'
                   r'src="data:image/png;base64,([^"]+)"')
MODELS = ("restgan-synth", "stackgan-bow-synth")


@pytest.fixture(scope="module")
def explorer():
    return Explorer([open_pretrained("restgan-synth"), open_pretrained("stackgan-bow-synth")])


def _images(grid: str) -> list[tuple[str, int, int, np.ndarray]]:
    """(model, step, seed, pixels) of every image of the grid, in page order."""
    found = []
    for model, step, seed, data in IMAGE.findall(grid):
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            found.append((model, int(step), int(seed), np.asarray(image.convert("RGB"))))
    return found


def test_start_then_add_a_step_shows_every_seed_per_model_and_step_at_256_px(explorer):
    steps, status, grid = explorer.start("women's black pants", 0, True, [])
    assert steps == ["women's black pants"] and status == ""
    steps, status, grid, box = explorer.add(steps, " petite ", 0, True)
    assert steps == ["women's black pants", "petite"] and box == ""
    images = _images(grid)
    seeds = range(DEFAULT_SEEDS)  # a row of seeds 0, 1, 2 in each model's cell of each step
    expected = [(m, st, s) for st in (1, 2) for m in MODELS for s in seeds]
    assert [(m, st, s) for m, st, s, _ in images] == expected
    assert all(pixels.shape == (256, 256, 3) for *_, pixels in images)
    shown = {(m, st, s): pixels for m, st, s, pixels in images}
    for seed in seeds:
        drawn = step_images(explorer.models[0], ["women's black pants", "petite"], seed, True)[1]
        assert np.array_equal(shown["restgan-synth", 2, seed][::4, ::4], drawn.permute(1, 2, 0).numpy())
    count = 2 * 2 * DEFAULT_SEEDS  # models x steps x seeds, each with its readings
    assert grid.count("asked: ") == count and grid.count("&Delta;E<sub>00</sub>") == count
    predicted = sum(grid.count(f"eval net: {kind}") for kind in ("pants", "jeans", "shorts"))
    assert predicted == count and "noise seeds 0, 1, 2, locked across steps" in grid


def test_the_number_of_seeds_is_a_control(explorer):
    _, status, grid = explorer.show(["women's black pants"], 4, True, 1)
    assert status == "" and [(m, s) for m, _, s, _ in _images(grid)] == [(m, 4) for m in MODELS]
    _, _, grid = explorer.show(["women's black pants"], 4, True, "2")
    assert [s for *_, s, _ in _images(grid)] == [4, 5, 4, 5]
    for bad in (0, 9, 1.5, "x", None):
        steps, status, grid = explorer.show(["women's black pants"], 0, True, bad)
        assert "the number of noise seeds must be a whole number from 1 to 8" in status and grid == KEEP
        with pytest.raises(ExploreError):
            parse_seed_count(bad)


def test_undo_and_catalog_streams(explorer):
    steps, _, _ = explorer.undo(["women's black pants", "petite"], 0, True)
    assert steps == ["women's black pants"]
    shortest = min(range(len(explorer.streams)), key=lambda i: len(explorer.streams[i]))
    steps, _, grid, first = explorer.pick(explorer.stream_choices[shortest], 1, False, [])
    assert steps == explorer.streams[shortest] and len(_images(grid)) == 2 * DEFAULT_SEEDS * len(steps)
    assert first == steps[0]  # the first-query box shows the picked stream's first step
    assert "a fresh noise per step" in grid
    steps, status, _, first = explorer.pick("not a stream", 0, True, ["women's black pants"])
    assert steps == ["women's black pants"] and "choose one of the catalog's query streams" in status
    assert first == "women's black pants"


@pytest.mark.parametrize(("step", "message"), [("   ", "step 2 is empty"), ("...", "has no words")])
def test_an_empty_step_is_a_message_and_keeps_the_query(explorer, step, message):
    steps, status, grid, box = explorer.add(["women's black pants"], step, 0, True)
    assert steps == ["women's black pants"] and status.startswith("⚠") and message in status
    assert box == step and len(_images(grid)) == 2 * DEFAULT_SEEDS


def test_adding_before_starting_and_an_empty_first_query(explorer):
    assert "start with a first query" in explorer.add([], "petite", 0, True)[1]
    steps, status, grid = explorer.start("  ", 0, True, ["men's blue jeans"])
    assert steps == [] and grid == "" and "step 1 is empty" in status  # the page follows the empty box


def test_only_unknown_words_say_so_in_the_page(explorer):
    steps, status, grid = explorer.start("qwerty asdfgh", 0, True, ["men's blue jeans"])
    assert steps == []  # a query nothing can draw does not become the query that steps are added to
    assert "**qwerty** is not in the vocabulary" in status and "**asdfgh**" in status
    assert grid.count("no word of the query is in") == 2 and _images(grid) == []


def test_a_misspelt_word_is_flagged_with_its_suggestion(explorer):
    _, status, grid = explorer.start("women's burgandy pants", 0, True, [])
    assert "**burgandy** is not in the vocabulary, read as `<unk>`; did you mean **burgundy**?" in status
    assert len(_images(grid)) == 2 * DEFAULT_SEEDS


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", None])
def test_a_bad_seed_is_a_message(explorer, seed):
    steps, status, grid = explorer.show(["women's black pants"], seed, True)
    assert "the noise seed must be a whole number of 0 or more" in status
    assert grid == KEEP and steps == ["women's black pants"]  # the grid on the page stays
    with pytest.raises(ExploreError):
        parse_seed(seed)


def test_user_text_is_escaped(explorer):
    _, _, grid = explorer.start("women's black pants <b>bold</b>", 0, True, [])
    assert "<b>bold</b>" not in grid and "&lt;b&gt;bold&lt;/b&gt;" in grid


def test_the_colour_tab(explorer):
    word, neighbours = explorer.colour_word("navy")
    assert "cluster 1 <b>navy</b>" in word and "navy blue" in word
    assert neighbours.count("embedding neighbour") == 2 and "cluster token" in neighbours
    assert "did you mean &#x27;burgundy&#x27;?" in explorer.colour_word("burgandy")[0]
    assert "type a colour word" in explorer.colour_word(" ")[0]
    assert explorer.swatches().count('class="gb-cluster"') == explorer.lookup.n_clusters


def test_the_gradio_page_has_every_control(explorer):
    pytest.importorskip("gradio")
    app = build_app(explorer)
    ids = {block.elem_id for block in app.blocks.values() if getattr(block, "elem_id", None)}
    assert {"first-query", "start", "next-step", "add-step", "undo", "stream", "seed", "n-seeds", "lock",
            "status", "grid", "colour-word", "look-up", "colour-word-info", "neighbours", "swatches",
            "vocabulary", "make-png", "png"} <= ids


@pytest.fixture
def quiet_env(monkeypatch):
    for key in server.OFFLINE_ENVIRONMENT:  # explore sets them; put them back afterwards
        monkeypatch.setenv(key, "")


def test_a_port_in_use_is_one_line(quiet_env, monkeypatch):
    monkeypatch.setattr(server, "gradio_available", lambda: True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["explore", "--port", str(port)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == (f"Error: port {port} on 127.0.0.1 is in use (another ganbench explore "
                                     "or app?); pass --port N for another one, or --port 0 for any free port")


def test_a_folder_that_is_not_a_run_is_one_line(quiet_env, monkeypatch, tmp_path):
    monkeypatch.setattr(server, "gradio_available", lambda: True)
    result = CliRunner().invoke(main, ["explore", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert f"{tmp_path} is not a run folder: it has no config.toml" in result.output


def test_without_gradio_explore_names_the_extra(quiet_env, monkeypatch):
    monkeypatch.setattr(server, "gradio_available", lambda: False)
    result = CliRunner().invoke(main, ["explore"])
    assert result.exit_code == 1 and "pip install 'ganbench[explore]'" in result.output


def test_free_port_and_analytics_off(quiet_env):
    port = server.check_port(0)
    assert server.check_port(port) == port
    server.quiet_environment()
    import os

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False" and os.environ["HF_HUB_OFFLINE"] == "1"


def test_an_unknown_pretrained_name_is_one_line(quiet_env, monkeypatch):
    monkeypatch.setattr(server, "gradio_available", lambda: True)
    result = CliRunner().invoke(main, ["explore", "--pretrained", "nope", "--port", "0"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert names_all(result.output, "'nope'", "restgan-synth", "stackgan-bow-synth")

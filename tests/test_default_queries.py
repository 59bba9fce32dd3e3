"""The queries drawn by default (training sample grids, report strips, make run's report, the speed
benchmark) use only words the synthetic catalog's vocabulary knows, so no default image is drawn from
``<unk>``. The vocabulary is built as a synthesised catalog builds it (train split, minimum frequency 2)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from ganbench.config.schema import DEFAULT_QUERIES
from ganbench.data.synth.items import make_items
from ganbench.data.text import Vocabulary, tokenize
from ganbench.data.writer import item_tokens

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    items = make_items(0, range(600))  # the size of make run's catalog; 80% of it is the train split
    return Vocabulary.build((item_tokens(item) for item in items[:480]), min_freq=2)


def _benchmark_queries() -> list[list[str]]:
    """QUERIES and TITLES of the speed benchmark, read without running it."""
    tree = ast.parse((ROOT / "benchmarks" / "train_speed.py").read_text())
    found = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("QUERIES", "TITLES")}
    return found["QUERIES"] + [[title] for title in found["TITLES"]]


def _experiment_streams() -> dict[str, list[list[str]]]:
    return {path.name: tomllib.loads(path.read_text())["report"]["streams"]
            for path in sorted((ROOT / "experiments").glob("*.toml"))
            if "streams" in tomllib.loads(path.read_text()).get("report", {})}


def test_default_queries_use_known_words_only(vocabulary):
    sources = {"train.sample_queries and report.streams": DEFAULT_QUERIES,
               "benchmarks/train_speed.py": _benchmark_queries(), **_experiment_streams()}
    unknown = {name: sorted({t for stream in streams for step in stream for t in tokenize(step)
                             if t not in vocabulary})
               for name, streams in sources.items()}
    assert {name: words for name, words in unknown.items() if words} == {}
    assert "experiments/quick.toml" not in unknown and "quick.toml" in unknown  # the file was read


def test_the_old_defaults_would_have_been_caught(vocabulary):
    assert [t for t in tokenize("high waist relaxed fit high-waisted") if t not in vocabulary] == [
        "high", "waist", "fit", "high-waisted"]

"""`ganbench data synth` and `synthesise` end to end: a real catalog folder, deterministic bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _asserts import names_all
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.data.catalog import ITEM_FIELDS, Catalog
from ganbench.data.encode import encode_image
from ganbench.data.synth import SynthError, encoded_images, make_items, render_images, synthesise


def test_cli_synth_writes_a_catalog_of_64_items(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    result = CliRunner().invoke(main, ["data", "synth", "--out", str(out), "--n", "64", "--seed", "2",
                                       "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "64 items" in result.output
    catalog = Catalog.open(out)
    assert len(catalog) == 64 and catalog.manifest["source"] == "synthetic" and catalog.manifest["seed"] == 2
    assert catalog.images(64).shape == (64, 64, 64, 3) and catalog.masks(64).shape == (64, 64, 64)
    assert all(tuple(item) == ITEM_FIELDS for item in catalog.items)
    drawn = make_items(2, range(64))
    strip = lambda item: {k: v for k, v in item.items() if k != "split"}  # noqa: E731
    assert [strip(i) for i in catalog.items] == [strip(i) for i in drawn]
    assert {i["split"] for i in catalog.items} <= {"train", "val", "test"}


def test_cli_synth_refuses_to_overwrite_and_rejects_bad_counts(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    runner = CliRunner()
    args = ["data", "synth", "--out", str(out), "--n", "4", "--workers", "1"]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 1 and "--overwrite" in again.output
    bad = runner.invoke(main, ["data", "synth", "--out", str(tmp_path / "x"), "--n", "0"])
    assert bad.exit_code == 2 and "--n" in bad.output


def test_cli_synth_overwrites_a_catalog_and_its_eval_net_but_not_other_folders(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    runner = CliRunner()
    args = ["data", "synth", "--out", str(out), "--n", "4", "--workers", "1"]
    assert runner.invoke(main, args).exit_code == 0
    (out / "eval_net" / "key").mkdir(parents=True)
    (out / "eval_net" / "key" / "report.json").write_text("{}")
    again = runner.invoke(main, [*args, "--n", "5", "--overwrite"])
    assert again.exit_code == 0, again.output
    assert len(Catalog.open(out)) == 5 and not (out / "eval_net").exists()
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"precious")
    refused = runner.invoke(main, ["data", "synth", "--out", str(other), "--n", "4", "--overwrite"])
    assert refused.exit_code == 1
    assert names_all(refused.output, other, "manifest.json", "holiday.jpg")
    assert (other / "holiday.jpg").read_bytes() == b"precious"


def test_synthesise_is_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    first = synthesise(tmp_path / "a", 12, seed=4, workers=1)
    second = synthesise(tmp_path / "b", 12, seed=4, workers=1)
    other = synthesise(tmp_path / "c", 12, seed=5, workers=1)
    assert first.manifest["catalog_hash"] == second.manifest["catalog_hash"]
    assert first.manifest["catalog_hash"] != other.manifest["catalog_hash"]


def test_worker_processes_do_not_change_the_images() -> None:
    items = make_items(1, range(6))
    alone = list(render_images(items, 1, workers=1))
    pooled = list(render_images(items, 1, workers=2))
    assert all(np.array_equal(a, b) for a, b in zip(alone, pooled, strict=True))
    encoded = list(encoded_images(items, 1, workers=2))
    assert [e.png for e in encoded] == [encode_image(photo).png for photo in alone]


@pytest.mark.parametrize(("n", "seed", "workers", "message"), [
    (0, 0, 1, "number of items"), (5, -1, 1, "seed"), (5, 0, 0, "workers"),
])  # fmt: skip
def test_synthesise_rejects_bad_requests(
    tmp_path: Path, n: int, seed: int, workers: int, message: str
) -> None:
    with pytest.raises(SynthError, match=message):
        synthesise(tmp_path / "never", n, seed, workers=workers)
    assert not (tmp_path / "never").exists()

"""``ganbench generate`` on a real (tiny) training run: rows per seed, tile size, labels in full, unknown
words (a warning when some are unknown, an error when all are), a moved catalog and the device default."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from _asserts import names_all
from _train_helpers import make_tiny_catalog, tiny_config_dict
from click.testing import CliRunner
from PIL import Image

from ganbench.cli import main
from ganbench.config import build_run_config
from ganbench.train.runs import train_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("generate_cli")
    catalog = make_tiny_catalog(root / "catalog")
    config = build_run_config(tiny_config_dict(catalog, stage1_steps=2, stage2_steps=1), "test")
    return train_run(config, root / "run")


def _generate(run_dir, *args):
    return CliRunner().invoke(main, ["generate", str(run_dir), *map(str, args)])


def test_one_row_per_seed_at_the_tile_size(run_dir, tmp_path):
    out = tmp_path / "strip.png"
    result = _generate(run_dir, "women's black pants", "petite", "--out", out, "--seeds", "0,1,2,3",
                       "--tile-size", 64, "--no-labels")
    assert result.exit_code == 0, result.output
    assert names_all(result.output, "4 seed(s)", "2 steps", "64 px")
    with Image.open(out) as image:
        pixels = np.asarray(image.convert("RGB"))
    # unlabelled: margins and gaps only; 4 rows of 64 px tiles, 2 columns
    assert 4 * 64 < pixels.shape[0] < 4 * 64 + 60 and 2 * 64 < pixels.shape[1] < 2 * 64 + 40
    tiles = [pixels[6 + r * 70: 6 + r * 70 + 64, 6: 6 + 64] for r in range(4)]
    assert not np.array_equal(tiles[0], tiles[1])  # other seed, other noise


def test_defaults_three_seeds_at_256_px_with_full_captions(run_dir, tmp_path):
    sizes = {}
    for name, first in (("short", "women's pants"),
                        ("long", "women's black pants petite capri distressed slim " * 3)):
        result = _generate(run_dir, first, "petite", "--out", tmp_path / f"{name}.png")
        assert result.exit_code == 0, result.output
        assert names_all(result.output, "3 seed(s)", "2 steps", "256 px")
        with Image.open(tmp_path / f"{name}.png") as image:
            sizes[name] = image.size
    assert sizes["short"][0] > 2 * 256 and sizes["short"][1] > 3 * 256
    # the long first step wraps onto more lines over its 256 px column instead of widening or being cut
    assert sizes["long"][0] == sizes["short"][0] and sizes["long"][1] >= sizes["short"][1] + 2 * 17


def test_some_unknown_words_warn_all_unknown_words_fail(run_dir, tmp_path):
    some = _generate(run_dir, "women's black pants", "plaid", "--out", tmp_path / "a.png", "--seeds", 0)
    assert some.exit_code == 0 and names_all(some.output, "<unk>", "plaid")
    none = _generate(run_dir, "high waist", "plaid", "--out", tmp_path / "b.png")
    assert none.exit_code == 1 and not (tmp_path / "b.png").exists()
    assert names_all(none.output, "vocabulary", "high", "waist", "plaid")
    assert len(none.output.strip().splitlines()) == 1 and "Traceback" not in none.output


def test_bad_seeds_and_a_moved_catalog_name_the_option(run_dir, tmp_path):
    bad = _generate(run_dir, "women's black pants", "--out", tmp_path / "a.png", "--seeds", "a,b")
    assert bad.exit_code == 2 and "--seeds" in bad.output
    moved = tmp_path / "moved_run"
    shutil.copytree(run_dir, moved)
    text = (moved / "config.toml").read_text()
    stored = text.split('catalog = "')[1].split('"')[0]  # relative to the run folder (issue 21)
    catalog = str((run_dir / stored).resolve())
    (moved / "config.toml").write_text(text.replace(stored, str(tmp_path / "gone")))
    lost = _generate(moved, "women's black pants", "--out", tmp_path / "b.png", "--seeds", 0)
    assert lost.exit_code == 1 and "--catalog" in lost.output
    found = _generate(moved, "women's black pants", "--out", tmp_path / "b.png", "--seeds", 0,
                      "--catalog", catalog)
    assert found.exit_code == 0, found.output


def test_device_defaults_to_auto_and_a_bad_device_is_one_line(run_dir, tmp_path):
    from ganbench.cli.zoo import generate_command

    assert next(p for p in generate_command.params if p.name == "device").default == "auto"
    bad = _generate(run_dir, "women's black pants", "--out", tmp_path / "a.png", "--device", "gpu")
    assert bad.exit_code == 1
    assert len(bad.output.strip().splitlines()) == 1
    assert names_all(bad.output, "--device gpu", "auto", "cpu", "cuda:N")

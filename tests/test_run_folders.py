"""Run folders that work where they are copied, or say why (issue 21): catalog paths stored relative to
the run folder, a missing checkpoint named in one line with the command that recreates it, and a cell
folder of ``ganbench run`` accepted wherever a run folder is."""

from __future__ import annotations

import shutil

import pytest
from _eval_helpers import draw_garment, make_items, one_thread  # noqa: F401  (autouse fixture)
from _train_helpers import tiny_config_dict
from click.testing import CliRunner

import ganbench
from ganbench.cli import main
from ganbench.config import build_run_config, load_config
from ganbench.data.writer import write_catalog
from ganbench.train.runs import RunError, load_run, train_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``root/catalog`` and ``root/results/cells/fake-gan__default__seed0/run`` (a cell of ganbench run)."""
    root = tmp_path_factory.mktemp("folders") / "project"
    items = make_items(24, seed=3)
    write_catalog(root / "catalog", items, [draw_garment(item, 64)[0] for item in items], source="synthetic",
                  seed=0, min_freq=1, sizes=(16, 32))
    cell = root / "results" / "cells" / "fake-gan__default__seed0"
    train_run(build_run_config(tiny_config_dict(root / "catalog"), "test"), cell / "run")
    (cell / "cell.json").write_text("{}")
    (root / "results" / "experiment.toml").write_text("[run]\n")
    return root


def test_a_moved_project_still_finds_its_catalog(trained, tmp_path):
    stored = load_config(trained / "results/cells/fake-gan__default__seed0/run/config.toml").data.catalog
    assert stored == "../../../../catalog"
    moved = tmp_path / "elsewhere"
    shutil.copytree(trained, moved)
    run = load_run(moved / "results/cells/fake-gan__default__seed0/run")
    assert run.catalog_path == (moved / "catalog").resolve()


def test_a_run_without_its_checkpoint_says_so_with_the_command_that_recreates_it(trained, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(trained, copy)
    run_dir = copy / "results/cells/fake-gan__default__seed0/run"
    (run_dir / "checkpoint.pt").unlink()
    with pytest.raises(RunError, match="checkpoint.pt") as caught:
        ganbench.load(run_dir.parent)
    message = str(caught.value)
    assert "\n" not in message and "ganbench run" in message and "ganbench train --config" in message
    result = CliRunner().invoke(main, ["generate", str(run_dir.parent), "women's black pants", "--out",
                                       str(tmp_path / "strip.png")])
    assert result.exit_code == 1 and "checkpoint.pt" in result.output and "Traceback" not in result.output


def test_generate_accepts_a_cell_folder(trained, tmp_path):
    cell = trained / "results/cells/fake-gan__default__seed0"
    result = CliRunner().invoke(main, ["generate", str(cell), "women's black pants", "petite", "--out",
                                       str(tmp_path / "strip.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "strip.png").is_file()


def test_resume_reads_the_relative_paths_of_the_runs_own_config(trained, tmp_path, monkeypatch):
    copy = tmp_path / "project"
    shutil.copytree(trained, copy)
    run_dir = copy / "results/cells/fake-gan__default__seed0/run"
    monkeypatch.chdir(tmp_path)  # not where the relative path starts
    result = CliRunner().invoke(main, ["train", "--out", str(run_dir), "--resume",
                                       "--set", "train.stage2_steps=4"])
    assert result.exit_code == 0, result.output
    assert load_run(run_dir).step == 7
    assert load_config(run_dir / "config.toml").data.catalog == "../../../../catalog"

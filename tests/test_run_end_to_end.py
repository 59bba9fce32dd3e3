"""A tiny experiment end to end through the real pieces: synthesise, train, render, evaluate, report;
then `--resume` finds every cell finished and `ganbench report` rebuilds the report from files only."""

from __future__ import annotations

import json

import pytest
import torch
from _asserts import line_naming, names_all
from click.testing import CliRunner

from ganbench.cli import main

pytestmark = pytest.mark.slow  # see pyproject.toml: `pytest -m "not slow"` skips it

TINY = """
[run]
name = "tiny"
models = ["stackgan-bow", "restgan"]
seeds = [0]
proposed = "restgan"

[run.catalog]
synthesise = {{ n = 32, seed = 0 }}

[data]
catalog = "{catalog}"
stage1_size = 16
stage2_size = 32

[train]
batch_size = 8
stage1_steps = 2
stage2_steps = 1
device = "cpu"
precision = "fp32"
channels_last = false
log_every = 1
sample_every = 100
checkpoint_every = 100

[model.options]
gf_dim = 4
df_dim = 4
z_dim = 4
embedding_dim = 4
text_dim = 8
condition_dim = 4
residual_blocks = 0

[eval]
n_samples = 6
device = "cpu"
net = {{ epochs = 1, width = 4, image_size = 16, batch_size = 32 }}

[report]
streams = [["women's black pants", "petite", "capri"], ["men's blue jeans", "slim"]]
n_sample_seeds = 1
reported_change = {{ is_type = 22.0 }}
"""


@pytest.fixture
def one_thread():
    """Tiny tensors train several times faster on one thread when the CPU is shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_tiny_experiment_end_to_end_then_resume_and_report(tmp_path, one_thread):
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(TINY.format(catalog=tmp_path / "catalog"), encoding="utf-8")
    out = tmp_path / "results"
    runner = CliRunner()

    result = runner.invoke(main, ["run", str(experiment), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert line_naming(result.output, "2 cells", "2 run", "0 already", "0 failed")
    for cell in ("stackgan-bow__default__seed0", "restgan__default__seed0"):
        folder = out / "cells" / cell
        metrics = json.loads((folder / "metrics.json").read_text())
        assert metrics["n_samples"] == 6 and "mean" in metrics["is_type"]  # two passes over 3 test items
        assert "n_samples = 6" in (folder / "run" / "config.toml").read_text()  # recorded is what was used
        assert (folder / "run" / "done.json").is_file()
        assert (folder / "media" / "stream0_seed0.png").is_file()
    index = (out / "index.md").read_text()
    assert "| restgan vs best baseline | " in index and "(paper +22%)" in index
    assert "| real images |" in index and "| mean image |" in index  # calibration rows, once per experiment
    calibration = json.loads((out / "calibration" / "real.json").read_text())
    assert calibration["settings"]["image_size"] == 32 and calibration["baseline"]["key"]
    assert (out / "figures" / "strip0.gif").is_file() and (out / "index.html").is_file()

    resumed = runner.invoke(main, ["run", str(experiment), "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert line_naming(resumed.output, "2 cells", "0 run", "2 already", "0 failed")
    assert json.loads((out / "calibration" / "real.json").read_text()) == calibration  # reused, not redone

    report = runner.invoke(main, ["report", str(out), "--out", str(tmp_path / "report"), "--tables-only"])
    assert report.exit_code == 0, report.output
    assert (tmp_path / "report" / "tables" / "paper_table.md").read_text() == \
        (out / "tables" / "paper_table.md").read_text()


def test_bad_experiment_is_a_click_error_without_traceback(tmp_path):
    experiment = tmp_path / "bad.toml"
    experiment.write_text(TINY.format(catalog=tmp_path / "c").replace("seeds =", "sedes ="), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(experiment), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert names_all(result.output, "sedes", "'run.seeds'") and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_report_of_a_folder_without_results_is_a_click_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 1 and names_all(result.output, tmp_path, "cells")


def test_tiny_experiment_through_submitit_local_trains_both_cells_for_real(tmp_path, one_thread):
    """The real pipeline (not the launcher tests' fake steps) in submitit's local executor, one job a cell."""
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(TINY.format(catalog=tmp_path / "catalog"), encoding="utf-8")
    out = tmp_path / "results"
    command = ["run", str(experiment), "--out", str(out), "--launcher", "submitit-local"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    for cell in ("stackgan-bow__default__seed0", "restgan__default__seed0"):
        folder = out / "cells" / cell
        assert json.loads((folder / "job.json").read_text())["launcher"] == "submitit-local"
        assert (folder / "run" / "done.json").is_file() and (folder / "media" / "stream0_seed0.png").is_file()
        assert json.loads((folder / "metrics.json").read_text())["n_samples"] == 6
    status = CliRunner().invoke(main, ["status", str(out)])
    assert status.output.splitlines()[-1] == "2 cells: 2 done", status.output
    assert "| real images |" in (out / "index.md").read_text()

"""``ganbench status`` asks SLURM (``sacct``, else ``squeue``) about the cell jobs it submitted; fake
``sacct``/``squeue`` executables on PATH print fixed lines in their ``--parsable2`` / ``%i|%T`` formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _run_helpers import FakeSteps
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.run.experiment import load_experiment
from ganbench.run.runner import run_experiment

EXPERIMENT = """
[run]
name = "scheduler"
models = ["stackgan-bow", "restgan"]
seeds = [0, 1]
[run.catalog]
synthesise = { n = 32, seed = 3 }
"""
JOBS = {"stackgan-bow__default__seed0": "500_0", "stackgan-bow__default__seed1": "500_1",
        "restgan__default__seed0": "500_2", "restgan__default__seed1": "500_3"}
SACCT = """500_0|COMPLETED
500_0.batch|COMPLETED
500_0.extern|COMPLETED
500_1|TIMEOUT
500_2|CANCELLED by 1000
500_[3-4%2]|PENDING
"""


def _results(tmp_path: Path) -> Path:
    """Four cells submitted to SLURM as 500_0..500_3: the first finished, the others not."""
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    results = tmp_path / "out"
    run_experiment(load_experiment(path, results_dir=results), results,
                   FakeSteps(fail=("restgan",)).pipeline(), log=lambda line: None)
    cells = results / "cells"
    (cells / "stackgan-bow__default__seed1" / "metrics.json").unlink()
    for name in ("restgan__default__seed0", "restgan__default__seed1"):
        (cells / name / "error.txt").unlink()
    for name, job in JOBS.items():
        (cells / name / "job.json").write_text(json.dumps(
            {"job_id": job, "launcher": "slurm", "submitted_at": "2026-01-01T00:00:00"}), encoding="utf-8")
    return results


def _fake_tool(folder: Path, name: str, output: str, status: int = 0) -> Path:
    """An executable ``name`` that records its arguments in ``name.args`` and prints ``output`` (shell
    built-ins only: PATH holds nothing else)."""
    folder.mkdir(exist_ok=True)
    tool = folder / name
    script = f"#!/bin/sh\necho \"$@\" > '{folder / name}.args'\nprintf '%s' '{output}'\nexit {status}\n"
    tool.write_text(script, encoding="utf-8")
    tool.chmod(0o755)
    return tool


def _status(results: Path) -> tuple[dict[str, list[str]], list[str]]:
    run = CliRunner().invoke(main, ["status", str(results)])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    count = next(i for i, line in enumerate(lines) if line.startswith("4 cells: "))
    return {line.split()[0]: line.split() for line in lines[1:count]}, lines[count:]


def test_status_shows_sacct_states_and_names_cancelled_jobs_of_unfinished_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _results(tmp_path)
    bin_dir = tmp_path / "bin"
    _fake_tool(bin_dir, "sacct", SACCT)
    _fake_tool(bin_dir, "squeue", "", status=1)  # sacct comes first
    monkeypatch.setenv("PATH", str(bin_dir))
    rows, tail = _status(results)
    assert rows["stackgan-bow__default__seed0"][1:4] == ["done", "500_0", "COMPLETED"]
    assert rows["stackgan-bow__default__seed1"][1:4] == ["gone", "500_1", "TIMEOUT"]
    assert rows["restgan__default__seed0"][1:4] == ["gone", "500_2", "CANCELLED"]
    assert rows["restgan__default__seed1"][1:4] == ["queued", "500_3", "PENDING"]
    assert tail[0] == "4 cells: 1 done, 2 gone, 1 queued"
    assert tail[1] == "scheduler: asked sacct about 4 job(s)"
    assert tail[2].startswith("2 cell(s) unfinished whose job is gone: "
                              "stackgan-bow__default__seed1 (TIMEOUT), restgan__default__seed0 (CANCELLED)")
    assert tail[2].endswith(f"`ganbench run {results / 'experiment.toml'} --out {results} --resume "
                            "--launcher slurm`")
    asked = (bin_dir / "sacct.args").read_text(encoding="utf-8").split()
    assert asked[asked.index("--jobs") + 1] == "500_0,500_1,500_2,500_3" and "--parsable2" in asked


def test_status_falls_back_to_squeue_where_a_job_no_longer_listed_has_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _results(tmp_path)
    bin_dir = tmp_path / "bin"
    _fake_tool(bin_dir, "squeue", "500_3|RUNNING\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    rows, tail = _status(results)
    assert rows["restgan__default__seed1"][1:4] == ["queued", "500_3", "RUNNING"]
    assert rows["restgan__default__seed0"][1:4] == ["gone", "500_2", "LEFT_QUEUE"]
    assert rows["stackgan-bow__default__seed0"][1:4] == ["done", "500_0", "LEFT_QUEUE"]
    assert tail[:2] == ["4 cells: 1 done, 2 gone, 1 queued", "scheduler: asked squeue about 4 job(s)"]


def test_status_says_when_the_scheduler_was_not_asked_or_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _results(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    rows, tail = _status(results)
    assert rows["restgan__default__seed0"][1:3] == ["queued", "500_2"]  # no scheduler column
    assert tail == ["4 cells: 1 done, 3 queued", "scheduler: SLURM was not asked: neither sacct nor squeue "
                    "is on PATH; the states above come from the results folder only"]
    _fake_tool(bin_dir, "sacct", "sacct: error: Problem talking to the database\n", status=1)
    _, tail = _status(results)
    assert tail[1].startswith("scheduler: sacct exited with status 1: sacct: error: Problem talking to the "
                              "database")


def test_parse_states_skips_steps_and_expands_pending_array_ranges() -> None:
    from ganbench.run.scheduler import parse_states

    text = "7_0|RUNNING\n7_0.batch|RUNNING\n7_[1-2,5%3]|PENDING\n8|CANCELLED by 1000\n9|COMPLETED+\n\n|x\n"
    assert parse_states(text) == {"7_0": "RUNNING", "7_1": "PENDING", "7_2": "PENDING", "7_5": "PENDING",
                                  "8": "CANCELLED", "9": "COMPLETED"}

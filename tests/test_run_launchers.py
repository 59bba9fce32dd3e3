"""Launchers: submitit jobs on this machine, N local cells at once, the [launcher] table and its errors.

The cells run the fake pipeline steps of ``_run_helpers`` (the real steps are covered end to end by
test_run_end_to_end); what is tested here is how cells are dispatched, recorded and resumed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from _asserts import raises_naming
from _cluster_helpers import KillingSteps
from _run_helpers import FakeSteps
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.config import LauncherConfig
from ganbench.run.experiment import ExperimentError, load_experiment
from ganbench.run.launcher_settings import LauncherError, check_launcher_choice
from ganbench.run.launchers import CellJob, executor_for, executor_parameters, gpu_slots, launch

TESTS = Path(__file__).resolve().parent
EXPERIMENT = """
[run]
name = "launch"
models = ["stackgan-bow", "restgan"]
seeds = [0]
[run.catalog]
synthesise = { n = 32, seed = 3 }
"""


def _experiment(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT + extra, encoding="utf-8")
    return path


@pytest.mark.slow
def test_two_cells_through_submitit_local_then_resume_submits_only_unfinished(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS.parent), str(TESTS),
                                                       os.environ.get("PYTHONPATH", "")]))
    results, lines = tmp_path / "out", []
    experiment = load_experiment(_experiment(tmp_path, "[launcher]\ntimeout_min = 5\n"), results_dir=results)
    assert experiment.config.launcher.timeout_min == 5
    steps = FakeSteps(fail=("restgan",))
    outcomes = launch(experiment, results, steps.pipeline(), "submitit-local", 1, log=lines.append)
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert "training restgan/0 exploded" in outcomes[1].error
    done = results / "cells" / "stackgan-bow__default__seed0"
    assert (done / "metrics.json").is_file() and not (done / "lock.json").exists()
    job = json.loads((done / "job.json").read_text())
    assert job["launcher"] == "submitit-local" and job["job_id"]
    assert any(line.startswith("stackgan-bow__default__seed0: submitted as job") for line in lines)
    status = CliRunner().invoke(main, ["status", str(results)]).output.splitlines()
    assert status[-1] == "2 cells: 1 done, 1 failed"

    lines.clear()
    again = launch(experiment, results, FakeSteps().pipeline(), "submitit-local", 1, resume=True,
                   log=lines.append)
    assert [o.status for o in again] == ["skipped", "done"]
    assert sum("submitted as job" in line for line in lines) == 1  # only the unfinished cell


@pytest.mark.slow
def test_local_jobs_run_cells_in_parallel_processes(tmp_path) -> None:
    results = tmp_path / "out"
    experiment = load_experiment(_experiment(tmp_path), results_dir=results)
    outcomes = launch(experiment, results, FakeSteps().pipeline(), "local", 2, log=print)
    assert [o.status for o in outcomes] == ["done", "done"]
    assert all((o.cell.folder(results) / "metrics.json").is_file() for o in outcomes)


def test_launcher_table_maps_to_slurm_parameters(tmp_path) -> None:
    table = ('[launcher]\npartition = "gpu"\naccount = "lab"\ngpus_per_node = 4\ncpus_per_task = 16\n'
             'mem_gb = 64\ntimeout_min = 2880\narray_parallelism = 8\nsbatch = { qos = "high" }\n')
    settings = load_experiment(_experiment(tmp_path, table)).config.launcher
    assert executor_parameters("slurm", settings) == {
        "timeout_min": 2880, "tasks_per_node": 1, "nodes": 1, "name": "ganbench", "gpus_per_node": 4,
        "cpus_per_task": 16,
        "mem_gb": 64, "slurm_partition": "gpu", "slurm_account": "lab", "slurm_array_parallelism": 8,
        "slurm_additional_parameters": {"qos": "high"}}
    assert "slurm_partition" not in executor_parameters("submitit-local", settings)
    if shutil.which("srun") is None:  # this machine is no SLURM cluster: one clear line
        with raises_naming(LauncherError, "--launcher slurm", "srun"):
            executor_for("slurm", settings, tmp_path)


@pytest.mark.parametrize(("table", "expected"), [
    ('[launcher]\npartiton = "gpu"\n', "'launcher.partiton' is not a valid key; did you mean "
                                          "'launcher.partition'"),
    ('[launcher]\nnodes = 0\n', "'launcher.nodes' must be at least 1"),
    ('[launcher]\ngpus_per_node = "four"\n', "'launcher.gpus_per_node' must be an integer"),
    ('[launcher]\ntimeout_min = -1\n', "'launcher.timeout_min' must be 0 or more"),
])
def test_bad_launcher_tables_are_one_line(tmp_path, table, expected) -> None:
    with pytest.raises(ExperimentError, match=expected):
        load_experiment(_experiment(tmp_path, table))
    result = CliRunner().invoke(main, ["run", str(tmp_path / "exp.toml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output


def test_bad_launcher_choices_are_one_line(tmp_path) -> None:
    plain = _experiment(tmp_path)
    cases = [([str(plain), "--launcher", "kubernetes"], "--launcher kubernetes: unknown launcher; expected "
                                                        "one of local, submitit-local, slurm"),
             ([str(plain), "--launcher", "slurm", "--jobs", "3"], "--jobs 3 applies to --launcher local")]
    slurmy = tmp_path / "slurm.toml"
    slurmy.write_text(EXPERIMENT + '[launcher]\npartition = "gpu"\n', encoding="utf-8")
    cases.append(([str(slurmy)], "sets SLURM options (partition) but no --launcher slurm was given"))
    for args, expected in cases:
        result = CliRunner().invoke(main, ["run", *args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 1 and expected in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    assert check_launcher_choice("local", 1, ["partition"], "slurm.toml") == "local"  # explicit: runs here
    assert LauncherConfig().timeout_min == 24 * 60


@pytest.mark.slow
def test_a_killed_jobs_worker_fails_its_cell_and_the_others_finish(tmp_path) -> None:
    """Killing one `--jobs 2` worker (as the OOM killer would) broke the process pool: the healthy cell
    died too, with a BrokenProcessPool traceback."""
    results, lines = tmp_path / "out", []
    experiment = load_experiment(_experiment(tmp_path), results_dir=results)
    outcomes = launch(experiment, results, KillingSteps(victim="restgan").pipeline(), "local", 2,
                      log=lines.append)
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert "SIGKILL" in outcomes[1].error
    killed = results / "cells" / "restgan__default__seed0"
    assert "SIGKILL" in (killed / "error.txt").read_text() and not (killed / "lock.json").exists()
    status = CliRunner().invoke(main, ["status", str(results)]).output.splitlines()
    assert status[-1] == "2 cells: 1 done, 1 failed"
    again = launch(experiment, results, FakeSteps().pipeline(), "local", 2, resume=True, log=lines.append)
    assert [o.status for o in again] == ["skipped", "done"]


def test_requeue_limit_and_job_names_reach_submitit(tmp_path) -> None:
    """Every job was named "submitit" and the requeue limit was submitit's fixed 3."""
    settings = load_experiment(_experiment(tmp_path, "[launcher]\nmax_requeues = 7\n")).config.launcher
    executor = executor_for("submitit-local", settings, tmp_path, "ganbench-launch")
    assert executor._executor.max_num_timeout == 7
    assert executor._executor.parameters["name"] == "ganbench-launch"


def test_submitit_local_gives_each_job_its_own_gpus_and_caps_them(tmp_path, monkeypatch) -> None:
    """gpus_per_node = 0 hid every GPU (CUDA_VISIBLE_DEVICES=""), = 1 gave every job GPU 0, no cap."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    table = "[launcher]\ngpus_per_node = {}\nmax_parallel = {}\n"
    slots = lambda gpus, cap: gpu_slots(load_experiment(_experiment(tmp_path, table.format(gpus, cap)))  # noqa: E731
                                        .config.launcher, 6)
    assert slots(0, 0) == [(0,), (1,), (2,), (3,)]
    assert slots(2, 0) == [(0, 1), (2, 3)]
    assert slots(1, 3) == [(0,), (1,), (2,)]
    with pytest.raises(LauncherError, match="gpus_per_node = 8"):
        slots(8, 0)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert slots(0, 2) == [(), ()]


def test_the_last_slurm_job_writes_summary_calibration_and_report(tmp_path) -> None:
    """The SLURM report path skipped the calibration rows and run_summary.json."""
    results, calls = tmp_path / "out", []
    experiment = load_experiment(_experiment(tmp_path), results_dir=results)
    pipeline = FakeSteps().pipeline()
    pipeline.calibrate = lambda folder, catalog, settings: calls.append(("calibrate", catalog))
    pipeline.write_report = lambda folder: calls.append(("report", folder))
    job = CellJob()
    job(experiment.cells[0], results, tmp_path / "catalog", experiment, pipeline, True)
    assert calls == []  # one cell still missing
    job(experiment.cells[1], results, tmp_path / "catalog", experiment, pipeline, True)
    assert calls == [("calibrate", tmp_path / "catalog"), ("report", results)]
    rows = json.loads((results / "run_summary.json").read_text())["cells"]
    assert [row["status"] for row in rows] == ["done", "done"]

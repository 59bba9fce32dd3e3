"""One worker per cell (lock files, stale-lock detection) and ``ganbench status``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from _run_helpers import FakeSteps
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.run import locks
from ganbench.run.experiment import load_experiment
from ganbench.run.launchers import launch
from ganbench.run.locks import LOCK_FILE, CellBusy, CellLock, read_lock
from ganbench.run.runner import RunnerError, run_experiment, summarise

EXPERIMENT = """
[run]
name = "locks"
models = ["stackgan-bow", "restgan"]
seeds = [0]
[run.catalog]
synthesise = { n = 32, seed = 3 }
"""


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _write_lock(folder: Path, **fields) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    holder = {"host": socket.gethostname(), "pid": os.getpid(), "job_id": "",
              "started_at": "2026-01-01T00:00:00+00:00"}
    (folder / LOCK_FILE).write_text(json.dumps(holder | fields), encoding="utf-8")


def test_a_live_lock_is_respected_and_released(tmp_path: Path) -> None:
    with CellLock(tmp_path / "cell"):
        holder = json.loads((tmp_path / "cell" / LOCK_FILE).read_text())
        assert holder["host"] == socket.gethostname() and holder["pid"] == os.getpid()
        with pytest.raises(CellBusy, match=rf"cell is in use by another worker \(host .*, pid {os.getpid()}"):
            with CellLock(tmp_path / "cell"):
                pass
    assert not (tmp_path / "cell" / LOCK_FILE).exists()


def test_stale_locks_are_detected_reported_and_taken_over(tmp_path: Path, monkeypatch) -> None:
    _write_lock(tmp_path / "dead", pid=_dead_pid())
    assert "no longer runs" in read_lock(tmp_path / "dead").stale_reason
    messages: list[str] = []
    with CellLock(tmp_path / "dead", messages.append):
        assert read_lock(tmp_path / "dead").held
    assert len(messages) == 1 and "stale lock" in messages[0] and "taking the cell over" in messages[0]

    _write_lock(tmp_path / "far", host="another-node", pid=1)
    assert read_lock(tmp_path / "far").held  # another host, fresh heartbeat: cannot tell, so live
    old = (tmp_path / "far" / LOCK_FILE).stat().st_mtime - locks.STALE_AFTER_SECONDS - 5
    os.utime(tmp_path / "far" / LOCK_FILE, (old, old))
    assert "no heartbeat" in read_lock(tmp_path / "far").stale_reason

    monkeypatch.setenv("SLURM_JOB_ID", "4242")  # the same job, requeued on another node
    monkeypatch.setenv("SLURM_RESTART_COUNT", "1")
    _write_lock(tmp_path / "requeued", host="another-node", pid=1, job_id="4242")
    assert "requeued" in read_lock(tmp_path / "requeued").stale_reason


def test_two_tasks_of_one_slurm_job_do_not_take_each_others_cell(tmp_path: Path, monkeypatch) -> None:
    """`srun -n2` (or one salloc) runs two `run --resume` with the same SLURM_JOB_ID: the second one took
    the first one's live lock as "requeued" and both trained the cell."""
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    _write_lock(tmp_path / "sibling", host="another-node", pid=1, job_id="4242", restart=0)
    assert read_lock(tmp_path / "sibling").held
    with pytest.raises(CellBusy, match="job 4242"):
        with CellLock(tmp_path / "sibling"):
            pass
    monkeypatch.setenv("SLURM_RESTART_COUNT", "2")  # the same job after two requeues
    assert "restart 0 -> 2" in read_lock(tmp_path / "sibling").stale_reason


def test_jobs_reports_cells_another_worker_holds_as_in_use_not_finished(tmp_path: Path) -> None:
    """A second `--jobs 2 --resume` while both cells trained printed "2 already finished" and wrote an
    empty report."""
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    results = tmp_path / "out"
    experiment = load_experiment(path, results_dir=results)
    for cell in experiment.cells:
        _write_lock(cell.folder(results), pid=os.getppid(), job_id="77")
    steps, lines = FakeSteps(), []
    pipeline = steps.pipeline()
    pipeline.write_report = lambda folder: lines.append("REPORT")
    outcomes = launch(experiment, results, pipeline, "local", 2, resume=True, log=lines.append)
    assert [o.status for o in outcomes] == ["busy", "busy"]
    assert not [call for call in steps.calls if call[0] == "train"]
    assert "REPORT" not in lines and any(line.startswith("report not written: 2 cell(s)") for line in lines)
    assert "0 already finished" in summarise(outcomes, results)


def test_a_second_run_skips_cells_in_use_and_holds_the_report(tmp_path: Path) -> None:
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    results = tmp_path / "out"
    experiment = load_experiment(path, results_dir=results)
    _write_lock(results / "cells" / "restgan__default__seed0", pid=os.getppid(), job_id="77")
    steps, lines = FakeSteps(), []
    pipeline = steps.pipeline()
    pipeline.write_report = lambda folder: lines.append("REPORT")
    with pytest.raises(RunnerError, match=r"cells in use by another worker \(restgan__default__seed0\)"):
        run_experiment(experiment, results, pipeline, log=lines.append)  # would start afresh: refused
    outcomes = run_experiment(experiment, results, pipeline, resume=True, log=lines.append)
    assert [o.status for o in outcomes] == ["done", "busy"]
    assert ("train", "restgan/0") not in steps.calls
    assert "REPORT" not in lines and any(line.startswith("report not written: 1 cell(s)") for line in lines)
    summary = summarise(outcomes, results)
    assert "1 in use by another worker" in summary and f"pid {os.getppid()}, job 77" in summary
    with pytest.raises(RunnerError, match="in use by another worker"):
        run_experiment(experiment, results, steps.pipeline(), fresh=True, log=lines.append)
    assert (results / "cells" / "stackgan-bow__default__seed0" / "metrics.json").is_file()

    status = CliRunner().invoke(main, ["status", str(results)])
    assert status.exit_code == 0, status.output
    rows = {line.split()[0]: line for line in status.output.splitlines()[1:-1]}
    assert rows["stackgan-bow__default__seed0"].split()[1] == "done"
    assert rows["restgan__default__seed0"].split()[1:3] == ["running", "77"]
    assert status.output.splitlines()[-1] == "2 cells: 1 done, 1 running"


def test_status_names_failures_queued_and_unstarted_cells(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace("seeds = [0]", "seeds = [0, 1]"), encoding="utf-8")
    results = tmp_path / "out"
    outcomes = run_experiment(load_experiment(path, results_dir=results), results,
                              FakeSteps(fail=("restgan",)).pipeline(), log=lambda line: None)
    assert [o.status for o in outcomes] == ["done", "done", "failed", "failed"]
    (results / "cells" / "restgan__default__seed1" / "error.txt").unlink()
    (results / "cells" / "restgan__default__seed1" / "job.json").write_text(
        json.dumps({"job_id": "99_3", "launcher": "slurm", "submitted_at": "2026-01-01T00:00:00"}))
    (results / "cells" / "stackgan-bow__default__seed1" / "metrics.json").unlink()
    monkeypatch.setenv("PATH", str(tmp_path / "no-slurm-here"))  # neither sacct nor squeue
    output = CliRunner().invoke(main, ["status", str(results)]).output.splitlines()
    rows = {line.split()[0]: line for line in output[1:-2]}
    assert "failed" in rows["restgan__default__seed0"]
    assert rows["restgan__default__seed0"].endswith("RuntimeError: training restgan/0 exploded")
    assert rows["restgan__default__seed1"].split()[1:3] == ["queued", "99_3"]
    assert rows["stackgan-bow__default__seed1"].split()[1:3] == ["not", "started"]
    assert output[-2] == "4 cells: 1 done, 1 failed, 1 queued, 1 not started"
    assert output[-1].startswith("scheduler: SLURM was not asked")
    bad = CliRunner().invoke(main, ["status", str(tmp_path)])
    assert bad.exit_code == 1 and "is not an experiment's results folder" in bad.output


TAKEOVER_WORKER = """
import sys, time
from pathlib import Path
from ganbench.run import locks

folder, go = Path(sys.argv[1]), Path(sys.argv[2])
read = locks.read_lock
def slow_read(*args, **kwargs):  # widen the window between judging the lock stale and replacing it
    state = read(*args, **kwargs)
    time.sleep(1.0)
    return state
locks.read_lock = slow_read
while not go.exists():
    time.sleep(0.01)
try:
    with locks.CellLock(folder, log=lambda line: None):
        print("HELD", flush=True)
        time.sleep(2.5)
except locks.CellBusy as busy:
    print("BUSY", busy.holder.pid, flush=True)
"""


@pytest.mark.slow  # real processes: scheduler-facing, like the torchrun tests
def test_two_workers_taking_over_one_stale_lock_leave_one_holder(tmp_path: Path) -> None:
    """Two real processes find the same stale lock at once: read, delete, claim let both hold the cell
    (the second deleted the first one's fresh lock); under the guard one holds it, the other is busy."""
    folder = tmp_path / "cell"
    _write_lock(folder, pid=_dead_pid())
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", TAKEOVER_WORKER, str(folder), str(go)],
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    go.touch()
    outputs = sorted(worker.communicate(timeout=60)[0].split()[0] for worker in workers)
    assert outputs == ["BUSY", "HELD"]
    assert not (folder / LOCK_FILE).exists()

"""Where an experiment stands: every planned cell's state, read from its folder (``ganbench status``).

States, first match wins: ``done`` (metrics.json), ``running`` (a live lock: :mod:`ganbench.run.locks`),
``stale`` (a lock whose worker is gone: the cell resumes on the next ``ganbench run --resume``),
``failed`` (error.txt; the detail is its last line), ``queued`` (job.json: submitted to a launcher, not
started yet), ``not started``. Cells submitted to SLURM also show their job's scheduler state
(:mod:`ganbench.run.scheduler`), and an unfinished cell whose job has ended (cancelled, timed out, failed,
...) is ``gone``: nothing will finish it until ``ganbench run --resume``. Nothing here writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ganbench.data.files import read_json_object
from ganbench.run.experiment import load_experiment
from ganbench.run.locks import read_lock
from ganbench.run.scheduler import SchedulerReport, ask_scheduler
from ganbench.train.progress import format_duration

JOB_FILE = "job.json"  # {job_id, launcher, submitted_at}: written when a launcher submits the cell
STATES = ("done", "running", "stale", "failed", "gone", "queued", "not started")
UNFINISHED = ("running", "stale", "queued")  # states a job that has ended turns into ``gone``


class StatusError(ValueError):
    """The folder is not an experiment's results folder."""


@dataclass(frozen=True)
class CellStatus:
    name: str
    state: str
    job_id: str = ""
    seconds: float | None = None
    detail: str = ""
    launcher: str = ""  # from job.json
    scheduler: str = ""  # the SLURM job's state, when asked


def _timing_seconds(folder: Path) -> float | None:
    timing = read_json_object(folder / "timing.json")
    values = [v for v in timing.values() if isinstance(v, int | float)]
    return float(sum(values)) if values else None


def _since(iso: str) -> float | None:
    try:
        return max(0.0, time.time() - datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return None


def _last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")


def cell_status(name: str, folder: Path) -> CellStatus:
    """One cell's state from its folder."""
    job = read_json_object(folder / JOB_FILE)
    return replace(_folder_status(name, folder, job), launcher=str(job.get("launcher", "")))


def _folder_status(name: str, folder: Path, job: dict) -> CellStatus:
    job_id = str(job.get("job_id", ""))
    if (folder / "metrics.json").is_file():
        return CellStatus(name, "done", job_id, _timing_seconds(folder))
    lock = read_lock(folder)
    if lock.holder is not None:
        holder = lock.holder
        if lock.held:
            return CellStatus(name, "running", holder.job_id or job_id, _since(holder.started_at),
                              f"host {holder.host}, pid {holder.pid}")
        return CellStatus(name, "stale", holder.job_id or job_id, _since(holder.started_at),
                          f"worker gone: {lock.stale_reason}")
    if (folder / "error.txt").is_file():
        return CellStatus(name, "failed", job_id, _timing_seconds(folder), _last_line(folder / "error.txt"))
    if job:
        return CellStatus(name, "queued", job_id, None, f"submitted {job.get('submitted_at', '?')} "
                                                        f"({job.get('launcher', '?')})")
    return CellStatus(name, "not started")


def experiment_status(results_dir: Path) -> list[CellStatus]:
    """Every planned cell of the experiment stored in ``results_dir`` (plus any other cell folder)."""
    results_dir = Path(results_dir)
    stored = results_dir / "experiment.toml"
    if not stored.is_file():
        raise StatusError(f"{results_dir} is not an experiment's results folder: {stored.name} is missing "
                          "(`ganbench run EXPERIMENT.toml --out DIR` writes it)")
    names = [cell.name for cell in load_experiment(stored, results_dir=results_dir).cells]
    cells_dir = results_dir / "cells"
    others = sorted(p.name for p in cells_dir.iterdir() if p.is_dir()) if cells_dir.is_dir() else []
    names += [name for name in others if name not in names]
    return [cell_status(name, cells_dir / name) for name in names]


def slurm_jobs(cells: list[CellStatus]) -> list[str]:
    """The job ids of the cells submitted to SLURM, each once."""
    return list(dict.fromkeys(c.job_id for c in cells if c.launcher == "slurm" and c.job_id))


def with_scheduler(cells: list[CellStatus], report: SchedulerReport) -> list[CellStatus]:
    """The cells with their SLURM job's state; an unfinished cell whose job has ended is ``gone``."""
    updated = []
    for cell in cells:
        state = report.states.get(cell.job_id, "") if cell.launcher == "slurm" else ""
        if state and cell.state in UNFINISHED and report.ended(cell.job_id):
            detail = f"job {cell.job_id} is {state} but the cell is unfinished (was {cell.state})"
            cell = replace(cell, state="gone", detail=detail)
        updated.append(replace(cell, scheduler=state))
    return updated


def scheduler_notes(cells: list[CellStatus], report: SchedulerReport, results_dir: Path) -> list[str]:
    """What the scheduler was asked and what to do about jobs that are gone (``cells`` as
    :func:`with_scheduler` returns them)."""
    jobs = slurm_jobs(cells)
    if not jobs:
        return []
    if report.note:
        return [f"scheduler: {report.note}; the states above come from the results folder only"]
    notes = [f"scheduler: asked {report.tool} about {len(jobs)} job(s)"]
    unknown = [job for job in jobs if job not in report.states]
    if unknown:
        notes.append(f"scheduler: {report.tool} does not know job(s) {', '.join(unknown)} (purged from its "
                     "records, or submitted to another cluster)")
    gone = [c for c in cells if c.state == "gone"]
    if gone:
        names = ", ".join(f"{c.name} ({c.scheduler})" for c in gone)
        notes.append(f"{len(gone)} cell(s) unfinished whose job is gone: {names}; resume them with "
                     f"`ganbench run {results_dir / 'experiment.toml'} --out {results_dir} --resume "
                     "--launcher slurm`")
    return notes


def experiment_status_with_scheduler(results_dir: Path) -> tuple[list[CellStatus], list[str]]:
    """:func:`experiment_status`, with SLURM asked about the cells submitted to it; also the notes."""
    cells = experiment_status(results_dir)
    jobs = slurm_jobs(cells)
    report = ask_scheduler(jobs)
    cells = with_scheduler(cells, report)
    return cells, scheduler_notes(cells, report, Path(results_dir))


def format_status(cells: list[CellStatus], notes: list[str] | None = None) -> str:
    """A table, one row per cell (a scheduler column when SLURM was asked), the count per state, then
    ``notes``."""
    asked = any(c.scheduler for c in cells)
    rows = [("cell", "state", "job", *(("scheduler",) if asked else ()), "time", "detail")]
    rows += [(c.name, c.state, c.job_id or "-", *((c.scheduler or "-",) if asked else ()),
              format_duration(c.seconds) if c.seconds is not None else "-", c.detail) for c in cells]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join([*(value.ljust(width) for value, width in zip(row[:-1], widths, strict=True)),
                        row[-1]]).rstrip() for row in rows]
    counts = [f"{sum(c.state == state for c in cells)} {state}" for state in STATES
              if any(c.state == state for c in cells)]
    return "\n".join([*lines, f"{len(cells)} cells: " + ", ".join(counts), *(notes or [])])

"""Run an experiment's cells: prepare the catalog, then train, evaluate and render every cell.

The runner knows the steps only as callables (a :class:`Pipeline`), so tests can inject fakes and the
real functions are wired in one place (:mod:`ganbench.run.pipeline`). A cell folder holds::

    cell.json      the cell (model, variant, seed, overrides): a resumed cell must match it
    run/           the training run (config.toml, checkpoint.pt, log.jsonl, done.json, samples/)
    metrics.json   written by evaluation; its presence marks the cell finished
    media/         report images rendered from the trained generator (strips, grids, embeddings)
    error.txt      the traceback of the last failure (removed when the cell succeeds)
    timing.json    seconds spent training, evaluating and rendering (a step not run again, e.g. training
                   before a re-evaluation, keeps its earlier figure)
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ganbench.config import EvalConfig, RunConfig
from ganbench.config.run_section import CatalogRecipe
from ganbench.data.files import read_json_object, write_json_atomic
from ganbench.eval.provenance import provenance
from ganbench.report.results import CALIBRATION_DIR
from ganbench.run.cells import Cell
from ganbench.run.experiment import Experiment
from ganbench.run.locks import CellBusy, CellLock, read_lock
from ganbench.train.progress import stdout_is_terminal

METRICS_FILE = "metrics.json"
CELL_FILE = "cell.json"
ERROR_FILE = "error.txt"
SUMMARY_FILE = "run_summary.json"
REPORT_ERROR_FILE = "report_error.txt"


class RunnerError(RuntimeError):
    """The experiment cannot start (results folder in the way, bad configuration)."""


@dataclass
class Pipeline:
    """The steps of a cell; each gets the cell's validated settings (its [eval] and [report] say how to
    evaluate and what to draw)."""

    prepare_catalog: Callable[[CatalogRecipe, Path], Path]
    train: Callable[[RunConfig, Path, bool], Any]
    evaluate: Callable[[Path, Path, RunConfig], dict]
    render: Callable[[Path, Path, RunConfig], Any] | None = None
    write_report: Callable[[Path], Any] | None = None
    calibrate: Callable[[Path, Path, EvalConfig], Any] | None = None  # the report's calibration rows


@dataclass
class CellOutcome:
    cell: Cell
    status: str  # "skipped" (already finished), "done", "failed", "busy" (another worker holds it)
    seconds: float = 0.0
    error: str = ""
    steps: list[str] = field(default_factory=list)
    warning: str = ""  # report media could not be drawn; the metrics still count


def run_experiment(experiment: Experiment, results_dir: Path, pipeline: Pipeline, resume: bool = False,
                   log: Callable[[str], None] = tqdm.write, fresh: bool = False) -> list[CellOutcome]:
    """Run every cell of ``experiment`` into ``results_dir``; returns one outcome per cell.

    A failing cell is recorded (traceback in its ``error.txt``) and the others still run. Interrupting
    (Ctrl-C) stops (training first checkpoints its current step); the next ``resume=True`` call skips
    finished cells and resumes the rest. ``fresh=True`` discards earlier cells in ``results_dir``, trained
    ones included. A progress bar over the cells shows on a terminal; otherwise one line per cell.
    """
    results_dir = Path(results_dir)
    cells, catalog = prepare_experiment(experiment, results_dir, pipeline, resume, fresh, log)
    outcomes = []
    on_terminal = stdout_is_terminal()
    shown = tqdm(cells, desc=f"experiment {experiment.name}", unit="cell") if on_terminal else cells
    for number, cell in enumerate(shown, start=1):
        if not on_terminal:
            log(f"cell {number}/{len(cells)}: {cell.name}")
        outcome = run_cell(cell, results_dir, catalog, pipeline, log)
        detail = outcome.error or outcome.warning
        log(f"{cell.name}: {outcome.status}" + (f" ({detail})" if detail else ""))
        outcomes.append(outcome)
    finish_experiment(results_dir, outcomes, pipeline, log, catalog=catalog, settings=experiment.config.eval)
    return outcomes


def prepare_experiment(experiment: Experiment, results_dir: Path, pipeline: Pipeline, resume: bool,
                       fresh: bool, log: Callable[[str], None]) -> tuple[list[Cell], Path]:
    """Everything before the cells run (their settings were validated when the experiment was loaded):
    the results folder readied, the experiment saved and the catalog made; returns (cells, catalog).
    An existing catalog (no [run.catalog] recipe) is opened first, so a missing one fails before any file
    is written."""
    if resume and fresh:
        raise RunnerError("--resume and --fresh exclude each other: resume keeps earlier cells, "
                          "fresh discards them")
    recipe = experiment.config.run.catalog
    existing_catalog = recipe.synthesise is None and recipe.import_ is None
    if existing_catalog:  # only opened, not made: a missing catalog fails before any file is written
        catalog = pipeline.prepare_catalog(recipe, experiment.catalog_dir)
    _prepare_results_dir(results_dir, resume, fresh, log)
    _save_experiment(experiment, results_dir)
    if not existing_catalog:
        catalog = pipeline.prepare_catalog(recipe, experiment.catalog_dir)
    return list(experiment.cells), catalog


def finish_experiment(results_dir: Path, outcomes: list[CellOutcome], pipeline: Pipeline,
                      log: Callable[[str], None], catalog: Path | None = None,
                      settings: EvalConfig | None = None) -> None:
    """The run summary, then (unless cells are still in another worker's hands) the calibration rows
    when ``catalog`` and the [eval] ``settings`` are given, then the report."""
    _write_summary(results_dir, outcomes)
    busy = [o.cell.name for o in outcomes if o.status == "busy"]
    if busy:
        log(f"report not written: {len(busy)} cell(s) still in use by another worker ({', '.join(busy)}); "
            f"run `ganbench report {results_dir}` once they finish (`ganbench status {results_dir}`)")
        return
    if pipeline.calibrate is not None and catalog is not None and settings is not None:
        _calibrate(pipeline.calibrate, results_dir, catalog, settings, log)
    if pipeline.write_report is not None:
        _report(pipeline.write_report, results_dir, log)


def _report(write_report: Callable[[Path], Any], results_dir: Path, log: Callable[[str], None]) -> None:
    """Write the report; a failure keeps every cell's results and says how to retry."""
    failure = results_dir / REPORT_ERROR_FILE
    try:
        write_report(results_dir)
    except Exception as error:
        failure.write_text(traceback.format_exc(), encoding="utf-8")
        log(f"the report failed ({type(error).__name__}: {error}); the cells' results are kept: fix the "
            f"cause and run `ganbench report {results_dir}` (traceback: {failure})")
        return
    failure.unlink(missing_ok=True)


def _calibrate(calibrate: Callable[[Path, Path, EvalConfig], Any], results_dir: Path, catalog: Path,
               settings: EvalConfig, log: Callable[[str], None]) -> None:
    """Compute (or reuse) the calibration rows; a failure keeps the cells and the report goes on."""
    failure = results_dir / CALIBRATION_DIR / ERROR_FILE
    try:
        calibrate(results_dir, catalog, settings)
    except Exception as error:
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(traceback.format_exc(), encoding="utf-8")
        log(f"the calibration rows failed ({type(error).__name__}: {error}); the report goes on without "
            f"them (traceback: {failure})")
        return
    failure.unlink(missing_ok=True)


def run_cell(cell: Cell, results_dir: Path, catalog: Path, pipeline: Pipeline,
             log: Callable[[str], None] = print) -> CellOutcome:
    """Train (or resume), evaluate and render one cell, skipping the steps already finished.

    The cell is claimed first (:class:`~ganbench.run.locks.CellLock`): a cell another worker holds is
    left alone (status ``busy``); a stale lock is reported through ``log`` and taken over."""
    folder = cell.folder(results_dir)
    start = time.perf_counter()
    outcome = CellOutcome(cell, "done")
    try:
        if _claim_cell(folder, cell) and (folder / METRICS_FILE).is_file():
            return CellOutcome(cell, "skipped")
        with CellLock(folder, log):
            if (folder / METRICS_FILE).is_file():  # finished by another worker while we looked
                return CellOutcome(cell, "skipped")
            _work_on_cell(cell, folder, catalog, pipeline, outcome)
    except CellBusy as busy:
        return CellOutcome(cell, "busy", error=str(busy))
    except Exception as error:  # a failing cell must not stop the others
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ERROR_FILE).write_text(traceback.format_exc(), encoding="utf-8")
        outcome.status, outcome.error = "failed", f"{type(error).__name__}: {error}"
    outcome.seconds = time.perf_counter() - start
    return outcome


def _work_on_cell(cell: Cell, folder: Path, catalog: Path, pipeline: Pipeline, outcome: CellOutcome) -> None:
    """Train (or resume), render and evaluate a claimed cell; ``outcome`` records the steps taken."""
    config, timing = cell.config, _read_timing(folder / "timing.json")
    run_dir = folder / "run"
    if not (run_dir / "done.json").is_file():
        resume = (run_dir / "checkpoint.pt").is_file()
        if not resume and run_dir.exists():
            shutil.rmtree(run_dir)  # started but never checkpointed: no training to keep
        _timed(timing, "train", lambda: pipeline.train(config, run_dir, resume))
        outcome.steps.append("resumed training" if resume else "trained")
    if pipeline.render is not None:
        outcome.warning = _render(pipeline, run_dir, folder, config, timing)
    metrics = _timed(timing, "evaluate", lambda: pipeline.evaluate(run_dir, catalog, config))
    outcome.steps.append("evaluated")
    write_json_atomic(folder / "timing.json", timing)
    write_json_atomic(folder / METRICS_FILE, metrics)  # last: marks the cell finished
    (folder / ERROR_FILE).unlink(missing_ok=True)


def summarise(outcomes: list[CellOutcome], results_dir: Path) -> str:
    """A few lines for the end of a run: counts, then each failed cell and where its traceback is."""
    counts = {status: sum(o.status == status for o in outcomes)
              for status in ("done", "skipped", "failed", "busy")}
    lines = [f"{len(outcomes)} cells: {counts['done']} run, {counts['skipped']} already finished, "
             f"{counts['failed']} failed" + (f", {counts['busy']} in use by another worker (skipped)"
                                            if counts["busy"] else "")]
    for outcome in outcomes:
        folder = outcome.cell.folder(results_dir)
        if outcome.status == "busy":
            lines.append(f"  IN USE {outcome.error}")
        elif outcome.status == "failed":
            lines.append(f"  FAILED {outcome.cell.name}: {outcome.error} (traceback: {folder / ERROR_FILE})")
        elif outcome.warning:
            where = folder / "media" / ERROR_FILE
            lines.append(f"  {outcome.cell.name}: {outcome.warning} (traceback: {where})")
    return "\n".join(lines)


def _render(pipeline: Pipeline, run_dir: Path, folder: Path, config: RunConfig,
            timing: dict[str, float]) -> str:
    """Draw the cell's report media; a failure here is recorded (``media/error.txt``), not fatal."""
    media = folder / "media"
    try:
        _timed(timing, "render", lambda: pipeline.render(run_dir, media, config))
    except Exception as error:
        media.mkdir(parents=True, exist_ok=True)
        (media / ERROR_FILE).write_text(traceback.format_exc(), encoding="utf-8")
        return f"report media failed: {type(error).__name__}: {error}"
    (media / ERROR_FILE).unlink(missing_ok=True)
    return ""


def _read_timing(path: Path) -> dict[str, float]:
    """The seconds an earlier attempt recorded (none when absent or unreadable)."""
    return {k: v for k, v in read_json_object(path).items() if isinstance(v, int | float)}


def _timed(timing: dict[str, float], step: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = action()
    timing[f"{step}_seconds"] = round(time.perf_counter() - start, 2)
    return result


def _claim_cell(folder: Path, cell: Cell) -> bool:
    """Write ``cell.json`` for a new cell, or check an existing one matches; True if it existed."""
    marker = folder / CELL_FILE
    described = json.loads(json.dumps(cell.describe()))
    if marker.is_file():
        stored = json.loads(marker.read_text(encoding="utf-8"))
        if stored != described:
            raise RunnerError(f"cell folder {folder} was started with different settings ({stored}); "
                              "delete that folder or choose another --out to run the new settings")
        return True
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(marker, described)
    return False


def _prepare_results_dir(results_dir: Path, resume: bool, fresh: bool,
                         log: Callable[[str], None]) -> None:
    """Without ``resume``, start afresh, but never throw away trained checkpoints unless ``fresh``."""
    existing = sorted(p for p in (results_dir / "cells").glob("*") if p.is_dir())
    if resume or not existing:
        return
    in_use = [p.name for p in existing if read_lock(p).held]
    if in_use:
        raise RunnerError(f"{results_dir} has cells in use by another worker ({', '.join(in_use)}); wait for "
                          f"it (`ganbench status {results_dir}`), pass --resume to run the other cells, or "
                          "choose another --out")
    trained = [p.name for p in existing if (p / "run" / "checkpoint.pt").is_file()]
    if trained and not fresh:
        shown = ", ".join(trained[:3]) + (", ..." if len(trained) > 3 else "")
        raise RunnerError(f"{results_dir} already holds {len(trained)} trained cell(s) ({shown}); "
                          "pass --resume to continue that experiment, "
                          "or pass --fresh (or choose another --out) to start afresh")
    log(f"starting afresh: removing {len(existing)} earlier cell folder(s) in {results_dir / 'cells'} "
        f"({len(trained)} with trained checkpoints)")
    shutil.rmtree(results_dir / "cells")


def _save_experiment(experiment: Experiment, results_dir: Path) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    copy = results_dir / "experiment.toml"
    if experiment.path is not None and not (copy.exists() and copy.samefile(experiment.path)):
        shutil.copyfile(experiment.path, results_dir / "experiment.toml")
    stored = dict(experiment.raw)
    stored["run"] = {**stored.get("run", {}), "name": experiment.name}
    write_json_atomic(results_dir / "experiment.json", stored)  # read back as settings by the report


def _write_summary(results_dir: Path, outcomes: list[CellOutcome]) -> None:
    """run_summary.json: this invocation's cells and provenance, and the provenance of the earlier
    invocations on the folder (a --resume that only rebuilt the report must not hide the training run)."""
    rows = [{"cell": o.cell.name, "status": o.status, "seconds": round(o.seconds, 1), "error": o.error,
             "warning": o.warning, "steps": o.steps} for o in outcomes]
    before = read_json_object(results_dir / SUMMARY_FILE) if (results_dir / SUMMARY_FILE).is_file() else {}
    earlier = [p for p in [*before.get("earlier_invocations", []), before.get("provenance")] if p]
    write_json_atomic(results_dir / SUMMARY_FILE, {"cells": rows, "provenance": provenance(),
                                                   "earlier_invocations": earlier})



"""Where an experiment's cells run: in this process (``local``, ``--jobs N`` at once), or as submitit jobs
on this machine (``submitit-local``) or on a SLURM cluster (``slurm``, one job-array task per cell).

Every launcher runs the same cell code path (:func:`ganbench.run.runner.run_cell`: claim the cell's lock,
train or resume, render, evaluate), so a requeued or repeated cell continues from its checkpoint and a
finished cell is never run again. A SLURM cell job is a ``submitit.helpers.Checkpointable``: on preemption
or at its time limit submitit requeues it, and the requeued job resumes training from the last periodic
checkpoint (``train.checkpoint_every``). With ``gpus_per_node > 1`` a cell trains through ``torchrun``
(one process per GPU, :mod:`ganbench.train.distributed`). ``ganbench run --launcher slurm`` submits and
returns; the last cell job to finish writes the report (or run ``ganbench report`` at any time).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import submitit

from ganbench.config import LauncherConfig
from ganbench.run.cells import Cell
from ganbench.run.experiment import Experiment
from ganbench.run.launcher_settings import LauncherError
from ganbench.run.locks import read_lock
from ganbench.run.runner import (
    METRICS_FILE,
    CellOutcome,
    Pipeline,
    finish_experiment,
    prepare_experiment,
    run_cell,
    run_experiment,
)
from ganbench.run.status import JOB_FILE
from ganbench.run.workers import run_in_processes

Log = Callable[[str], None]


def launch(experiment: Experiment, results_dir: Path, pipeline: Pipeline, launcher: str, jobs: int,
           resume: bool = False, fresh: bool = False, log: Log = print) -> list[CellOutcome]:
    """Run (or submit) every unfinished cell with ``launcher`` and the experiment's [launcher] resources;
    returns one outcome per cell (``queued`` for cells submitted to SLURM)."""
    if launcher == "local" and jobs == 1:
        return run_experiment(experiment, results_dir, pipeline, resume=resume, log=log, fresh=fresh)
    cells, catalog = prepare_experiment(experiment, results_dir, pipeline, resume, fresh, log)
    finished = {c.name for c in cells if (c.folder(results_dir) / METRICS_FILE).is_file()}
    held = {c.name: read_lock(c.folder(results_dir)) for c in cells if c.name not in finished}
    held = {name: state for name, state in held.items() if state.held}
    pending = [c for c in cells if c.name not in finished and c.name not in held]
    outcomes = {c.name: CellOutcome(c, "skipped") for c in cells if c.name in finished}
    outcomes |= {c.name: CellOutcome(c, "busy", error=f"{c.name} is in use by another worker "
                                                       f"({held[c.name].holder.describe()})")
                 for c in cells if c.name in held}
    if launcher == "local":
        outcomes |= run_in_processes(pending, results_dir, catalog, pipeline, jobs, log)
    else:
        outcomes |= _submit(pending, results_dir, catalog, experiment, pipeline, launcher, log)
    ordered = [outcomes[c.name] for c in cells]
    if launcher != "slurm":
        finish_experiment(results_dir, ordered, pipeline, log, catalog=catalog,
                          settings=experiment.config.eval)
    return ordered


# --- submitit: local processes or a SLURM job array --------------------------------------------------------
class CellJob(submitit.helpers.Checkpointable):
    """One cell as a submitit job; requeued (same arguments) on preemption or time limit."""

    def __call__(self, cell: Cell, results_dir: Path, catalog: Path, experiment: Experiment,
                 pipeline: Pipeline, write_report: bool) -> CellOutcome:
        outcome = run_cell(cell, results_dir, catalog, pipeline)
        if write_report:
            _report_when_complete(experiment, results_dir, pipeline)
        return outcome


def _report_when_complete(experiment: Experiment, results_dir: Path, pipeline: Pipeline) -> None:
    """Write the report once every cell has its metrics (the last job to finish does it)."""
    from ganbench.run.locks import CellBusy, CellLock

    finished = all((c.folder(results_dir) / METRICS_FILE).is_file() for c in experiment.cells)
    if pipeline.write_report is None or not finished:
        return
    try:
        with CellLock(results_dir / "jobs" / "report"):  # two jobs finishing at once: one writes it
            pipeline.write_report(results_dir)
    except CellBusy:
        pass


class TorchrunTrain:
    """The train step of a multi-GPU cell: ``torchrun --nproc-per-node N -m ganbench train`` on the node."""

    def __init__(self, processes: int) -> None:
        self.processes = processes

    def __call__(self, config: Any, run_dir: Path, resume: bool) -> Path:
        from ganbench.config import write_config

        config_file = Path(run_dir).parent / "train_config.toml"
        config_file.parent.mkdir(parents=True, exist_ok=True)
        write_config(config, config_file)
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
                   str(self.processes), "-m", "ganbench", "train", "--config", str(config_file), "--out",
                   str(run_dir), *(["--resume"] if resume else [])]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise RuntimeError(f"torchrun training failed (exit {result.returncode}): "
                               f"{lines[-1] if lines else 'no output'}")
        return Path(run_dir)


def executor_parameters(launcher: str, settings: LauncherConfig) -> dict[str, Any]:
    """submitit ``update_parameters`` keywords from the ``[launcher]`` resources (SLURM-only ones only for
    ``slurm``)."""
    parameters: dict[str, Any] = {"timeout_min": settings.timeout_min, "tasks_per_node": 1, "nodes": 1,
                                  "gpus_per_node": settings.gpus_per_node or None,
                                  "cpus_per_task": settings.cpus_per_task or None}
    if launcher == "slurm":
        parameters |= {"mem_gb": settings.mem_gb or None, "slurm_partition": settings.partition or None,
                       "slurm_account": settings.account or None,
                       "slurm_array_parallelism": settings.array_parallelism or None,
                       "slurm_additional_parameters": dict(settings.sbatch) or None}
    return {k: v for k, v in parameters.items() if v is not None}


def executor_for(launcher: str, settings: LauncherConfig, folder: Path) -> submitit.AutoExecutor:
    """A submitit executor for ``launcher`` with the ``[launcher]`` resources."""
    cluster = "slurm" if launcher == "slurm" else "local"
    try:
        executor = submitit.AutoExecutor(folder=folder / "%j", cluster=cluster)
    except RuntimeError as error:  # submitit: no srun / sbatch on this machine
        raise LauncherError(f"--launcher {launcher}: {error}") from None
    executor.update_parameters(**executor_parameters(launcher, settings))
    return executor


def _submit(cells: list[Cell], results_dir: Path, catalog: Path, experiment: Experiment,
            pipeline: Pipeline, launcher: str, log: Log) -> dict[str, CellOutcome]:
    if not cells:
        return {}
    settings = experiment.config.launcher
    executor = executor_for(launcher, settings, results_dir / "jobs")
    if settings.gpus_per_node > 1:
        pipeline = dataclasses.replace(pipeline, train=TorchrunTrain(settings.gpus_per_node))
    slurm = launcher == "slurm"
    with executor.batch():  # one job array on SLURM
        submitted = [(cell, executor.submit(CellJob(), cell, results_dir, catalog, experiment, pipeline,
                                            slurm)) for cell in cells]
    for cell, job in submitted:
        marker = {"job_id": str(job.job_id), "launcher": launcher, "stdout": str(job.paths.stdout),
                  "submitted_at": datetime.now(UTC).isoformat(timespec="seconds")}
        cell.folder(results_dir).mkdir(parents=True, exist_ok=True)
        (cell.folder(results_dir) / JOB_FILE).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        log(f"{cell.name}: submitted as job {job.job_id} ({launcher})")
    if slurm:
        log(f"{len(cells)} cell job(s) submitted; follow them with `ganbench status {results_dir}`; the last "
            "one to finish writes the report")
        return {cell.name: CellOutcome(cell, "queued") for cell in cells}
    outcomes = {}
    for cell, job in submitted:
        try:
            outcomes[cell.name] = job.result()
        except (submitit.core.utils.FailedJobError, submitit.core.utils.UncompletedJobError) as error:
            lines = str(error).strip().splitlines()
            reason = lines[-1] if lines else type(error).__name__
            outcomes[cell.name] = CellOutcome(cell, "failed", error=f"job {job.job_id}: {reason}")
        log(f"{cell.name}: {outcomes[cell.name].status} (job {job.job_id})")
    return outcomes

"""Where an experiment's cells run: in this process (``local``, ``--jobs N`` at once), or as submitit jobs
on this machine (``submitit-local``) or on a SLURM cluster (``slurm``, one job-array task per cell).

Every launcher runs the same cell code path (:func:`ganbench.run.runner.run_cell`: claim the cell's lock,
train or resume, render, evaluate), so a requeued or repeated cell continues from its checkpoint and a
finished cell is never run again. A SLURM cell job is a ``submitit.helpers.Checkpointable``: on preemption
or at its time limit submitit requeues it, and the requeued job resumes training from the last periodic
checkpoint (``train.checkpoint_every``). With ``gpus_per_node > 1`` a cell trains through ``torchrun``
(one process per GPU, :mod:`ganbench.train.distributed`); with ``nodes > 1`` (or ``tasks_per_node``) a
cell job is one submitit task per rank instead (:mod:`ganbench.run.task_ranks`). ``ganbench run
--launcher slurm`` submits and returns; the last cell job to finish writes the report (or run
``ganbench report`` at any time).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import submitit

from ganbench.config import LauncherConfig
from ganbench.run.cells import Cell
from ganbench.run.experiment import Experiment
from ganbench.run.launcher_settings import LauncherError, check_launcher_resources
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
from ganbench.run.task_ranks import cell_world_size, join_task_group, run_cell_as_rank, tasks_per_node
from ganbench.run.torchrun import TorchrunTrain
from ganbench.run.workers import run_in_processes
from ganbench.train.interrupt import TrainingInterrupted

Log = Callable[[str], None]


def launch(experiment: Experiment, results_dir: Path, pipeline: Pipeline, launcher: str, jobs: int,
           resume: bool = False, fresh: bool = False, log: Log = print) -> list[CellOutcome]:
    """Run (or submit) every unfinished cell with ``launcher`` and the experiment's [launcher] resources;
    returns one outcome per cell (``queued`` for cells submitted to SLURM)."""
    check_launcher_resources(launcher, experiment.config.launcher)
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
    """One cell as a submitit job; requeued (same arguments) on preemption or time limit.

    submitit's SIGUSR2 handler would requeue at once, mid-step; training replaces it while it runs
    (:mod:`ganbench.train.interrupt`), saves the step, and the signal is then raised again for submitit's
    handler, which requeues the job (at most ``launcher.max_requeues`` times after time limits).

    ``world_size > 1``: the job's tasks are that many training ranks (:mod:`ganbench.run.task_ranks`);
    rank 0 runs the cell and writes, the others train with it."""

    def __init__(self, world_size: int = 1) -> None:
        self.world_size = world_size

    def __call__(self, cell: Cell, results_dir: Path, catalog: Path, experiment: Experiment,
                 pipeline: Pipeline, write_report: bool) -> CellOutcome:
        main = True
        try:
            if self.world_size > 1:
                ranks = join_task_group(cell.config)
                main = ranks.is_main
                outcome = run_cell_as_rank(cell, results_dir, catalog, pipeline, ranks)
            else:
                outcome = run_cell(cell, results_dir, catalog, pipeline)
        except TrainingInterrupted as stop:  # the step is saved: now the signal's own meaning applies
            signal.raise_signal(stop.signum)  # submitit's USR2 handler requeues; SIGTERM ends the job
            raise
        if write_report and main:
            _report_when_complete(experiment, results_dir, pipeline, catalog)
        return outcome


def _report_when_complete(experiment: Experiment, results_dir: Path, pipeline: Pipeline,
                          catalog: Path) -> None:
    """Once every cell has its metrics (the last job to finish does it): the run summary, the calibration
    rows and the report, as a local run writes them."""
    from ganbench.run.locks import CellBusy, CellLock

    finished = all((c.folder(results_dir) / METRICS_FILE).is_file() for c in experiment.cells)
    if not finished:
        return
    outcomes = [CellOutcome(c, "done") for c in experiment.cells]
    try:
        with CellLock(results_dir / "jobs" / "report"):  # two jobs finishing at once: one writes it
            finish_experiment(results_dir, outcomes, pipeline, print, catalog=catalog,
                              settings=experiment.config.eval)
    except CellBusy:
        pass


def executor_parameters(launcher: str, settings: LauncherConfig, name: str = "ganbench") -> dict[str, Any]:
    """submitit ``update_parameters`` keywords from the ``[launcher]`` resources (SLURM-only ones only for
    ``slurm``)."""
    parameters: dict[str, Any] = {"timeout_min": settings.timeout_min,
                                  "tasks_per_node": tasks_per_node(settings), "nodes": settings.nodes,
                                  "name": name,
                                  "gpus_per_node": settings.gpus_per_node or None,
                                  "cpus_per_task": settings.cpus_per_task or None}
    if launcher == "slurm":
        parameters |= {"mem_gb": settings.mem_gb or None, "slurm_partition": settings.partition or None,
                       "slurm_account": settings.account or None,
                       "slurm_array_parallelism": settings.array_parallelism or None,
                       "slurm_additional_parameters": dict(settings.sbatch) or None}
    return {k: v for k, v in parameters.items() if v is not None}


def executor_for(launcher: str, settings: LauncherConfig, folder: Path,
                 name: str = "ganbench") -> submitit.AutoExecutor:
    """A submitit executor for ``launcher`` with the ``[launcher]`` resources; its jobs are named
    ``name`` and requeued at most ``max_requeues`` times after their time limit."""
    cluster = "slurm" if launcher == "slurm" else "local"
    try:
        executor = submitit.AutoExecutor(folder=folder / "%j", cluster=cluster,
                                         **{f"{cluster}_max_num_timeout": settings.max_requeues})
    except RuntimeError as error:  # submitit: no srun / sbatch on this machine
        raise LauncherError(f"--launcher {launcher}: {error}") from None
    executor.update_parameters(**executor_parameters(launcher, settings, name))
    return executor


def _submit(cells: list[Cell], results_dir: Path, catalog: Path, experiment: Experiment,
            pipeline: Pipeline, launcher: str, log: Log) -> dict[str, CellOutcome]:
    if not cells:
        return {}
    settings = experiment.config.launcher
    executor = executor_for(launcher, settings, results_dir / "jobs", f"ganbench-{experiment.name}")
    world_size = cell_world_size(settings)
    if settings.gpus_per_node > 1 and world_size == 1:
        pipeline = dataclasses.replace(pipeline, train=TorchrunTrain(settings.gpus_per_node,
                                                                     settings.max_restarts))
    slurm = launcher == "slurm"
    if not slurm:
        return _run_submitit_local(executor, cells, results_dir, catalog, experiment, pipeline, log)
    with executor.batch():  # one job array on SLURM
        submitted = [(cell, executor.submit(CellJob(world_size), cell, results_dir, catalog, experiment,
                                            pipeline, slurm)) for cell in cells]
    _record_jobs(submitted, results_dir, launcher, log)
    log(f"{len(cells)} cell job(s) submitted; follow them with `ganbench status {results_dir}`; the last "
        "one to finish writes the report")
    return {cell.name: CellOutcome(cell, "queued") for cell in cells}


def _record_jobs(submitted: list, results_dir: Path, launcher: str, log: Log) -> None:
    for cell, job in submitted:
        marker = {"job_id": str(job.job_id), "launcher": launcher, "stdout": str(job.paths.stdout),
                  "submitted_at": datetime.now(UTC).isoformat(timespec="seconds")}
        cell.folder(results_dir).mkdir(parents=True, exist_ok=True)
        (cell.folder(results_dir) / JOB_FILE).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        log(f"{cell.name}: submitted as job {job.job_id} ({launcher})")


def _run_submitit_local(executor: submitit.AutoExecutor, cells: list[Cell], results_dir: Path, catalog: Path,
                        experiment: Experiment, pipeline: Pipeline, log: Log) -> dict[str, CellOutcome]:
    """submitit-local: the cells as jobs on this machine, each on GPUs of its own (:func:`gpu_slots`), at
    most as many at once as there are slots; returns one outcome per cell."""
    slots = gpu_slots(experiment.config.launcher, len(cells))
    waiting, running, outcomes = list(cells), [], {}
    while waiting or running:
        while waiting and len(running) < len(slots):
            cell, index = waiting.pop(0), _free(len(slots), running)
            slot = slots[index]
            # visible_gpus is a LocalExecutor parameter that AutoExecutor does not pass on
            executor._executor.update_parameters(gpus_per_node=len(slot), visible_gpus=slot,
                                                 name=f"ganbench-{experiment.name}-{cell.name}")
            job = executor.submit(CellJob(cell_world_size(experiment.config.launcher)), cell, results_dir,
                                  catalog, experiment, pipeline, False)
            _record_jobs([(cell, job)], results_dir, "submitit-local", log)
            running.append((cell, job, index))
        finished = [entry for entry in running if entry[1].done()]
        if not finished:
            time.sleep(0.5)
        for entry in finished:
            running.remove(entry)
            outcomes[entry[0].name] = _job_outcome(entry[0], entry[1], log)
    return outcomes


def _free(n_slots: int, running: list) -> int:
    """The first slot no running job holds."""
    used = {entry[2] for entry in running}
    return next(index for index in range(n_slots) if index not in used)


def gpu_slots(settings: LauncherConfig, n_cells: int) -> list[tuple[int, ...]]:
    """The GPU sets submitit-local cell jobs run on, one per job at a time: each job gets
    ``max(1, gpus_per_node)`` GPUs of its own (0 does not mean "the CPU" on a machine with GPUs: submitit
    would hide them all), as many jobs at once as the visible GPUs allow; on a machine without GPUs every
    cell at once. ``max_parallel`` caps the number either way."""
    visible = _visible_gpus()
    per_job = max(1, settings.gpus_per_node)
    slots = [tuple(visible[i : i + per_job]) for i in range(0, len(visible) - per_job + 1, per_job)]
    if not visible:
        slots = [()] * max(1, n_cells)
    elif not slots:
        raise LauncherError(f"launcher.gpus_per_node = {settings.gpus_per_node} but this machine shows "
                            f"{len(visible)} GPU(s)")
    return slots[: settings.max_parallel] if settings.max_parallel else slots


def _visible_gpus() -> list[int]:
    """The GPU indices cell jobs may use: CUDA_VISIBLE_DEVICES when it lists numbers, else every device."""
    import torch

    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None and all(part.strip().isdigit() for part in listed.split(",") if part.strip()):
        return [int(part) for part in listed.split(",") if part.strip()]
    return list(range(torch.cuda.device_count()))


def _job_outcome(cell: Cell, job: Any, log: Log) -> CellOutcome:
    try:
        outcome = job.results()[0]  # a job of several tasks (ranks): rank 0's outcome, any task's failure
    except (submitit.core.utils.FailedJobError, submitit.core.utils.UncompletedJobError) as error:
        lines = str(error).strip().splitlines()
        reason = lines[-1] if lines else type(error).__name__
        outcome = CellOutcome(cell, "failed", error=f"job {job.job_id}: {reason}")
    log(f"{cell.name}: {outcome.status} (job {job.job_id})")
    return outcome

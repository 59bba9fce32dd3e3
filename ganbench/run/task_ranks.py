"""Cell jobs of more than one task: every submitit task is one training rank (multi-node cells).

With ``launcher.nodes = N`` (or an explicit ``launcher.tasks_per_node``) a cell job is ``N x tasks``
submitit tasks (SLURM: ``--nodes N --ntasks-per-node tasks``; submitit-local: ``tasks`` processes on this
machine), ``tasks`` being one per GPU (``max(gpus_per_node, 1)``) unless set. Each task:

1. exports ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK`` / ``MASTER_ADDR`` / ``MASTER_PORT`` from
   ``submitit.helpers.TorchDistributedEnvironment`` (the first host of the job, a port drawn from the job
   id unless ``MASTER_PORT`` is set), the variables torchrun sets, so training reads them through
   :func:`ganbench.train.distributed.launched_ranks` exactly as under torchrun;
2. joins the process group (:func:`ganbench.train.distributed.setup_distributed`: nccl on CUDA with
   ``cuda:LOCAL_RANK``, gloo on CPU);
3. rank 0 runs the cell (:func:`ganbench.run.runner.run_cell`: claim, train or resume, render, evaluate);
   when it reaches the train step it tells the other ranks whether to start or resume, and every rank
   then runs the pipeline's train step in the group (the same ``train_run`` as a torchrun rank of
   ``ganbench train``, rank 0 holding the run folder's lock); rank 0 alone writes. When the cell needs
   no training (finished, busy, failed before it) rank 0 tells the others to leave.

A rank that fails in training leaves the others waiting in a collective until
``train.distributed_timeout_min``: unlike torchrun, SLURM does not stop a job's other tasks.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import torch.distributed as dist

from ganbench.config import LauncherConfig, RunConfig
from ganbench.run.cells import Cell
from ganbench.run.runner import CellOutcome, Pipeline, run_cell
from ganbench.run.train_lock import run_folder_lock
from ganbench.train.distributed import Ranks, launched_ranks, setup_distributed, teardown_distributed
from ganbench.train.precision import resolve_device

TRAIN, LEAVE = "train", "leave"


def tasks_per_node(settings: LauncherConfig) -> int:
    """The submitit tasks of a cell job on each node: ``tasks_per_node`` when set, else one per GPU on a
    multi-node cell and one task (which may start torchrun) on a single node."""
    if settings.tasks_per_node:
        return settings.tasks_per_node
    return max(settings.gpus_per_node, 1) if settings.nodes > 1 else 1


def cell_world_size(settings: LauncherConfig) -> int:
    """How many training ranks a cell job's tasks form (1: the job trains in one task)."""
    return settings.nodes * tasks_per_node(settings)


def join_task_group(config: RunConfig) -> Ranks:
    """This submitit task's rank, exported as torchrun's variables, and the joined process group."""
    from submitit.helpers import TorchDistributedEnvironment

    # CUDA_VISIBLE_DEVICES is left alone: setup_distributed picks cuda:LOCAL_RANK among the node's GPUs
    TorchDistributedEnvironment().export(set_cuda_visible_devices=False, overwrite=True)
    ranks, _ = setup_distributed(resolve_device(config.train.device), launched_ranks(),
                                 timeout_min=config.train.distributed_timeout_min)
    return ranks


def run_cell_as_rank(cell: Cell, results_dir: Path, catalog: Path, pipeline: Pipeline,
                     ranks: Ranks) -> CellOutcome:
    """The cell on rank 0, its training on every rank (see the module docstring); returns rank 0's
    outcome on rank 0 and a ``done`` outcome naming the rank on the others."""
    if not ranks.is_main:
        order = _order(None)
        if order[0] == TRAIN:
            _train_in_group(pipeline, cell.config, cell.folder(results_dir) / "run", order[1], main=False)
        else:
            teardown_distributed(wait_for_all=True)
        return CellOutcome(cell, "done", steps=[f"rank {ranks.rank}: {order[0]}"])
    leader = _LeaderTrain(pipeline)
    try:
        return run_cell(cell, results_dir, catalog, dataclasses.replace(pipeline, train=leader))
    finally:
        if not leader.ordered:
            _order((LEAVE, False))
            teardown_distributed(wait_for_all=True)


class _LeaderTrain:
    """Rank 0's train step: order the other ranks to train (with the same resume flag), then train."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline, self.ordered = pipeline, False

    def __call__(self, config: RunConfig, run_dir: Path, resume: bool) -> Any:
        _order((TRAIN, resume))
        self.ordered = True
        return _train_in_group(self.pipeline, config, Path(run_dir), resume, main=True)


def _train_in_group(pipeline: Pipeline, config: RunConfig, run_dir: Path, resume: bool, main: bool) -> Any:
    """The pipeline's train step in the group, then leave it (waiting for every rank after success), as
    ``ganbench train`` does under torchrun (:func:`ganbench.train.start.train_in_group`)."""
    try:
        with run_folder_lock(run_dir, main):
            result = pipeline.train(config, run_dir, resume)
        teardown_distributed(wait_for_all=True)
        return result
    finally:
        teardown_distributed()


def _order(message: tuple[str, bool] | None) -> tuple[str, bool]:
    """Rank 0's ``message`` on every rank (the others pass None)."""
    box = [message]
    dist.broadcast_object_list(box, src=0)
    return box[0]

"""Data-parallel training across processes started by ``torchrun`` (torch.distributed).

``torchrun --standalone --nproc-per-node N --no-python ganbench train ...`` starts N copies of the
command with ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK`` set; :func:`setup_distributed` joins them into one
process group (nccl on CUDA, one GPU per local rank; gloo on CPU). Without those variables (or with a
world of one) nothing here is used and training is the single-process path, unchanged.

How gradients are synchronised, and why not ``DistributedDataParallel(model)``: a registered model owns
its training step. It runs its own discriminator and generator updates inside ``train_step`` and calls
its submodules' methods (``critic.features``, ``critic.conditional_logits``...) rather than one
``forward``, so wrapping it (or its submodules) in DDP would either miss those calls (DDP only hooks
``forward``) or force every plugin to be written for DDP. The harness instead installs one hook on each
optimiser the model returns from ``configure_optimizers`` (:func:`average_gradients_before_step`): just
before ``optimizer.step()`` the gradients of that optimiser's parameters are averaged over the ranks
(one flattened ``all_reduce`` per step and optimiser). A model's losses are means over its conditioned
samples, one per query step for a model that reads the query stream (2-7 per item, so ranks hold
different numbers) and one per item for a model that reads titles; the ranks' gradients are therefore
weighted by their sample counts (each rank's gradient times its count, summed, divided by the summed
count, one ``all_reduce`` with the count appended), which makes the result the gradient of the mean over
the global batch, what one process with the whole batch computes (tested with variable steps). The count
comes from the model's declared ``text_policy().reads``, never its name; a loss over another set (the
final step's class term: one per item) is weighted by the same count, a small approximation. Weights
start identical (broadcast from rank 0) and every rank applies the same update, so they stay identical,
and so does the EMA each rank keeps. Batch-norm statistics stay per rank (StackGAN's own multi-GPU
behaviour) unless ``train.sync_batchnorm`` converts the layers to ``SyncBatchNorm`` (CUDA only: PyTorch's
kernel is).

Data: the global batch of a step is exactly the single-process batch (``train.batch_size`` items, a pure
function of seed and step); rank r takes its r-th contiguous slice, so every epoch is sharded across
ranks without overlap, reseeded per epoch, and a resumed run sees the same batches. Rank 0 alone writes
logs, samples and checkpoints; every rank reads the checkpoint on ``--resume``. The checkpoint stores
every rank's RNG state (``extra["rank_rng"]``), so a resumed run draws the noise it would have drawn.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from ganbench.train.checkpoint import capture_rng, restore_rng
from ganbench.train.seeding import seed_everything


class DistributedError(ValueError):
    """A distributed launch that cannot train as configured (world larger than the batch, ...)."""


class LocalSamples:
    """How many samples this rank's current step averages its losses over (0: not counted, equal weights)."""

    def __init__(self) -> None:
        self.count = 0.0


@dataclass(frozen=True)
class Ranks:
    """This process's place among the training processes; ``world_size == 1`` is the plain single run.
    ``samples`` is set per step by :func:`count_samples` and weights the averages over ranks."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    samples: LocalSamples = field(default_factory=LocalSamples, compare=False, repr=False)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def average(self, values: Mapping[str, float]) -> dict[str, float]:
        """The mean of each named scalar over the ranks, weighted by their sample counts when counted (the
        logged losses: then the mean over the global batch)."""
        if not self.distributed or not values:
            return dict(values)
        weight = self.samples.count or 1.0
        tensor = torch.tensor([*(v * weight for v in values.values()), weight], dtype=torch.float64,
                              device=_collective_device())
        dist.all_reduce(tensor)
        return dict(zip(values, (tensor[:-1] / tensor[-1]).tolist(), strict=True))

    def largest(self, value: int) -> int:
        """The largest ``value`` over the ranks, on every rank (a stop signal seen by one rank stops all)."""
        if not self.distributed:
            return value
        tensor = torch.tensor([int(value)], device=_collective_device())
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return int(tensor.item())


SINGLE_PROCESS = Ranks()


def _collective_device() -> torch.device:
    """Where small collective tensors live: the current GPU under nccl, the CPU under gloo."""
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def launched_ranks(environ: Mapping[str, str] = os.environ) -> Ranks:
    """The ranks torchrun (or any launcher setting the same variables) gave this process."""
    try:
        world = int(environ.get("WORLD_SIZE", "1"))
        return Ranks(int(environ.get("RANK", "0")), world, int(environ.get("LOCAL_RANK", "0")))
    except ValueError:
        raise DistributedError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers (as torchrun sets "
                               f"them), got {environ.get('RANK')!r}, {environ.get('WORLD_SIZE')!r}, "
                               f"{environ.get('LOCAL_RANK')!r}") from None


def setup_distributed(device: torch.device, ranks: Ranks | None = None,
                      timeout_min: int = 30) -> tuple[Ranks, torch.device]:
    """Join the process group when launched with a world of more than one; returns the ranks and the
    device this rank trains on (``cuda:LOCAL_RANK`` on CUDA, also passed as ``device_id`` so NCCL binds
    its communicator to that GPU at once). ``timeout_min``: how long a collective waits for the others
    (``train.distributed_timeout_min``)."""
    ranks = ranks or launched_ranks()
    if not ranks.distributed:
        return ranks, device
    if device.type == "cuda":
        if ranks.local_rank >= torch.cuda.device_count():
            raise DistributedError(f"local rank {ranks.local_rank} has no GPU: this node has "
                                   f"{torch.cuda.device_count()}; start at most that many processes per node")
        device = torch.device("cuda", ranks.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        timeout = timedelta(minutes=timeout_min)
        dist.init_process_group(backend, rank=ranks.rank, world_size=ranks.world_size, timeout=timeout,
                                device_id=device if device.type == "cuda" else None,
                                **_attempt_store(ranks, timeout))
    return ranks, device


def _attempt_store(ranks: Ranks, timeout: timedelta) -> dict:
    """Under torchrun, the process-group store under a prefix of this worker group's attempt
    (``TORCHELASTIC_RESTART_COUNT``). The agent's store outlives a ``--max-restarts`` restart, and without
    the prefix the restarted ranks read the dead group's addresses from it (measured: gloo's connectFullMesh
    then timed out connecting to the killed rank's port). Outside torchrun: {} (``env://`` as usual)."""
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT")
    if attempt is None:
        return {}
    store, _, _ = next(dist.rendezvous("env://", ranks.rank, ranks.world_size, timeout=timeout))
    return {"store": dist.PrefixStore(f"ganbench/attempt-{attempt}/", store)}


def teardown_distributed(wait_for_all: bool = False) -> None:
    """Leave the process group, if this process joined one. ``wait_for_all`` (on success only: a failed
    rank never arrives) first waits at a barrier, so no rank tears down its connections while another still
    uses them (measured: gloo then aborted rank 0 with "terminate called without an active exception")."""
    if dist.is_initialized():
        if wait_for_all:
            dist.barrier()
        dist.destroy_process_group()


MIN_ITEMS_PER_RANK = 2  # batch norm needs two values per channel; a mismatching pair needs another item


def local_batch_size(batch_size: int, ranks: Ranks) -> int:
    """Each rank's share of ``train.batch_size``; the global batch must split evenly, at least
    :data:`MIN_ITEMS_PER_RANK` items per rank."""
    if batch_size < MIN_ITEMS_PER_RANK * ranks.world_size:
        raise DistributedError(
            f"{ranks.world_size} training processes but train.batch_size = {batch_size}: the global batch is "
            f"split across processes and each needs at least {MIN_ITEMS_PER_RANK} items (batch norm needs "
            "two values per channel, a mismatching pair another item); raise train.batch_size to "
            f"{MIN_ITEMS_PER_RANK * ranks.world_size} or more, or start fewer processes")
    if batch_size % ranks.world_size:
        raise DistributedError(f"train.batch_size = {batch_size} does not split evenly across "
                               f"{ranks.world_size} training processes; use a multiple of {ranks.world_size}")
    return batch_size // ranks.world_size


class RankShardSampler:
    """This rank's contiguous slice of every global batch a batch sampler yields."""

    def __init__(self, global_batches: Any, ranks: Ranks) -> None:
        self.global_batches, self.ranks = global_batches, ranks

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.global_batches:
            share = len(batch) // self.ranks.world_size
            yield batch[self.ranks.rank * share : (self.ranks.rank + 1) * share]

    def __len__(self) -> int:
        return len(self.global_batches)


def _average_gradients(optimizer: torch.optim.Optimizer, ranks: Ranks) -> None:
    """The sample-weighted mean of the ranks' gradients (plain mean when no rank counted its samples)."""
    grads = [p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
    if not grads:
        return
    weight = ranks.samples.count or 1.0
    flat = torch.cat([*(g.reshape(-1) for g in grads), grads[0].new_ones(1)])
    flat.mul_(weight)
    dist.all_reduce(flat)
    flat[:-1].div_(flat[-1])
    offset = 0
    for grad in grads:
        grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
        offset += grad.numel()


def count_samples(batches: Iterable[dict], ranks: Ranks, reads: str) -> Iterator[dict]:
    """``batches`` unchanged, setting ``ranks.samples`` to each batch's number of conditioned samples as
    the training loop takes it: the batch's query steps for a model that reads the query stream, its
    items for one that reads titles (``reads``: the model's ``text_policy().reads``)."""
    for batch in batches:
        steps = batch["n_steps"]
        ranks.samples.count = float(steps.sum()) if reads == "query_stream" else float(len(steps))
        yield batch


def average_gradients_before_step(optimizers: Mapping[str, torch.optim.Optimizer], ranks: Ranks) -> None:
    """Make every ``optimizer.step()`` of the model first average its gradients over the ranks.

    Every rank runs the same code on the same phase, so the set of parameters holding a gradient is the
    same on every rank (the collective would hang otherwise; a model whose gradients depend on its data
    would need a fixed set: keep ``zero_grad(set_to_none=False)`` there)."""
    if not ranks.distributed:
        return
    for optimizer in optimizers.values():
        optimizer.register_step_pre_hook(
            lambda opt, args, kwargs: _average_gradients(opt, ranks))


def broadcast_weights(model: nn.Module, ranks: Ranks) -> None:
    """Rank 0's parameters and buffers on every rank (identical start, as DDP does)."""
    if not ranks.distributed:
        return
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            dist.broadcast(tensor.data, src=0)


def use_sync_batchnorm(model: nn.Module, ranks: Ranks, device: torch.device) -> nn.Module:
    """``train.sync_batchnorm``: batch-norm statistics over the global batch (CUDA only)."""
    if device.type != "cuda":
        raise DistributedError("train.sync_batchnorm = true needs CUDA (PyTorch's SyncBatchNorm has no CPU "
                               "kernel); set it to false on CPU")
    if not ranks.distributed:
        return model
    return nn.SyncBatchNorm.convert_sync_batchnorm(model)


def rank_seed(seed: int, rank: int) -> int:
    """A seed for ``rank``'s noise stream derived from ``seed``, within NumPy's 0 .. 2**32 - 1 for every
    seed and rank (NumPy's SeedSequence mixes the pair; a product such as seed * 1_000_003 overflowed)."""
    return int(np.random.SeedSequence([seed, rank]).generate_state(1)[0])


def seed_rank(seed: int, ranks: Ranks) -> None:
    """Each rank its own noise stream (after the identical weight initialisation)."""
    if ranks.distributed:
        seed_everything(rank_seed(seed, ranks.rank))


def gather_rng(ranks: Ranks) -> list[dict[str, Any]]:
    """Every rank's RNG state, in rank order (a collective: every rank must call it)."""
    if not ranks.distributed:
        return [capture_rng()]
    states: list[Any] = [None] * ranks.world_size
    dist.all_gather_object(states, capture_rng())
    return states


def restore_rank_rng(extra: Mapping[str, Any], ranks: Ranks, seed: int, step: int) -> None:
    """This rank's RNG state from a checkpoint written by a run of the same world size; after a change
    of world size (or from a single-process checkpoint) a fresh per-rank stream derived from the step."""
    if not ranks.distributed:
        return
    states = extra.get("rank_rng")
    if isinstance(states, list) and len(states) == ranks.world_size:
        restore_rng(states[ranks.rank])
    else:
        seed_rank(seed + step, ranks)

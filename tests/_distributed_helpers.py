"""Workers of the data-parallel tests, importable by ``torch.multiprocessing.spawn``'s child processes.

The stand-in model is batch-norm free and deterministic (its noise comes with the batch), trains like a
registered model (its own discriminator then generator optimiser step inside ``train_step``) and uses
plain SGD so an update is proportional to the gradient (Adam's first step is nearly its sign, which would
hide a wrong average).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch
import torch.distributed as dist
from _train_helpers import adversarial_step
from torch import nn

from ganbench.train.distributed import (
    Ranks,
    RankShardSampler,
    average_gradients_before_step,
    broadcast_weights,
    count_samples,
    setup_distributed,
    teardown_distributed,
)

FEATURES, NOISE = 6, 3


class StandIn(nn.Module):
    """Generator: noise -> features; discriminator: features -> logit. No batch-norm, SGD."""

    def __init__(self) -> None:
        super().__init__()
        self.generator = nn.Sequential(nn.Linear(NOISE, 8), nn.Tanh(), nn.Linear(8, FEATURES))
        self.discriminator = nn.Sequential(nn.Linear(FEATURES, 8), nn.Tanh(), nn.Linear(8, 1))
        self.optimizers = {"generator": torch.optim.SGD(self.generator.parameters(), lr=0.5),
                           "discriminator": torch.optim.SGD(self.discriminator.parameters(), lr=0.5)}

    def train_step(self, batch: dict[str, torch.Tensor]) -> None:
        adversarial_step(self.discriminator, self.optimizers, batch["real"], self.generator(batch["noise"]))


def global_batch(size: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(7)
    return {"real": torch.randn(size, FEATURES, generator=generator),
            "noise": torch.randn(size, NOISE, generator=generator)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_step_worker(rank: int, world_size: int, port: int, batch_size: int, out: str) -> None:
    """One training step of the stand-in on this rank's share of the global batch; rank 0 saves weights."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    ranks, _ = setup_distributed(torch.device("cpu"), Ranks(rank, world_size, rank))
    torch.manual_seed(100 + rank)  # different weights per rank: the broadcast must make them equal
    model = StandIn()
    average_gradients_before_step(model.optimizers, ranks)
    broadcast_weights(model, ranks)
    if rank == 0:
        torch.save(model.state_dict(), Path(out) / "start.pt")
    batch = global_batch(batch_size)
    positions = next(iter(RankShardSampler([list(range(batch_size))], ranks)))
    model.train_step({name: values[positions] for name, values in batch.items()})
    gathered = [None] * world_size
    dist.all_gather_object(gathered, {k: v.clone() for k, v in model.state_dict().items()})
    if rank == 0:
        torch.save(gathered, Path(out) / "after.pt")
    teardown_distributed(wait_for_all=True)


class StepsStandIn(StandIn):
    """The stand-in as a model that reads query streams: every item has ``n_steps`` samples (one per
    step, item-major) and its losses are means over all samples of the batch."""

    def train_step(self, batch: dict[str, torch.Tensor]) -> None:
        per_step = torch.repeat_interleave(torch.arange(len(batch["n_steps"])), batch["n_steps"])
        adversarial_step(self.discriminator, self.optimizers, batch["real"][per_step],
                         self.generator(batch["noise"][per_step]))


def steps_batch(size: int) -> dict[str, torch.Tensor]:
    """A global batch whose first half has 2 steps per item and second half 7 (the ranks' counts differ)."""
    return global_batch(size) | {"n_steps": torch.tensor([2] * (size // 2) + [7] * (size - size // 2))}


def variable_steps_worker(rank: int, world_size: int, port: int, batch_size: int, out: str) -> None:
    """One step of :class:`StepsStandIn` on this rank's share, counted as the harness counts it."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    ranks, _ = setup_distributed(torch.device("cpu"), Ranks(rank, world_size, rank))
    torch.manual_seed(100)
    model = StepsStandIn()
    average_gradients_before_step(model.optimizers, ranks)
    batch = steps_batch(batch_size)
    positions = next(iter(RankShardSampler([list(range(batch_size))], ranks)))
    share = {name: values[positions] for name, values in batch.items()}
    for counted in count_samples([share], ranks, "query_stream"):
        model.train_step(counted)
    if rank == 0:
        torch.save(model.state_dict(), Path(out) / "after.pt")
    teardown_distributed(wait_for_all=True)

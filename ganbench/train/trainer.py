"""The one training loop: the model's phases in order, EMA, precision, logs, samples, checkpoints.

Each phase of ``model.phases()`` runs for the sum of the settings its budget names (StackGAN:
``stage1`` runs ``train.stage1_steps`` iterations, ``stage2`` ``train.stage2_steps``). Steps are counted
globally across phases. Ctrl-C (or SIGTERM, SIGUSR1, SIGUSR2) finishes the current step, checkpoints it
and raises
:class:`~ganbench.train.interrupt.TrainingInterrupted` (see :mod:`ganbench.train.interrupt`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from ganbench.config import ConfigError, RunConfig, TrainConfig, config_as_dict, flatten
from ganbench.config.schema import RUN_SECTIONS
from ganbench.models.base import TrainingPhase
from ganbench.train.distributed import SINGLE_PROCESS, Ranks
from ganbench.train.ema import EMA
from ganbench.train.interrupt import InterruptRequest, TrainingInterrupted, deferred_interrupt
from ganbench.train.logging import ScalarLog
from ganbench.train.precision import Precision
from ganbench.train.progress import TrainingProgress
from ganbench.train.schedule import phase_lr_schedule


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. a loss became NaN); the last checkpoint is kept."""


@dataclass(frozen=True)
class Phase:
    name: str
    start: int
    stop: int


def phase_schedule(phases: list[TrainingPhase], config: RunConfig) -> list[Phase]:
    """Consecutive global step ranges of the model's training phases, each as long as its budget."""
    settings = flatten(config_as_dict(config, RUN_SECTIONS))
    schedule, start = [], 0
    for phase in phases:
        steps = 0
        for key in phase.budget:
            value = settings.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"model {config.model.name!r}: phase {phase.name!r} counts its steps with "
                                  f"'{key}', which is not a setting of 0 or more steps here (got {value!r})")
            steps += value
        schedule.append(Phase(phase.name, start, start + steps))
        start += steps
    return schedule


def to_device(value: Any, device: torch.device, channels_last: bool) -> Any:
    """``value`` (nested dicts of tensors) on ``device``; 4-D tensors channels-last when asked."""
    if isinstance(value, dict):
        return {k: to_device(v, device, channels_last) for k, v in value.items()}
    if isinstance(value, torch.Tensor):
        value = value.to(device, non_blocking=True)
        if channels_last and value.dim() == 4:
            return value.contiguous(memory_format=torch.channels_last)
    return value


@dataclass
class Trainer:
    model: Any  # a GanModel
    ema: EMA
    precision: Precision
    log: ScalarLog | None  # None on ranks other than 0
    train: TrainConfig
    schedule: list[Phase]
    batches: Callable[[int, int], Iterable[dict]]  # (first step, stop step) -> batches in step order
    save_checkpoint: Callable[[int], None]
    draw_samples: Callable[[int], None]
    optimizers: dict[str, torch.optim.Optimizer] = field(default_factory=dict)  # for the lr schedule
    diagnostics: Callable[[], dict[str, float]] = dict  # extra scalars for each log row
    progress: TrainingProgress = field(default_factory=TrainingProgress)
    ranks: Ranks = SINGLE_PROCESS  # under torchrun: rank 0 logs and samples, losses averaged over ranks

    def fit(self, start: int, stop: int | None = None) -> int:
        """Train from global step ``start`` to the schedule's end (or ``stop``); returns the step reached."""
        reached = start
        self.progress.begin(self.schedule[-1].stop if self.schedule else 0)
        self.model.train()
        with deferred_interrupt(self.progress.write) as interrupt:
            for phase in self.schedule:
                last = phase.stop if stop is None else min(phase.stop, stop)
                if max(reached, phase.start) < last:
                    reached = self._run_phase(phase, max(reached, phase.start), last, interrupt)
        self.save_checkpoint(reached)
        return reached

    def _step(self, batch: dict, step: int, phase: str) -> dict[str, float]:
        """One training step and the EMA update; its losses as floats."""
        with self.precision.autocast():
            losses = {k: float(v) for k, v in self.model.train_step(batch, step, phase).items()}
        if not all(math.isfinite(v) for v in losses.values()):
            raise TrainingError(f"step {step + 1} ({phase}): non-finite loss {losses}; the last checkpoint "
                                "is kept, try a lower train.lr or train.precision = 'fp32'")
        self.ema.update(self.model.generator)
        return losses

    def _log(self, done: int, phase: str, losses: dict[str, float], rate: float) -> None:
        if self.ranks.is_main:
            self.log.write(done, phase, {**losses, **self.diagnostics(), "img_per_s": rate})
            self.progress.log(done, phase, losses, rate)

    def _run_phase(self, phase: Phase, first: int, last: int, interrupt: InterruptRequest) -> int:
        device, train = self.precision.device, self.train
        self.progress.start_phase(phase.name, first, phase.start, phase.stop)
        tick, images = time.perf_counter(), 0
        rates = phase_lr_schedule(self.optimizers, train, first - phase.start)
        try:
            for step, batch in zip(range(first, last), self.batches(first, last), strict=True):
                rates.before_step()
                losses = self._step(to_device(batch, device, train.channels_last), step, phase.name)
                done, images = step + 1, images + len(batch["n_steps"]) * self.ranks.world_size
                if done % train.log_every == 0 or done == phase.stop:
                    self._log(done, phase.name, self.ranks.average(losses), images / max(
                        time.perf_counter() - tick, 1e-9))
                    tick, images = time.perf_counter(), 0
                if (done % train.sample_every == 0 or done == phase.stop) and self.ranks.is_main:
                    self.draw_samples(done)
                self.progress.step()
                signum = self.ranks.largest(interrupt.signum)  # checked before the next batch is fetched
                if signum:
                    self.save_checkpoint(done)
                    raise TrainingInterrupted(done, self.progress.total, signum)
                if done % train.checkpoint_every == 0 and done != last:
                    self.save_checkpoint(done)
        finally:
            self.progress.end_phase()
        return last

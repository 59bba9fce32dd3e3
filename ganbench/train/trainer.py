"""The one training loop: phases from ``model.stages()``, EMA, precision, logs, samples, checkpoints.

The step budget: ``stage1`` runs ``train.stage1_steps`` iterations, ``stage2`` runs ``train.stage2_steps``,
and a model that trains ``joint``-ly gets their sum. Steps are counted globally across phases.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from tqdm.auto import tqdm

from ganbench.config.schema import TrainConfig
from ganbench.train.ema import EMA
from ganbench.train.logging import ScalarLog
from ganbench.train.precision import Precision
from ganbench.train.schedule import apply_lr_decay


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. a loss became NaN); the last checkpoint is kept."""


@dataclass(frozen=True)
class Phase:
    name: str
    start: int
    stop: int


def phase_schedule(stages: list[str], train: TrainConfig) -> list[Phase]:
    """Consecutive global step ranges of the model's training phases."""
    budget = {"stage1": train.stage1_steps, "stage2": train.stage2_steps,
              "joint": train.stage1_steps + train.stage2_steps}
    phases, start = [], 0
    for name in stages:
        if name not in budget:
            raise ValueError(f"model stage {name!r} is not one of {sorted(budget)}")
        phases.append(Phase(name, start, start + budget[name]))
        start += budget[name]
    return phases


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
    log: ScalarLog
    train: TrainConfig
    batches: Callable[[int, int], Iterable[dict]]  # (first step, stop step) -> batches in step order
    save_checkpoint: Callable[[int], None]
    draw_samples: Callable[[int], None]
    optimizers: dict[str, torch.optim.Optimizer] = field(default_factory=dict)  # for the lr schedule
    diagnostics: Callable[[], dict[str, float]] = dict  # extra scalars for each log row

    def fit(self, start: int, stop: int | None = None) -> int:
        """Train from global step ``start`` to the schedule's end (or ``stop``); returns the step reached."""
        reached = start
        self.model.train()
        for phase in phase_schedule(self.model.stages(), self.train):
            last = phase.stop if stop is None else min(phase.stop, stop)
            if max(reached, phase.start) < last:
                reached = self._run_phase(phase, max(reached, phase.start), last)
        self.save_checkpoint(reached)
        return reached

    def _run_phase(self, phase: Phase, first: int, last: int) -> int:
        device, train = self.precision.device, self.train
        bar = tqdm(total=phase.stop - phase.start, initial=first - phase.start, desc=phase.name, leave=False)
        tick, images = time.perf_counter(), 0
        for step, batch in zip(range(first, last), self.batches(first, last), strict=True):
            batch = to_device(batch, device, train.channels_last)
            apply_lr_decay(self.optimizers, step - phase.start, train)
            with self.precision.autocast():
                losses = {k: float(v) for k, v in self.model.train_step(batch, step, phase.name).items()}
            if not all(math.isfinite(v) for v in losses.values()):
                raise TrainingError(f"step {step + 1} ({phase.name}): non-finite loss {losses}; the last "
                                    "checkpoint is kept, try a lower train.lr or train.precision = 'fp32'")
            self.ema.update(self.model.generator)
            done, images = step + 1, images + len(batch["n_steps"])
            if done % train.log_every == 0 or done == phase.stop:
                rate = images / max(time.perf_counter() - tick, 1e-9)
                self.log.write(done, phase.name, {**losses, **self.diagnostics(), "img_per_s": rate})
                bar.set_postfix({**{k: f"{v:.3g}" for k, v in losses.items()}, "img/s": f"{rate:.1f}"})
                tick, images = time.perf_counter(), 0
            if done % train.sample_every == 0 or done == phase.stop:
                self.draw_samples(done)
            if done % train.checkpoint_every == 0 and done != last:
                self.save_checkpoint(done)
            bar.update(1)
        bar.close()
        return last

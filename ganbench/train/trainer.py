"""The one training loop: the model's phases in order, EMA, precision, logs, samples, checkpoints.

Each phase of ``model.phases()`` runs for the sum of the settings its budget names (StackGAN:
``stage1`` runs ``train.stage1_steps`` iterations, ``stage2`` ``train.stage2_steps``). Steps are counted
globally across phases.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from tqdm.auto import tqdm

from ganbench.config import ConfigError, RunConfig, flatten
from ganbench.config.schema import RUN_SECTIONS, TrainConfig
from ganbench.config.validate import config_as_dict
from ganbench.models.base import TrainingPhase
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
    log: ScalarLog
    train: TrainConfig
    schedule: list[Phase]
    batches: Callable[[int, int], Iterable[dict]]  # (first step, stop step) -> batches in step order
    save_checkpoint: Callable[[int], None]
    draw_samples: Callable[[int], None]
    optimizers: dict[str, torch.optim.Optimizer] = field(default_factory=dict)  # for the lr schedule
    diagnostics: Callable[[], dict[str, float]] = dict  # extra scalars for each log row

    def fit(self, start: int, stop: int | None = None) -> int:
        """Train from global step ``start`` to the schedule's end (or ``stop``); returns the step reached."""
        reached = start
        self.model.train()
        for phase in self.schedule:
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

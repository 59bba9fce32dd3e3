"""Learning-rate decay: StackGAN's step schedule, as torch's ``StepLR`` restarted at each phase.

StackGAN halves both learning rates every ``LR_DECAY_EPOCH`` epochs (StackGAN-Pytorch ``trainer.py``;
its configs use 20), and trains Stage I and Stage II as separate runs that each start at the full rate.
Here ``train.lr_decay_every`` steps play the epochs' part and count from the start of each phase: every
phase gets fresh ``StepLR`` schedulers over the rates the optimisers were built with (``initial_lr``).

Nothing of the schedule is saved: a resumed phase rebuilds its schedulers and steps them forward to the
step it resumes at, the same chain of multiplications an uninterrupted run made, so ``--resume`` gives
the same rates bit for bit (and checkpoints keep their format). The rate of step ``s`` is set before
step ``s`` runs, so a checkpoint holds the rate of its last step, as before StepLR replaced our own
function (issue 20).
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch.optim.lr_scheduler import StepLR


class PhaseLrSchedule:
    """One ``StepLR`` per optimiser for one phase; :meth:`before_step` sets the rate of each step."""

    def __init__(self, optimizers: dict[str, torch.optim.Optimizer], every: int, factor: float,
                 phase_step: int) -> None:
        self.schedulers: list[StepLR] = []
        self.first = True
        if every <= 0:
            return
        for optimizer in optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = group.setdefault("initial_lr", group["lr"])  # each phase starts at full rate
            self.schedulers.append(StepLR(optimizer, step_size=every, gamma=factor))
        for _ in range(phase_step):  # resuming inside the phase: the steps already taken
            self._advance()

    def before_step(self) -> None:
        """Set the rate of the step about to run (the phase's first step keeps the starting rate)."""
        if not self.first:
            self._advance()
        self.first = False

    def _advance(self) -> None:
        with warnings.catch_warnings():  # an optimiser a phase does not train is never stepped
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step\\(\\)`")
            for scheduler in self.schedulers:
                scheduler.step()


def phase_lr_schedule(optimizers: dict[str, torch.optim.Optimizer], train: Any,
                      phase_step: int) -> PhaseLrSchedule:
    """The schedule of a phase resumed ``phase_step`` steps after its start (0: from its start); does
    nothing while ``train.lr_decay_every`` is 0."""
    return PhaseLrSchedule(optimizers, train.lr_decay_every, train.lr_decay_factor, phase_step)

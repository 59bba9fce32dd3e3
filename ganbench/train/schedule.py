"""Learning-rate decay: StackGAN's step schedule, as a pure function of the step within a phase.

StackGAN halves both learning rates every ``LR_DECAY_EPOCH`` epochs (StackGAN-Pytorch ``trainer.py``;
its configs use 20), and trains Stage I and Stage II as separate runs that each start at the full rate.
Here ``train.lr_decay_every`` steps play the epochs' part and count from the start of each phase. The
rate is recomputed from the step every time (no scheduler state), so ``--resume`` continues the schedule
from the checkpoint's optimiser state alone.
"""

from __future__ import annotations

from typing import Any

import torch


def decay_scale(phase_step: int, every: int, factor: float) -> float:
    """The factor applied to the initial learning rate ``phase_step`` steps into a phase."""
    return 1.0 if every <= 0 else factor ** (phase_step // every)


def apply_lr_decay(optimizers: dict[str, torch.optim.Optimizer], phase_step: int, train: Any) -> None:
    """Set every parameter group's ``lr`` to its ``initial_lr`` (the rate it was built with, recorded on
    first use) times :func:`decay_scale`. Does nothing while ``train.lr_decay_every`` is 0."""
    if train.lr_decay_every <= 0:
        return
    scale = decay_scale(phase_step, train.lr_decay_every, train.lr_decay_factor)
    for optimizer in optimizers.values():
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
            group["lr"] = group["initial_lr"] * scale

"""Training an evaluation classifier until its validation accuracy stops improving (both eval nets).

A fixed epoch count under-trains small catalogs (8 epochs of the 480 train photos of a 600-item catalog
scored real photos' type at 78%), so the nets train until the mean per-head accuracy on held-out
validation images has not improved for ``patience`` epochs, ``max_epochs`` at most, and keep the
weights of the best epoch. Equal accuracy with a lower validation loss counts as an improvement, and no
stop comes before ``min_epochs``: on small validation sets the accuracy sits flat for the first epochs
(BatchNorm's running statistics lag) while the loss already falls, and accuracy alone stopped such nets
near chance. Our choices: AdamW with a cosine learning-rate decay over ``max_epochs`` (an early stop
ends part-way down the cosine; a one-cycle schedule needs its full length), random horizontal flips
and, where ``max_shift`` > 0, random shifts of up to that many pixels (edges replicated: the photos sit
on a flat background). With no validation image the net trains all ``max_epochs``, last weights kept.

Measured (issue 19; ``ganbench data synth --n 600`` catalog, 480 train / 60 val / 60 test photos, the
first net with default [eval.net], 2 AMD EPYC Zen 4 cores shared with a training run): fixed 8 epochs,
one-cycle: test accuracy type 0.783, gender 0.783, colour 0.883, fit 0.433, length 0.883, 101.6 s of
training; this rule: 27 epochs (best 23, val accuracy 0.870): 0.950, 0.917, 0.950, 0.567, 0.933, 359 s.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.eval.attributes import UNKNOWN

Log = Callable[[str], None]


@dataclass(frozen=True)
class Schedule:
    """How one classifier trains: the stopping rule, the optimiser and the augmentation."""

    max_epochs: int
    patience: int
    batch_size: int
    learning_rate: float
    seed: int
    max_shift: int = 0
    min_epochs: int = 1


@dataclass
class FitResult:
    """What the training did (recorded in the net's report.json)."""

    epochs_run: int
    best_epoch: int
    best_val_accuracy: float | None
    stopped: str
    history: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"epochs_run": self.epochs_run, "best_epoch": self.best_epoch,
                "best_val_accuracy": self.best_val_accuracy, "stopped": self.stopped,
                "history": self.history}


def classifier_loss(logits: dict[str, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """Sum of one cross-entropy per head over the known labels, divided by the number of known labels."""
    losses = [F.cross_entropy(out, labels[:, j], ignore_index=UNKNOWN, reduction="sum")
              for j, out in enumerate(logits.values())]
    known = (labels != UNKNOWN).sum().clamp(min=1)
    return torch.stack(losses).sum() / known


def augment(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and (``max_shift`` > 0) random shifts of prepared images (B, 3, S, S)."""
    flip = (torch.rand(len(x), generator=generator) < 0.5).to(x.device).view(-1, 1, 1, 1)
    x = torch.where(flip, x.flip(-1), x)
    if max_shift <= 0:
        return x
    size = x.shape[-1]
    padded = F.pad(x, (max_shift,) * 4, mode="replicate")
    offsets = torch.randint(0, 2 * max_shift + 1, (len(x), 2), generator=generator).tolist()
    return torch.stack([padded[i, :, dy:dy + size, dx:dx + size] for i, (dy, dx) in enumerate(offsets)])


@torch.no_grad()
def validate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 256
             ) -> tuple[float, float]:
    """(mean over heads of each head's accuracy on its known labels, mean loss); NaNs without labels."""
    model.eval()
    correct, loss = torch.zeros(labels.shape[1]), 0.0
    for start in range(0, len(images), batch):
        _, logits = model(images[start:start + batch])
        truth = labels[start:start + batch]
        loss += float(classifier_loss(logits, truth.to(next(iter(logits.values())).device))) * len(truth)
        for j, out in enumerate(logits.values()):
            correct[j] += ((out.argmax(1).cpu() == truth[:, j]) & (truth[:, j] != UNKNOWN)).sum()
    known = (labels != UNKNOWN).sum(0)
    present = known > 0
    if not present.any():
        return math.nan, math.nan
    return float((correct[present] / known[present]).mean()), loss / len(images)


def mean_accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Mean over heads of each head's accuracy on its known labels (heads without any are skipped)."""
    return validate(model, images, labels)[0]


def _epoch(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, schedule: Schedule,
           optimiser: torch.optim.Optimizer, lr: torch.optim.lr_scheduler.LRScheduler,
           generator: torch.Generator) -> float:
    model.train()
    total = 0.0
    for batch in torch.randperm(len(images), generator=generator).split(schedule.batch_size):
        x = augment(model.prepare(images[batch]), schedule.max_shift, generator)
        loss = classifier_loss(model.forward_prepared(x)[1], labels[batch].to(x.device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        lr.step()
        total += loss.item() * len(batch)
    return total / len(images)


def fit_until_stable(model: nn.Module, train: tuple[torch.Tensor, torch.Tensor],
                     val: tuple[torch.Tensor, torch.Tensor], schedule: Schedule,
                     log: Log = print) -> FitResult:
    """Train ``model`` (in place) on ``train`` (uint8 images, labels), stopping on ``val`` (module doc);
    leaves the best epoch's weights in ``model``, in eval mode without gradients."""
    torch.manual_seed(schedule.seed)
    generator = torch.Generator().manual_seed(schedule.seed)
    images, labels = train
    steps = schedule.max_epochs * math.ceil(len(images) / schedule.batch_size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=schedule.learning_rate, weight_decay=1e-4)
    lr = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(1, steps))
    best, best_state, history, waited = (-math.inf, math.inf), None, [], 0
    for epoch in range(1, schedule.max_epochs + 1):
        tick = time.perf_counter()
        loss = _epoch(model, images, labels, schedule, optimiser, lr, generator)
        accuracy, val_loss = validate(model, *val) if len(val[0]) else (math.nan, math.nan)
        history.append({"epoch": epoch, "train_loss": round(loss, 5),
                        "val_accuracy": None if math.isnan(accuracy) else round(accuracy, 5),
                        "val_loss": None if math.isnan(val_loss) else round(val_loss, 5)})
        log(f"eval-net epoch {epoch}/{schedule.max_epochs}: loss {loss:.4f}, val accuracy "
            f"{accuracy:.3f}, val loss {val_loss:.4f} ({time.perf_counter() - tick:.1f} s)")
        if math.isnan(accuracy) or accuracy > best[0] or (accuracy == best[0] and val_loss < best[1]):
            best, best_state, waited = (accuracy, val_loss), copy.deepcopy(model.state_dict()), 0
            best_epoch = epoch
        else:
            waited += 1
        if waited >= schedule.patience and epoch >= schedule.min_epochs:
            break
    model.load_state_dict(best_state)
    stopped = ("no validation images: all epochs, last weights" if math.isnan(best[0]) else
               f"no improvement for {waited} epochs" if len(history) < schedule.max_epochs else
               "max epochs reached")
    model.eval().requires_grad_(False)
    best_accuracy = None if math.isnan(best[0]) else round(best[0], 5)
    return FitResult(len(history), best_epoch, best_accuracy, stopped, history)

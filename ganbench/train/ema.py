"""Exponential moving average of the generator, swapped in for sampling and evaluation.

Choices (ours):
- The decay warms up as min(decay, (1 + n) / (10 + n)) after n updates (as TensorFlow's
  ``ExponentialMovingAverage`` with ``num_updates``), so short runs do not sample near-initial weights.
  ``n`` is counted per tensor from the first update at which that tensor had left its initial value: a
  part that a phase keeps fixed (StackGAN's Stage II through Stage I) starts its warm-up when its own
  phase starts. With one global count, Stage II began at the full decay with its average still at the
  random initialisation (about 21% of the evaluated Stage-II weights in a 30-step Stage II at 0.95).
  Until a tensor changes its shadow is its initial value, so "has it changed" is a comparison with the
  shadow (one host read per update, only while some tensor has not changed yet).
- Batch-norm running statistics are averaged with the weights: every floating-point entry of the
  generator's ``state_dict`` (parameters and buffers such as ``running_mean`` / ``running_var``) has a
  shadow, so sampling and evaluation use averaged weights with averaged statistics, never averaged weights
  with the live model's statistics. Integer buffers (``num_batches_tracked``) stay live. We average rather
  than recompute the statistics with the EMA weights because averaging needs no data and no model-specific
  forward pass, so the harness stays model-agnostic (measured comparison: README, "Choices that are ours").
- A checkpoint written before buffers were averaged (shadow of parameters only) still loads; its
  buffers then stay live, as they were when it was trained.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


class EMA:
    """Shadow copy (float32) of ``module``'s floating-point parameters and buffers."""

    def __init__(self, module: nn.Module, decay: float) -> None:
        self.decay = decay
        self.num_updates = 0
        self.shadow = {name: t.detach().float().clone() for name, t in module.state_dict().items()
                       if t.is_floating_point()}
        self.counts = dict.fromkeys(self.shadow, 0)  # per tensor: updates since it first changed
        self.buffer_names = {name for name, _ in module.named_buffers()} & set(self.shadow)

    def current_decay(self, count: int | None = None) -> float:
        """The decay after ``count`` updates of a tensor (default: the global update count)."""
        n = self.num_updates if count is None else count
        return min(self.decay, (1 + n) / (10 + n))

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        state = module.state_dict()
        waiting = [n for n, count in self.counts.items() if count == 0]
        if waiting:  # a tensor starts its warm-up once it has left its initial value (= its shadow)
            moved = torch.stack([(state[n].float() != self.shadow[n]).any() for n in waiting]).tolist()
            still = {n for n, has_moved in zip(waiting, moved, strict=True) if not has_moved}
        else:
            still = set()
        groups: dict[int, list[str]] = {}
        for name, count in self.counts.items():
            if name not in still:
                groups.setdefault(count, []).append(name)
        for count, names in groups.items():
            weight = 1.0 - self.current_decay(count)
            torch._foreach_lerp_([self.shadow[n] for n in names], [state[n].float() for n in names], weight)
            for name in names:
                self.counts[name] = count + 1
        self.num_updates += 1

    @torch.no_grad()
    def copy_to(self, module: nn.Module) -> None:
        """Write the averages into ``module`` in place (its parameters and buffers stay the same objects)."""
        state = module.state_dict()
        for name, value in self.shadow.items():
            state[name].copy_(value)

    @contextlib.contextmanager
    def swap(self, module: nn.Module) -> Iterator[nn.Module]:
        """Within the block ``module`` holds the averages; its own weights and statistics come back after."""
        backup = {name: t.detach().clone() for name, t in module.state_dict().items() if name in self.shadow}
        self.copy_to(module)
        try:
            yield module
        finally:
            with torch.no_grad():
                state = module.state_dict()
                for name, value in backup.items():
                    state[name].copy_(value)

    def state_dict(self) -> dict:
        return {"decay": self.decay, "num_updates": self.num_updates, "shadow": dict(self.shadow),
                "counts": dict(self.counts)}

    def load_state_dict(self, state: dict) -> None:
        """Restore a saved average. Every saved name must be averaged here; a name missing from the saved
        state may only be a buffer (an older checkpoint), which then stops being averaged (stays live)."""
        saved = set(state["shadow"])
        unexpected = sorted(saved - set(self.shadow))
        missing = set(self.shadow) - saved
        missing_parameters = sorted(missing - self.buffer_names)
        if unexpected or missing_parameters:
            example = (unexpected or missing_parameters)[:3]
            raise ValueError(f"EMA state does not fit the generator (e.g. {example})")
        self.decay, self.num_updates = float(state["decay"]), int(state["num_updates"])
        for name in missing:
            del self.shadow[name]
        for name, value in state["shadow"].items():
            self.shadow[name] = value.detach().float().clone().to(self.shadow[name].device)
        counts = state.get("counts") or {}  # a checkpoint from before per-tensor counts: the global one
        self.counts = {name: int(counts.get(name, self.num_updates)) for name in self.shadow}

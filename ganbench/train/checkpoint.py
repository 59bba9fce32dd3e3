"""Checkpoints: models, EMA, optimisers, step and every RNG state, written atomically.

Only tensors and plain containers are stored so the file loads with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import os
import pickle
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganbench.train.ema import EMA

FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not belong to the model being restored."""


def capture_rng() -> dict[str, Any]:
    """The state of every random number generator the training touches."""
    name, keys, position, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {"name": name, "keys": torch.from_numpy(keys.astype(np.int64)), "position": int(position),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy_state = state["numpy"]
    np.random.set_state((numpy_state["name"], numpy_state["keys"].numpy().astype(np.uint32),
                         numpy_state["position"], numpy_state["has_gauss"], numpy_state["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        restore_cuda_rng(state["cuda"])


def restore_cuda_rng(states: list[torch.Tensor]) -> None:
    """The saved GPU generators' states onto the visible GPUs, by index: a checkpoint from a machine with
    more GPUs than this one restores the first ones (the others have no GPU here), one with fewer leaves
    the remaining GPUs as seeded."""
    for index, state in enumerate(states[: torch.cuda.device_count()]):
        torch.cuda.set_rng_state(state, index)


Optimizers = dict[str, torch.optim.Optimizer]


def save_checkpoint(path: Path, *, model_name: str, model: nn.Module, ema: EMA, optimizers: Optimizers,
                    step: int, extra: dict | None = None) -> None:
    """Write the training state to ``path`` via a temporary file and an atomic rename."""
    payload = {
        "format_version": FORMAT_VERSION, "model_name": model_name, "step": step,
        "model": model.state_dict(), "ema": ema.state_dict(),
        "optimizers": {name: opt.state_dict() for name, opt in optimizers.items()},
        "rng": capture_rng(), "extra": extra or {},
    }
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        torch.save(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """The stored training state; a missing, truncated or foreign file is a :class:`CheckpointError`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckpointError(f"checkpoint {path} cannot be read: it is truncated, damaged or not a ganbench "
                              f"checkpoint ({first_line})") from None
    if not isinstance(payload, dict) or payload.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"checkpoint {path} is not a ganbench checkpoint "
                              f"(format {FORMAT_VERSION} expected)")
    return payload


def restore_training_state(payload: dict[str, Any], path: Path, *, model_name: str, model: nn.Module,
                           ema: EMA, optimizers: Optimizers | None, rng: bool = True) -> int:
    """Load ``payload`` into the live objects; returns the step it was saved at."""
    if payload["model_name"] != model_name:
        raise CheckpointError(f"checkpoint {path} holds model {payload['model_name']!r}, not {model_name!r}")
    try:
        model.load_state_dict(payload["model"])
        ema.load_state_dict(payload["ema"])
    except (RuntimeError, ValueError, KeyError) as error:
        detail = str(error).strip().splitlines()[0][:300]
        raise CheckpointError(f"checkpoint {path} does not fit this {model_name!r} model (were its options "
                              f"changed?): {detail}") from None
    if optimizers is not None:
        if set(payload["optimizers"]) != set(optimizers):
            raise CheckpointError(f"checkpoint {path} has optimisers {sorted(payload['optimizers'])}, "
                                  f"the model has {sorted(optimizers)}")
        for name, optimizer in optimizers.items():
            optimizer.load_state_dict(payload["optimizers"][name])
    if rng:
        restore_rng(payload["rng"])
    return int(payload["step"])

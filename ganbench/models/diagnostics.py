"""Conditioning strength: how far the text moves the conditioning, against the noise added to it.

For a fixed set of texts, ``strength = mean over dimensions of (std over texts of mu) / mean(sigma)``,
where ``(mu, sigma)`` is the conditioning-augmentation Gaussian of each text (``GanModel.conditioning``).
Near 0 the text pathway has collapsed towards the KL prior N(0, I): every text gives nearly the same code
and the augmentation noise drowns it. The training harness logs it at every ``log_every`` step (live
weights, a fixed set of train-split texts) and the evaluation writes it into ``metrics.json`` (EMA
weights, the test split's texts). A model without such a Gaussian gives no value; nothing here depends on
which model it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor

METRIC = "conditioning_strength"
PROBE_TEXTS = 64  # texts the training log measures on


def conditioning_strength(mu: Tensor, sigma: Tensor) -> float:
    """Mean over dimensions of the std of ``mu`` over texts (rows), divided by the mean ``sigma``."""
    if len(mu) < 2:
        raise ValueError(f"conditioning strength needs at least two texts, got {len(mu)}")
    return float(mu.float().std(dim=0).mean() / sigma.float().mean())


def distinct_streams(streams: Sequence[Sequence[str]], limit: int | None = None) -> list[list[str]]:
    """The distinct query streams, in first-seen order, at most ``limit`` of them."""
    unique = [list(stream) for stream in dict.fromkeys(tuple(stream) for stream in streams if stream)]
    return unique if limit is None else unique[:limit]


def probe_streams(items: Sequence[dict], indices: Sequence[int], limit: int = PROBE_TEXTS) -> list[list[str]]:
    """A fixed set of texts for the training log: the first ``limit`` distinct query streams of
    ``items[indices]`` (give the train split's indices)."""
    return distinct_streams([items[int(i)].get("query") or [] for i in indices], limit)


def measure(model: Any, streams: list[list[str]]) -> float | None:
    """The conditioning strength of ``model`` on ``streams``; ``None`` when the model offers no
    conditioning or fewer than two texts are given."""
    if len(streams) < 2:
        return None
    stats = model.conditioning(streams)
    return None if stats is None else conditioning_strength(*stats)


def conditioning_scalars(model: Any, streams: list[list[str]]) -> dict[str, float]:
    """``{METRIC: value}`` for the training log, or nothing when the model has no conditioning."""
    value = measure(model, streams)
    return {} if value is None else {METRIC: value}

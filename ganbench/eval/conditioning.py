"""The conditioning-strength diagnostic in ``metrics.json`` (see :mod:`ganbench.models.diagnostics`).

Measured on the distinct test query streams (at most ``MAX_TEXTS``) with the evaluated (EMA) weights; the
spread is a seeded bootstrap over those texts. A model that offers no conditioning gets a ``null`` entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ganbench.eval.uncertainty import bootstrap_statistic, metric_entry
from ganbench.models.diagnostics import METRIC, conditioning_strength, distinct_streams

MAX_TEXTS = 1000


def conditioning_entry(model: Any, streams: Sequence[Sequence[str]], seed: int, rounds: int) -> dict:
    """``metric_entry`` of the conditioning strength of ``model`` over the distinct ``streams``."""
    texts = distinct_streams(streams, MAX_TEXTS)
    stats = model.conditioning(texts) if len(texts) >= 2 else None
    if stats is None:
        return metric_entry(None, None, 0, "bootstrap")
    mu, sigma = (t.detach().float().cpu() for t in stats)

    def strength(rows: np.ndarray) -> float:
        index = torch.from_numpy(np.asarray(rows, dtype=np.int64))
        return conditioning_strength(mu[index], sigma[index])

    return bootstrap_statistic(len(texts), strength, seed, rounds)


def conditioning_metrics(model: Any, streams: Sequence[Sequence[str]], seed: int, rounds: int) -> dict:
    """``{"conditioning_strength": entry}`` for ``metrics.json``."""
    return {METRIC: conditioning_entry(model, streams, seed, rounds)}

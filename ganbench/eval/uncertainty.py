"""Spreads for metrics: every metric in ``metrics.json`` is a :func:`metric_entry`.

Structure (read by the report): ``{"mean": float | None, "std": float | None, "n": int, "spread": str}``.
``mean`` is the metric on the full sample set (for IS and KID: torch-fidelity's mean over its splits /
subsets), ``std`` its spread, ``n`` the number of observations it was computed from and ``spread`` how the
std was obtained: ``"isc_splits"`` (std of IS over torch-fidelity's splits), ``"kid_subsets"`` (std of
MMD over torch-fidelity's random subsets), ``"bootstrap"`` (std over seeded bootstrap resamples of the
observations) or ``"subsets"`` (std over seeded random subsets of the larger set, improved precision and
recall). A metric that could not be computed (no observation) has ``mean`` and ``std`` ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ganbench.config import EvalConfig

SPREAD_KINDS = ("isc_splits", "kid_subsets", "bootstrap", "exact", "subsets")  # exact: a count, no spread
DEFAULT_BOOTSTRAP_ROUNDS = EvalConfig().bootstrap_rounds  # the setting's one default


def metric_entry(mean: float | None, std: float | None, n: int, spread: str) -> dict:
    """One metric with its spread, in the ``metrics.json`` structure."""
    if spread not in SPREAD_KINDS:
        raise ValueError(f"spread must be one of {SPREAD_KINDS}, got {spread!r}")

    def clean(x: float | None) -> float | None:
        return None if x is None or not math.isfinite(float(x)) else float(x)

    return {"mean": clean(mean), "std": clean(std), "n": int(n), "spread": spread}


def bootstrap_mean(values: np.ndarray, seed: int, rounds: int = DEFAULT_BOOTSTRAP_ROUNDS) -> dict:
    """Mean of ``values`` (1-D; NaN entries are dropped) with its bootstrap std."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return metric_entry(None, None, 0, "bootstrap")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, values.size, size=(rounds, values.size))
    return metric_entry(values.mean(), values[picks].mean(axis=1).std(), values.size, "bootstrap")


def bootstrap_statistic(n: int, statistic: Callable[[np.ndarray], float], seed: int, rounds: int) -> dict:
    """``statistic(all indices)`` with the std of ``statistic(resampled indices)`` over ``rounds`` rounds.

    Used for statistics that are not means of per-sample values (FID): each round resamples the
    ``n`` observations with replacement and recomputes the statistic. Rounds where the statistic is
    undefined (NaN, e.g. a resample without any qualifying observation) do not count towards the std.
    """
    if n == 0:
        return metric_entry(None, None, 0, "bootstrap")
    rng = np.random.default_rng(seed)
    full = statistic(np.arange(n))
    resampled = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(rounds)], dtype=np.float64)
    resampled = resampled[np.isfinite(resampled)]
    return metric_entry(full, float(np.std(resampled)) if len(resampled) > 1 else None, n, "bootstrap")

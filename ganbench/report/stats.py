"""Statistics across seeds: the interval a table cell shows and the paired comparison of two models.

- A cell over two or more seeds shows the mean over seeds ± the half-width of a 95% Student-t interval
  (``t_{0.975, n-1} · sd / sqrt(n)``): how far the mean over seeds could move with other seeds. The
  evaluation's own spread (IS splits, KID subsets, bootstrap over samples) stays in each metrics.json
  and in the report's per-seed CSV.
- A comparison of model A with model B pairs their runs by seed (the same seed trains both on the same
  data order) and reports the relative change of A's mean over B's, ``(mean A - mean B) / |mean B|``,
  with a 95% percentile bootstrap interval over the paired seeds. It is marked significant only when the
  interval excludes 0. With fewer than three paired seeds there is no interval and no mark: two seeds
  allow only three distinct resamples, too few for a percentile interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
BOOTSTRAP_ROUNDS = 2000
MIN_SEEDS_FOR_INTERVAL = 3


def t_half_width(values: np.ndarray | pd.Series, confidence: float = CONFIDENCE) -> float:
    """Half-width of the Student-t confidence interval of the mean of ``values`` (NaN for < 2 values)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return math.nan
    t = stats.t.ppf((1 + confidence) / 2, len(values) - 1)
    return float(t * values.std(ddof=1) / math.sqrt(len(values)))


@dataclass(frozen=True)
class Change:
    """Relative change of A over B in percent, its bootstrap interval (NaN with fewer than
    :data:`MIN_SEEDS_FOR_INTERVAL` paired seeds), the seeds used."""

    a_mean: float
    b_mean: float
    percent: float
    low: float
    high: float
    seeds: tuple[int, ...]

    @property
    def significant(self) -> bool:
        """The interval excludes 0 (never without an interval)."""
        return math.isfinite(self.low) and math.isfinite(self.high) and (self.low > 0 or self.high < 0)

    def describe(self) -> str:
        """``+12.3% [+4.0, +20.1]*`` (``*``: significant), ``+12.3%`` without an interval, or ``n/a``."""
        if not math.isfinite(self.percent):
            return "n/a"
        text = f"{_rounded(self.percent):+.1f}%"
        if math.isfinite(self.low):
            mark = "*" if self.significant else ""
            text += f" [{_rounded(self.low):+.1f}, {_rounded(self.high):+.1f}]{mark}"
        return text


def _rounded(value: float) -> float:
    return round(value, 1) + 0.0  # no "-0.0"


def _relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, (a - b) / np.abs(b) * 100, np.nan)


def paired_change(a: pd.Series, b: pd.Series, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0,
                  confidence: float = CONFIDENCE) -> Change:
    """Relative change of ``a`` over ``b`` (both indexed by training seed), paired by seed, with a
    percentile bootstrap interval over the shared seeds (resampled together)."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    seeds = tuple(int(s) for s in both.index)
    if both.empty:
        return Change(math.nan, math.nan, math.nan, math.nan, math.nan, seeds)
    values_a, values_b = both["a"].to_numpy(np.float64), both["b"].to_numpy(np.float64)
    percent = float(_relative(np.array([values_a.mean()]), np.array([values_b.mean()]))[0])
    if len(both) < MIN_SEEDS_FOR_INTERVAL:
        return Change(values_a.mean(), values_b.mean(), percent, math.nan, math.nan, seeds)
    picks = np.random.default_rng(seed).integers(0, len(both), size=(rounds, len(both)))
    resampled = _relative(values_a[picks].mean(axis=1), values_b[picks].mean(axis=1))
    resampled = resampled[np.isfinite(resampled)]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail]) if len(resampled) else (math.nan, math.nan)
    return Change(values_a.mean(), values_b.mean(), percent, float(low), float(high), seeds)

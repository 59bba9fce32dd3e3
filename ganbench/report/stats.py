"""Statistics across seeds: the interval a table cell shows and the paired comparison of two models.

- A cell over two or more seeds shows the mean over seeds ± the half-width of a 95% Student-t interval
  (``t_{0.975, n-1} · sd / sqrt(n)``): how far the mean over seeds could move with other seeds. The
  evaluation's own spread (IS splits, KID subsets, bootstrap over samples) stays in each metrics.json
  and in the report's per-seed CSV.
- A comparison of model A with model B pairs their runs by seed (the same seed trains both on the same
  data order). The shown change is the relative change of A's mean over B's, ``(mean A - mean B) /
  |mean B|``. It is tested on the per-seed log-ratios ``log(A_s / B_s)`` when every value is > 0, else
  on the differences ``A_s - B_s`` (:attr:`Change.test` names which), by a paired t-test (the primary
  test) and an exact sign-flip permutation test over all 2^n sign assignments (its smallest possible p
  is 2 / 2^n: 0.25 at 3 seeds, 0.0625 at 5, so at 5 seeds only the t-test can reach 0.05). The interval
  is the 95% t-interval of the mean log-ratio (back-transformed to percent) or of the mean difference
  (divided by |mean B|). With fewer than :data:`MIN_SEEDS_FOR_INTERVAL` paired seeds there is no
  interval and no test. A change is marked significant only by the caller's Holm-corrected p
  (:func:`holm`, set with :func:`with_corrected`): a table tests several columns at once.
- :func:`intersection_union` decides "A beats every baseline" (all changes the right way and the
  largest p below α) and :func:`detectable_change` gives the smallest change the seeds could detect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import product

import numpy as np
import pandas as pd
from scipy import optimize, stats

CONFIDENCE = 0.95
ALPHA = 0.05
POWER = 0.8
MIN_SEEDS_FOR_INTERVAL = 3
LOG_RATIO, DIFFERENCE = "log-ratio", "difference"


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
    """Relative change of A over B in percent with its 95% t-interval over seeds, the paired tests'
    p-values (raw; ``p_corrected`` once a caller applies Holm) and what was tested."""

    a_mean: float
    b_mean: float
    percent: float
    low: float
    high: float
    seeds: tuple[int, ...]
    test: str = ""  # LOG_RATIO or DIFFERENCE; "" without a test
    effect: float = math.nan  # mean per-seed log-ratio or difference (its sign is the direction)
    effect_sd: float = math.nan
    p_t: float = math.nan
    p_sign: float = math.nan
    p_corrected: float = math.nan

    @property
    def significant(self) -> bool:
        """The Holm-corrected paired t-test p is below :data:`ALPHA` (never without a correction)."""
        return math.isfinite(self.p_corrected) and self.p_corrected < ALPHA

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


def paired_change(a: pd.Series, b: pd.Series, confidence: float = CONFIDENCE) -> Change:
    """Relative change of ``a`` over ``b`` (both indexed by training seed), paired by seed, with the
    t-interval and the paired t and sign-flip p-values over the shared seeds (see the module doc)."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    seeds = tuple(int(s) for s in both.index)
    if both.empty:
        return Change(math.nan, math.nan, math.nan, math.nan, math.nan, seeds)
    values_a, values_b = both["a"].to_numpy(np.float64), both["b"].to_numpy(np.float64)
    mean_a, mean_b = float(values_a.mean()), float(values_b.mean())
    percent = (mean_a - mean_b) / abs(mean_b) * 100 if mean_b != 0 else math.nan
    if len(both) < MIN_SEEDS_FOR_INTERVAL:
        return Change(mean_a, mean_b, percent, math.nan, math.nan, seeds)
    positive = bool((values_a > 0).all() and (values_b > 0).all())
    kind = LOG_RATIO if positive else DIFFERENCE
    x = np.log(values_a / values_b) if positive else values_a - values_b
    mean, sd, half = float(x.mean()), float(x.std(ddof=1)), t_half_width(x, confidence)
    if positive:
        low, high = 100 * math.expm1(mean - half), 100 * math.expm1(mean + half)
    else:
        low, high = ((mean - half) / abs(mean_b) * 100, (mean + half) / abs(mean_b) * 100) \
            if mean_b != 0 else (math.nan, math.nan)
    return Change(mean_a, mean_b, percent, low, high, seeds, kind, mean, sd, paired_t_p(x), sign_flip_p(x))


def paired_t_p(x: np.ndarray) -> float:
    """Two-sided one-sample t-test p of mean(x) = 0; NaN when the seeds do not vary (no scale)."""
    if len(x) < 2 or float(np.std(x)) == 0.0:
        return math.nan
    return float(stats.ttest_1samp(x, 0.0).pvalue)


def sign_flip_p(x: np.ndarray) -> float:
    """Exact two-sided sign-flip permutation p of mean(x) = 0 over all 2^n sign assignments (the
    observed one included, so the smallest possible p is 2 / 2^n)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0 or len(x) > 20:
        return math.nan
    signs = np.array(list(product((1.0, -1.0), repeat=len(x))))
    flipped = np.abs(signs @ x)
    return float(np.mean(flipped >= abs(x.sum()) * (1 - 1e-12)))


def sign_flip_floor(n: int) -> float:
    """The smallest p an exact two-sided sign-flip test can give over ``n`` seeds."""
    return 2.0 / 2**n


def holm(pvalues: list[float] | np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (same order; NaN stays NaN and does not count as a test)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[index]))
        out[index] = running
    return out


def with_corrected(changes: list[Change]) -> list[Change]:
    """The changes with ``p_corrected``: Holm over their paired t-test p-values together."""
    corrected = holm([c.p_t for c in changes])
    return [replace(c, p_corrected=float(p)) for c, p in zip(changes, corrected, strict=True)]


def intersection_union(changes: list[Change], higher_is_better: bool) -> tuple[bool, float]:
    """"A beats every B": (every change's effect is in the better direction, the largest of their
    two-sided t-test p-values). The claim holds at level α only if both the direction holds and that
    largest p (after any correction over columns) is below α; NaN p when any comparison has none."""
    if not changes:
        return False, math.nan
    right_way = all(math.isfinite(c.effect) and (c.effect > 0 if higher_is_better else c.effect < 0)
                    for c in changes)
    ps = [c.p_t for c in changes]
    return right_way, (max(ps) if all(math.isfinite(p) for p in ps) else math.nan)


def detectable_change(sd: float, n: int, test: str, b_mean: float = math.nan, alpha: float = ALPHA,
                      power: float = POWER) -> float:
    """The smallest true change (percent, upwards) a two-sided paired t-test at ``alpha`` detects with
    ``power`` over ``n`` seeds whose per-seed effects have standard deviation ``sd``; solved on the
    noncentral t distribution (scipy.stats.nct). NaN without a measured sd."""
    if n < 2 or not math.isfinite(sd) or sd <= 0:
        return math.nan
    df, critical = n - 1, stats.t.ppf(1 - alpha / 2, n - 1)

    def shortfall(ncp: float) -> float:
        tails = stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp)
        return float(np.nan_to_num(tails, nan=1.0)) - power  # NaN only far out, where power is ~1

    ncp = optimize.brentq(shortfall, 0.0, 200.0)
    effect = ncp * sd / math.sqrt(n)
    if test == LOG_RATIO:
        return 100 * math.expm1(effect)
    return effect / abs(b_mean) * 100 if math.isfinite(b_mean) and b_mean != 0 else math.nan

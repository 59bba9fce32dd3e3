"""Two descriptions beside the claims' tests.

- :func:`per_seed_best`: each seed's change against the best baseline *in that seed*. The change row
  picks one best baseline per column from the mean over the same seeds, which flatters the proposed model
  when the baselines take turns at the top; this shows what happens seed by seed.
- :func:`power_table`: the smallest change against the best baseline that each column could detect at the
  seeds used, from the measured seed-to-seed spread of the per-seed log-ratios (or differences): a
  two-sided paired t-test at α / (number of columns) (Holm's first, strictest step) with 80% power, solved
  on the noncentral t (:func:`ganbench.report.stats.detectable_change`). Beside it the floor of the exact
  sign-flip test, 2 / 2^n over n seeds: at 5 seeds it is 0.0625, so only the parametric test can reach
  0.05; a sign-flip verdict that survives Holm over four columns (first step 0.0125) needs 8 seeds (0.0078).
"""

from __future__ import annotations

import math

import pandas as pd

from ganbench.eval.directions import LOWER
from ganbench.report.results import DEFAULT_VARIANT
from ganbench.report.stats import ALPHA, LOG_RATIO, POWER, detectable_change, paired_change, sign_flip_floor

PER_SEED_COLUMNS = ["seed", "best_baseline_model", "best_baseline", "proposed", "change_percent"]


def _per_seed(metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Seeds × models of ``metric`` (default variants)."""
    chosen = metrics[(metrics["variant"] == DEFAULT_VARIANT) & (metrics["metric"] == metric)]
    return chosen.pivot_table(index="seed", columns="model", values="mean")


def per_seed_best(metrics: pd.DataFrame, proposed: str, metric: str, better: str) -> pd.DataFrame:
    """Per seed: the best other model in that seed, its value, the proposed model's, the change in %."""
    wide = _per_seed(metrics, metric)
    if proposed not in wide.columns or wide.shape[1] < 2:
        return pd.DataFrame(columns=PER_SEED_COLUMNS)
    others = wide.drop(columns=[proposed])
    pick = others.idxmin(axis=1) if better == LOWER else others.idxmax(axis=1)
    best = others.min(axis=1) if better == LOWER else others.max(axis=1)
    change = (wide[proposed] - best) / best.abs() * 100
    return pd.DataFrame({"seed": wide.index, "best_baseline_model": pick.to_numpy(),
                         "best_baseline": best.to_numpy(), "proposed": wide[proposed].to_numpy(),
                         "change_percent": change.to_numpy()})


def power_table(metrics: pd.DataFrame, proposed: str, best_models: dict[str, str],
                directions: dict[str, str], alpha: float = ALPHA, power: float = POWER) -> pd.DataFrame:
    """Per metric (against ``best_models[metric]``): seeds, the sd of the per-seed effects, the smallest
    detectable change in the better direction (percent) at ``alpha / len(best_models)``, and the
    sign-flip floor."""
    level = alpha / max(len(best_models), 1)
    rows = []
    for metric, model in best_models.items():
        wide = _per_seed(metrics, metric)
        if proposed not in wide.columns or model not in wide.columns:
            continue
        change = paired_change(wide[proposed], wide[model])
        n = len(change.seeds)
        upward = detectable_change(change.effect_sd, n, change.test, change.b_mean, level, power)
        shown = upward
        if directions.get(metric) == LOWER and change.test == LOG_RATIO and math.isfinite(upward):
            shown = 100 * math.expm1(-math.log1p(upward / 100))  # the same effect downwards
        elif directions.get(metric) == LOWER:
            shown = -upward
        rows.append({"metric": metric, "best_baseline_model": model, "seeds": n, "test": change.test,
                     "effect_sd": change.effect_sd, "alpha": level, "power": power,
                     "detectable_percent": shown, "sign_flip_floor": sign_flip_floor(n) if n else math.nan})
    return pd.DataFrame.from_records(rows)


def power_sentence(table: pd.DataFrame, labels: dict[str, str]) -> str:
    """One paragraph: what the seeds could detect, and why the verdicts use the t-test."""
    if table.empty:
        return ""
    n = int(table["seeds"].max())
    parts = ", ".join(f"{labels.get(row.metric, row.metric)} {row.detectable_percent:+.1f}%"
                      for row in table.itertuples() if math.isfinite(row.detectable_percent))
    level = float(table["alpha"].iloc[0])
    floor = sign_flip_floor(n)
    return (f"Power: with {n} seeds and the measured seed-to-seed spread, a paired t-test at two-sided "
            f"α = {level:.4g} (0.05 over {len(table)} columns, Holm's first step) detects with "
            f"{float(table['power'].iloc[0]):.0%} power a true change against the best baseline of at least: "
            f"{parts} (noncentral t). Smaller true changes can be missed: 'not shown' is not 'absent'. The "
            f"exact sign-flip test cannot give p below 2/2^{n} = {floor:.4g} at {n} seeds, so only the "
            "parametric test can decide here (our choice: the t-test at 5 seeds; a sign-flip verdict that "
            "survives Holm over four columns would need 8 seeds, floor 0.0078).")

"""Does the proposed model beat every baseline? One verdict per metric column.

For each column the proposed model (default variant) is compared with EVERY other model (default
variants), paired by seed (:func:`ganbench.report.stats.paired_change`). The claim "beats every baseline"
is an intersection-union test (:func:`ganbench.report.stats.intersection_union`): every change in the
better direction and the largest paired t-test p below α. The columns' largest p-values are
Holm-corrected together; the verdict is "holds" when the direction holds and the corrected p < α, else
"not shown". Generic over the column list, so it serves any evaluator's table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ganbench.eval.directions import LOWER
from ganbench.report.results import DEFAULT_VARIANT
from ganbench.report.stats import ALPHA, Change, holm, intersection_union, paired_change
from ganbench.report.tables import Column, metric_direction

HOLDS, NOT_SHOWN = "holds", "not shown"
VERDICT_COLUMNS = ["metric", "best_baseline", "change_percent", "ci_low", "ci_high", "p_t_best",
                   "p_sign_best", "iut_max_p", "iut_p_holm", "all_better", "verdict"]


def claim_verdicts(metrics: pd.DataFrame, proposed: str, columns: Sequence[Column | str],
                   alpha: float = ALPHA) -> pd.DataFrame:
    """One row per column present in ``metrics`` (tidy frame of :mod:`ganbench.report.results`): the best
    baseline by mean and the change against it, the intersection-union test against every baseline and
    its p Holm-corrected over the columns, and the verdict ("holds" / "not shown")."""
    defaults = metrics[metrics["variant"] == DEFAULT_VARIANT]
    present = set(defaults["metric"])
    names = [c.metric if isinstance(c, Column) else c for c in columns]
    records = [_column_record(defaults, proposed, name) for name in names if name in present]
    frame = pd.DataFrame.from_records(records, columns=[c for c in VERDICT_COLUMNS[:-1] if c != "iut_p_holm"])
    frame["iut_p_holm"] = holm(frame["iut_max_p"].to_numpy(float))
    holds = frame["all_better"] & (frame["iut_p_holm"] < alpha)
    return frame.assign(verdict=[HOLDS if h else NOT_SHOWN for h in holds])[VERDICT_COLUMNS]


def _column_record(defaults: pd.DataFrame, proposed: str, metric: str) -> dict:
    """The proposed model against every baseline on one metric."""
    chosen = defaults[defaults["metric"] == metric]
    per_model = {model: rows.set_index("seed")["mean"] for model, rows in chosen.groupby("model", sort=False)}
    mine = per_model.pop(proposed, pd.Series(dtype=float))
    higher = metric_direction(metric) != LOWER
    changes = {model: paired_change(mine, values) for model, values in per_model.items()}
    best = _best_baseline(per_model, higher)
    right_way, max_p = intersection_union(list(changes.values()), higher) if changes else (False, math.nan)
    change = changes.get(best, Change(*(math.nan,) * 5, ()))
    return {"metric": metric, "best_baseline": best, "change_percent": change.percent, "ci_low": change.low,
            "ci_high": change.high, "p_t_best": change.p_t, "p_sign_best": change.p_sign,
            "iut_max_p": max_p, "all_better": bool(right_way and mine.notna().any())}


def _best_baseline(per_model: dict[str, pd.Series], higher: bool) -> str:
    """The baseline with the best mean over seeds ("" without one)."""
    means = pd.Series({model: values.mean() for model, values in per_model.items()}, dtype=float).dropna()
    if means.empty:
        return ""
    return str(means.idxmax() if higher else means.idxmin())


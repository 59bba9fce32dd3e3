"""The two evaluators side by side: how well each evaluation network judges real photos (a weak judge's
verdicts are weak evidence), the second evaluator's table, and where the two evaluators' claims agree.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from scipy import stats

from ganbench.report.claims import claim_verdicts
from ganbench.report.results import DEFAULT_VARIANT, Results
from ganbench.report.tables import PAPER_COLUMNS, SECOND_COLUMNS

WEAK_ACCURACY = 0.9
NETS = (("eval_net", "first"), ("second_eval_net", "second"))
PAIRS = tuple((first, second) for first in PAPER_COLUMNS for second in SECOND_COLUMNS
              if second.metric == "second_" + first.metric)


def first_net(results: Results, key: str) -> dict[str, Any]:
    """The extras ``key`` (an evaluation network's description) of the first cell that has it."""
    for extras in results.extras.values():
        if isinstance(extras.get(key), dict) and isinstance(extras[key].get("test_accuracy"), dict):
            return extras[key]
    return {}


def weak_judge_warnings(results: Results, threshold: float = WEAK_ACCURACY) -> list[str]:
    """One sentence per evaluation network with a head below ``threshold`` accuracy on real test photos."""
    warnings = []
    for key, which in NETS:
        accuracy = first_net(results, key).get("test_accuracy", {})
        weak = [(head, float(value)) for head, value in accuracy.items()
                if isinstance(value, int | float) and value < threshold]
        if weak:
            heads = ", ".join(f"{head} ({value:.1%})" for head, value in weak)
            warnings.append(f"Weak judge: the {which} evaluation network scores real test photos below "
                            f"{threshold:.0%} on {heads}: its verdicts on those attributes are weak "
                            "evidence.")
    return warnings


def has_second(results: Results) -> bool:
    """Whether any cell carries a second-evaluator metric."""
    return bool(results.metrics["metric"].str.startswith("second_").any())


def net_caption(results: Results) -> str:
    """What the second network is and its test accuracy per head."""
    net = first_net(results, "second_eval_net")
    if not net:
        return "The second evaluation network is not described in the cells' metrics.json."
    accuracy = ", ".join(f"{head} {value:.1%}" for head, value in net["test_accuracy"].items()
                         if isinstance(value, int | float))
    split = f", trained on {net['train_split']}" if net.get("train_split") else ""
    return (f"The second evaluator is an independent attribute network{split}; its accuracy on the "
            f"catalog's real test photos: {accuracy or 'not stored'}.")


def kendall(metrics: pd.DataFrame, first: str, second: str, models: list[str]) -> tuple[float, float]:
    """Kendall τ (and its p) between two metrics' per-model means (default variant, ``models``)."""
    defaults = metrics[(metrics["variant"] == DEFAULT_VARIANT) & metrics["model"].isin(models)]
    means = defaults.groupby(["metric", "model"])["mean"].mean().unstack("metric")
    if first not in means or second not in means:
        return math.nan, math.nan
    both = means[[first, second]].dropna()
    if len(both) < 2:
        return math.nan, math.nan
    result = stats.kendalltau(both[first], both[second])
    return float(result.statistic), float(result.pvalue)


def agreement(metrics: pd.DataFrame, proposed: str, models: list[str]) -> pd.DataFrame:
    """Per paper column: the verdict under each evaluator and Kendall τ between their model rankings."""
    first = claim_verdicts(metrics, proposed, [a for a, _ in PAIRS]).set_index("metric")
    second = claim_verdicts(metrics, proposed, [b for _, b in PAIRS]).set_index("metric")
    rows = []
    for a, b in PAIRS:
        tau, p = kendall(metrics, a.metric, b.metric, models)
        rows.append({"column": a.label, "metric": a.metric, "second_metric": b.metric,
                     "first_verdict": _get(first, a.metric), "second_verdict": _get(second, b.metric),
                     "first_iut_p_holm": _get(first, a.metric, "iut_p_holm"),
                     "second_iut_p_holm": _get(second, b.metric, "iut_p_holm"), "kendall_tau": tau,
                     "kendall_p": p})
    return pd.DataFrame.from_records(rows)


def _get(frame: pd.DataFrame, metric: str, field: str = "verdict") -> Any:
    return frame.loc[metric, field] if metric in frame.index else (math.nan if field != "verdict" else "n/a")


def agreement_sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per column whose verdicts differ, or one saying the evaluators agree on all."""
    differ = table[table["first_verdict"] != table["second_verdict"]]
    if differ.empty:
        return [f"The two evaluators agree on all {len(table)} columns' verdicts."]
    return [f"{row.column}: {row.first_verdict} under the first evaluator, {row.second_verdict} under the "
            f"second (Holm-corrected intersection-union p {_p(row.first_iut_p_holm)} vs "
            f"{_p(row.second_iut_p_holm)})." for row in differ.itertuples()]


def agreement_markdown(table: pd.DataFrame) -> str:
    """The agreement table as Markdown, then its sentences."""
    lines = ["| Column | First evaluator | Second evaluator | Kendall τ (p) |", "|---|---|---|---:|"]
    lines += [f"| {r.column} | {r.first_verdict} | {r.second_verdict} | {_tau(r.kendall_tau, r.kendall_p)} |"
              for r in table.itertuples()]
    return "\n".join(lines) + "\n\n" + " ".join(agreement_sentences(table)) + "\n"


def _p(value: float) -> str:
    return f"{value:.3g}" if isinstance(value, float) and math.isfinite(value) else "n/a"


def _tau(tau: float, p: float) -> str:
    return f"{tau:+.2f} ({_p(p)})" if math.isfinite(tau) else "n/a"

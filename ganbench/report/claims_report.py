"""The report's "Claims" section: the paper's claims decided by tests, with two descriptions beside them.

For the paper table's columns (first evaluator): the intersection-union verdict against every baseline,
Holm-corrected over the columns (:func:`ganbench.report.claims.claim_verdicts`); each seed's change
against that seed's best baseline and the smallest change the seeds could detect
(:mod:`ganbench.report.seed_power`). Files: ``tables/claims.csv``, ``tables/claims_per_seed.csv``,
``tables/claims_power.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ganbench.report.claims import claim_verdicts
from ganbench.report.index import Item
from ganbench.report.seed_power import per_seed_best, power_sentence, power_table
from ganbench.report.tables import Column, metric_direction


def _p(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}" if value >= 0.001 else f"{value:.1e}"


def _change(row: pd.Series) -> str:
    if not math.isfinite(row["change_percent"]):
        return "n/a"
    text = f"{row['change_percent']:+.1f}%"
    if math.isfinite(row["ci_low"]):
        text += f" [{row['ci_low']:+.1f}, {row['ci_high']:+.1f}]"
    return text


def verdict_markdown(verdicts: pd.DataFrame, labels: dict[str, str], proposed: str) -> str:
    """The verdict table: one row per column."""
    header = ["Column", "best baseline (by mean)", "change vs it [95% t-interval]",
              "p (t) / p (sign-flip) vs it", f"{proposed} better than every baseline?", "largest p (IUT)",
              "Holm-corrected", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|---|---:|---:|---|"]
    for _, row in verdicts.iterrows():
        cells = [labels.get(row["metric"], row["metric"]), row["best_baseline"], _change(row),
                 f"{_p(row['p_t_best'])} / {_p(row['p_sign_best'])}", "yes" if row["all_better"] else "no",
                 _p(row["iut_max_p"]), _p(row["iut_p_holm"]), f"**{row['verdict']}**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_seed_markdown(frames: dict[str, pd.DataFrame], labels: dict[str, str]) -> str:
    """Each column's change against each seed's own best baseline, one line per column."""
    lines = []
    for metric, frame in frames.items():
        if frame.empty:
            continue
        seeds = "; ".join(f"seed {int(r.seed)}: {r.change_percent:+.1f}% vs {r.best_baseline_model}"
                          for r in frame.itertuples())
        lines.append(f"- {labels.get(metric, metric)}: {seeds}")
    return "\n".join(lines)


def claims_items(metrics: pd.DataFrame, proposed: str, columns: tuple[Column, ...], out: Path) -> list[Item]:
    """The Claims section for ``columns`` (nothing without a proposed model or with fewer than 3 seeds)."""
    if not proposed:
        return []
    verdicts = claim_verdicts(metrics, proposed, columns)
    if verdicts.empty or not verdicts["iut_max_p"].notna().any():
        return []
    labels = {c.metric: c.label for c in columns}
    directions = {c.metric: metric_direction(c.metric) for c in columns}
    per_seed = {m: per_seed_best(metrics, proposed, m, directions[m]) for m in verdicts["metric"]}
    best = dict(zip(verdicts["metric"], verdicts["best_baseline"], strict=True))
    power = power_table(metrics, proposed, best, directions)
    tables = out / "tables"
    verdicts.to_csv(tables / "claims.csv", index=False)
    pd.concat([f.assign(metric=m) for m, f in per_seed.items()], ignore_index=True).to_csv(
        tables / "claims_per_seed.csv", index=False)
    power.to_csv(tables / "claims_power.csv", index=False)
    caption = (f"Does {proposed} beat every baseline? Per column an intersection-union test: {proposed} "
               "against each baseline by a paired t-test on the per-seed log-ratios; the claim holds only if "
               "every change is in the better direction and the largest of the baselines' p-values, "
               f"Holm-corrected over the {len(verdicts)} columns, is below 0.05. The change against the "
               "best baseline by mean (chosen from the same seeds) is a description, with its exact "
               "sign-flip p beside the t-test's.")
    text = (verdict_markdown(verdicts, labels, proposed) + "\n\nAgainst each seed's own best baseline "
            "(the best by mean can differ from seed to seed):\n\n" + per_seed_markdown(per_seed, labels)
            + "\n\n" + power_sentence(power, labels) + "\n")
    downloads = ["tables/claims.csv", "tables/claims_per_seed.csv", "tables/claims_power.csv"]
    return [Item("Claims", caption, markdown=text, downloads=downloads)]

"""The paper table and the beyond-paper table, as Markdown, LaTeX (booktabs) and CSV.

Cells show mean ± std over seeds; with a single seed the ± is the evaluation's own spread (IS splits,
KID subsets or bootstrap), and the caption says so. The best value per column is bold (ties all bold).
The headline comparison — the experiment's proposed model (``run.proposed``) against the best of the
other models, in percent — sits in a last row, beside the change its paper reports where the experiment
gives it (``report.reported_change``; the ReStGAN paper's Table 1: +22% type IS, +100% colour IS, +27%
gender IS, -81% FID). The best baseline is chosen per column (our choice; the paper does not say).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ganbench.report.results import DEFAULT_VARIANT, summarise_over_seeds

HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"


@dataclass(frozen=True)
class Column:
    metric: str  # name in metrics.json (dotted for per-attribute tables)
    label: str
    better: str = HIGHER
    percent: bool = False  # a share in 0..1, shown as a percentage


PAPER_COLUMNS = (Column("is_type", "Type IS"), Column("is_colour", "Colour IS"),
                 Column("is_gender", "Gender IS"), Column("fid", "FID", LOWER))
BEYOND_COLUMNS = (Column("colour_de00_mean", "Colour ΔE00", LOWER),
                  Column("colour_de00_within_5", "ΔE00 ≤ 5", HIGHER, percent=True),
                  Column("attribute_accuracy.type", "Type acc.", HIGHER, percent=True),
                  Column("attribute_accuracy.gender", "Gender acc.", HIGHER, percent=True),
                  Column("attribute_accuracy.colour", "Colour acc.", HIGHER, percent=True),
                  Column("attribute_accuracy.fit", "Fit acc.", HIGHER, percent=True),
                  Column("attribute_accuracy.length", "Length acc.", HIGHER, percent=True),
                  Column("retention_rate", "Retention", HIGHER, percent=True),
                  Column("response_rate", "Response", HIGHER, percent=True),
                  Column("step_feature_distance", "Step distance", NEUTRAL),
                  Column("precision_at_k", "Precision@k", HIGHER, percent=True),
                  Column("kid", "KID", LOWER))


@dataclass
class Table:
    """One report table: numbers (``mean`` / ``spread`` frames indexed by row label) and how to show them."""

    columns: tuple[Column, ...]
    mean: pd.DataFrame
    spread: pd.DataFrame
    n_seeds: pd.Series
    rows: list[tuple[str, str]]  # (model, variant) per row label, in order
    change: pd.DataFrame | None = None  # per metric: proposed, best_baseline, change_percent, paper_percent
    proposed: str = ""  # the model the change row compares with the best baseline

    def caption_spread(self) -> str:
        seeds = sorted(set(int(n) for n in self.n_seeds))
        if not seeds:
            return "no finished cells"
        if seeds == [1]:
            return "one seed: ± is the evaluation's own spread (IS splits, KID subsets, bootstrap)"
        return f"mean ± std over {'/'.join(map(str, seeds))} seeds"


def build_table(metrics: pd.DataFrame, columns: tuple[Column, ...], proposed: str = "",
                reported: dict[str, float] | None = None) -> Table:
    """A :class:`Table` over the metric columns present in ``metrics`` (absent columns are dropped); with
    ``proposed``, a change row against the best baseline beside the ``reported`` change (percent)."""
    summary = summarise_over_seeds(metrics)
    present = tuple(c for c in columns if c.metric in set(summary["metric"]))
    rows = list(dict.fromkeys(zip(summary["model"], summary["variant"], strict=True)))
    labels = [row_label(model, variant) for model, variant in rows]
    summary = summary.assign(row=[row_label(m, v) for m, v in zip(summary["model"], summary["variant"],
                                                                   strict=True)])
    spread = summary["seed_std"].where(summary["n_seeds"] > 1, summary["eval_std"])
    mean = summary.pivot(index="row", columns="metric", values="mean").reindex(index=labels)
    spread = summary.assign(spread=spread).pivot(index="row", columns="metric", values="spread")
    spread = spread.reindex(index=labels)
    n_seeds = summary.groupby("row", sort=False)["n_seeds"].max().reindex(labels)
    metric_names = [c.metric for c in present]
    table = Table(present, mean.reindex(columns=metric_names), spread.reindex(columns=metric_names), n_seeds,
                  rows)
    if proposed:
        table.proposed = proposed
        table.change = relative_change(table, proposed, reported or {})
    return table


def row_label(model: str, variant: str) -> str:
    return model if variant == DEFAULT_VARIANT else f"{model} ({variant})"


def relative_change(table: Table, proposed: str, reported: dict[str, float]) -> pd.DataFrame | None:
    """Per column: the proposed model (default variant) against the best baseline (default variants)."""
    labels = dict(zip(table.rows, table.mean.index, strict=True))
    mine = labels.get((proposed, DEFAULT_VARIANT))
    baselines = [label for (model, variant), label in labels.items()
                 if model != proposed and variant == DEFAULT_VARIANT]
    if mine is None or not baselines:
        return None
    records = []
    for column in table.columns:
        values = table.mean.loc[baselines, column.metric].dropna()
        best = (values.min() if column.better == LOWER else values.max()) if len(values) else math.nan
        ours = table.mean.loc[mine, column.metric]
        change = (ours - best) / abs(best) * 100 if best and math.isfinite(best) else math.nan
        records.append({"metric": column.metric, "proposed": ours, "best_baseline": best,
                        "best_baseline_model": values.idxmin() if column.better == LOWER and len(values)
                        else values.idxmax() if len(values) else "",
                        "change_percent": change, "paper_percent": reported.get(column.metric)})
    return pd.DataFrame.from_records(records).set_index("metric")


def best_rows(table: Table, column: Column) -> set[str]:
    """Row labels holding the best mean of ``column`` as shown (values equal once rounded for display
    tie, and are all bold); none for a neutral column."""
    values = table.mean[column.metric].dropna()
    if column.better == NEUTRAL or values.empty:
        return set()
    decimals = _decimals(values, column.percent)
    shown = (values * (100.0 if column.percent else 1.0)).round(decimals)
    best = shown.min() if column.better == LOWER else shown.max()
    return set(shown.index[shown == best])


def _decimals(values: pd.Series, percent: bool) -> int:
    """2 decimals, or 4 for a column of small non-percent numbers (KID is often ~0.01)."""
    finite = values[values.map(math.isfinite)].abs()
    return 4 if not percent and len(finite) and 0 < finite.max() < 0.1 else 2


def format_value(mean: float, spread: float, percent: bool, decimals: int = 2) -> str:
    if not math.isfinite(mean):
        return "n/a"
    scale, unit = (100.0, "%") if percent else (1.0, "")
    text = f"{mean * scale + 0.0:.{decimals}f}{unit}"
    return f"{text} ± {spread * scale:.{decimals}f}{unit}" if math.isfinite(spread) else text


def format_change(change: float, paper: float | None) -> str:
    change = round(change, 1) + 0.0 if math.isfinite(change) else change  # no "-0.0%"
    ours = f"{change:+.1f}%" if math.isfinite(change) else "n/a"
    return f"{ours} (paper {paper:+.0f}%)" if paper is not None and math.isfinite(paper) else ours


def display_rows(table: Table, bold: tuple[str, str], header: str) -> list[list[str]]:
    """Header row then one row per model, strings with ``bold`` = (open, close) around the best values."""
    arrows = {HIGHER: " ↑", LOWER: " ↓", NEUTRAL: ""}
    lines = [[header] + [c.label + arrows[c.better] for c in table.columns]]
    best = {c.metric: best_rows(table, c) for c in table.columns}
    for label in table.mean.index:
        cells = [label]
        for column in table.columns:
            text = format_value(table.mean.loc[label, column.metric], table.spread.loc[label, column.metric],
                                column.percent, _decimals(table.mean[column.metric], column.percent))
            cells.append(f"{bold[0]}{text}{bold[1]}" if label in best[column.metric] else text)
        lines.append(cells)
    if table.change is not None:
        change = table.change
        lines.append([f"{table.proposed} vs best baseline"] + [
            format_change(change.loc[c.metric, "change_percent"], change.loc[c.metric, "paper_percent"])
            for c in table.columns])
    return lines


def to_markdown(table: Table, header: str = "Model") -> str:
    lines = display_rows(table, ("**", "**"), header)
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join(["---"] + ["---:"] * len(table.columns)) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in lines[1:]]
    return "\n".join(out) + "\n"


def to_latex(table: Table, caption: str, label: str, header: str = "Model") -> str:
    """A booktabs table (``\\toprule`` / ``\\midrule`` / ``\\bottomrule``) through pandas' Styler."""
    lines = [[_latex_escape(cell) for cell in row] for row in display_rows(table, ("\\textbf{", "}"), header)]
    frame = pd.DataFrame(lines[1:], columns=lines[0])
    return frame.style.hide(axis="index").to_latex(
        hrules=True, column_format="l" + "r" * len(table.columns), caption=_latex_escape(caption),
        label=label, position="t")


def to_csv(table: Table) -> str:
    """Numbers only: one row per (model, variant), ``METRIC_mean`` and ``METRIC_std`` columns."""
    frame = pd.DataFrame({"model": [m for m, _ in table.rows], "variant": [v for _, v in table.rows],
                          "n_seeds": table.n_seeds.to_numpy()})
    for column in table.columns:
        frame[f"{column.metric}_mean"] = table.mean[column.metric].to_numpy()
        frame[f"{column.metric}_std"] = table.spread[column.metric].to_numpy()
    return frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")


def change_to_csv(table: Table) -> str | None:
    if table.change is None:
        return None
    return table.change.to_csv(float_format="%.6g", lineterminator="\n")


def _latex_escape(text: str) -> str:
    if text.startswith("\\textbf{"):
        return "\\textbf{" + _latex_escape(text[len("\\textbf{"):-1]) + "}"
    for raw, escaped in (("\\", "\\textbackslash{}"), ("%", "\\%"), ("_", "\\_"), ("&", "\\&"), ("#", "\\#"),
                         ("±", "$\\pm$"), ("↑", "$\\uparrow$"), ("↓", "$\\downarrow$"), ("≤", "$\\leq$"),
                         ("ΔE00", "$\\Delta E_{00}$")):
        text = text.replace(raw, escaped)
    return text

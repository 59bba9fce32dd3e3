"""The paper table and the beyond-paper table, as Markdown, LaTeX (booktabs) and CSV.

Cells show the mean over seeds ± the 95% t-interval over seeds (two or more seeds), or with a single
seed the evaluation's own spread (IS splits, KID subsets or bootstrap); the caption says which. The best
model value per column is bold (ties all bold), except in columns that a broken model can win on their
own (retention: an image that never changes retains everything; response): refinement is bolded on
``refinement_score``. The headline comparison, the experiment's proposed model (``run.proposed``)
against the best of the other models in percent, sits in the last model row, beside the change its paper
reports where the experiment gives it
(``report.reported_change``; the ReStGAN paper's Table 1: +22% type IS, +100% colour IS, +27% gender IS,
-81% FID), with the 95% t-interval over seeds and ``*`` when the paired t-test's p, Holm-corrected over
the table's columns, is below 0.05 (see :mod:`ganbench.report.stats`). The best baseline is chosen per
column from the same seeds (our choice; the paper does not say), so the row describes; whether the
proposed model beats every baseline is tested in :mod:`ganbench.report.claims`. The calibration rows
(``real images``, ``mean image``: see :mod:`ganbench.eval.calibration`) follow, set apart and never bold.
``SECOND_COLUMNS`` are the second evaluator's paper metrics (absent from older results).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ganbench.eval.baseline_names import ROW_NAMES
from ganbench.eval.directions import HIGHER, LOWER, NEUTRAL, direction
from ganbench.report.results import CALIBRATION_VARIANT, DEFAULT_VARIANT, cell_spread, summarise_over_seeds
from ganbench.report.stats import DIFFERENCE, LOG_RATIO, MIN_SEEDS_FOR_INTERVAL, paired_change, with_corrected

REAL_ROW, FLOOR_ROW = ROW_NAMES["real"], ROW_NAMES["mean-image"]
# the second evaluator's metrics, until ganbench.eval.directions knows them (its owner adds them)
SECOND_DIRECTIONS = {"second_is_type": HIGHER, "second_is_colour": HIGHER, "second_is_gender": HIGHER,
                     "second_fid": LOWER, "second_kid": LOWER}


def metric_direction(metric: str) -> str:
    """:func:`ganbench.eval.directions.direction`, with the second evaluator's metrics as a fallback."""
    way = direction(metric)
    return SECOND_DIRECTIONS.get(metric, way) if way == NEUTRAL else way


@dataclass(frozen=True)
class Column:
    metric: str  # name in metrics.json (dotted for per-attribute tables)
    label: str
    percent: bool = False  # a share in 0..1, shown as a percentage
    bold: bool = True  # bold the best model (False where a broken model can win the column alone)

    @property
    def better(self) -> str:
        return metric_direction(self.metric)


PAPER_COLUMNS = (Column("is_type", "Type IS"), Column("is_colour", "Colour IS"),
                 Column("is_gender", "Gender IS"), Column("fid", "FID"))
BEYOND_COLUMNS = (Column("colour_de00_mean", "Colour ΔE00"),
                  Column("colour_de00_within_5", "ΔE00 ≤ 5", percent=True),
                  Column("attribute_accuracy.type", "Type acc.", percent=True),
                  Column("attribute_accuracy.gender", "Gender acc.", percent=True),
                  Column("attribute_accuracy.colour", "Colour acc.", percent=True),
                  Column("attribute_accuracy.fit", "Fit acc.", percent=True),
                  Column("attribute_accuracy.length", "Length acc.", percent=True),
                  Column("refinement_score", "Refinement", percent=True),
                  Column("retention_rate", "Retention", percent=True, bold=False),
                  Column("response_rate", "Response", percent=True, bold=False),
                  Column("step_feature_distance", "Step distance"),
                  Column("precision_at_k", "Precision@k", percent=True),
                  Column("kid", "KID"))
SECOND_COLUMNS = (Column("second_is_type", "Type IS (2nd)"), Column("second_is_colour", "Colour IS (2nd)"),
                  Column("second_is_gender", "Gender IS (2nd)"), Column("second_fid", "FID (2nd)"),
                  Column("second_kid", "KID (2nd)"))
CALIBRATION_HEADING = "calibration (not models)"


@dataclass
class Table:
    """One report table: numbers (``mean`` / ``spread`` frames indexed by row label) and how to show them.

    ``calibration_mean`` / ``calibration_spread``: the calibration rows, same columns, kept apart so that
    nothing (bold, best baseline, plots) mistakes them for models.
    """

    columns: tuple[Column, ...]
    mean: pd.DataFrame
    spread: pd.DataFrame
    n_seeds: pd.Series
    rows: list[tuple[str, str]]  # (model, variant) per row label, in order
    change: pd.DataFrame | None = None  # per metric: see relative_change
    proposed: str = ""  # the model the change row compares with the best baseline
    calibration_mean: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration_spread: pd.DataFrame = field(default_factory=pd.DataFrame)

    def seed_counts(self) -> list[int]:
        return sorted(set(int(n) for n in self.n_seeds.dropna()))

    def caption_spread(self) -> str:
        seeds = self.seed_counts()
        if not seeds:
            return "no finished cells"
        if seeds == [1]:
            return ("one seed: ± is the evaluation's own spread (IS splits, KID subsets, bootstrap); one "
                    "seed cannot say whether a difference between models is real, so nothing is marked "
                    "significant")
        text = (f"mean ± 95% t-interval over {'/'.join(map(str, seeds))} seeds (each seed's own "
                "evaluation spread is in tables/per_seed.csv)")
        if min(seeds) < MIN_SEEDS_FOR_INTERVAL:
            text += (f"; with fewer than {MIN_SEEDS_FOR_INTERVAL} seeds a change between models gets no "
                     "interval and is never marked significant")
        return text


def build_table(metrics: pd.DataFrame, columns: tuple[Column, ...], proposed: str = "",
                reported: dict[str, float] | None = None, calibration: pd.DataFrame | None = None) -> Table:
    """A :class:`Table` over the metric columns present in ``metrics`` (absent columns are dropped); with
    ``proposed``, a change row against the best baseline beside the ``reported`` change (percent);
    ``calibration`` (tidy rows of the calibration baselines) adds the calibration rows."""
    present = tuple(c for c in columns if c.metric in set(metrics["metric"]))
    names = [c.metric for c in present]
    mean, spread, n_seeds, rows = _pivot(metrics, names)
    table = Table(present, mean, spread, n_seeds, rows, proposed=proposed)
    if calibration is not None and not calibration.empty:
        table.calibration_mean, table.calibration_spread, _, _ = _pivot(calibration, names)
    if proposed:
        table.change = relative_change(table, proposed, metrics, reported or {})
    return table


def _pivot(metrics: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, list]:
    """Mean and shown spread per (row label, metric), seeds per row, and the (model, variant) rows."""
    summary = summarise_over_seeds(metrics)
    rows = list(dict.fromkeys(zip(summary["model"], summary["variant"], strict=True)))
    labels = [row_label(model, variant) for model, variant in rows]
    summary = summary.assign(row=[row_label(m, v) for m, v in zip(summary["model"], summary["variant"],
                                                                   strict=True)], shown=cell_spread(summary))
    mean = summary.pivot(index="row", columns="metric", values="mean").reindex(index=labels, columns=names)
    spread = summary.pivot(index="row", columns="metric", values="shown").reindex(index=labels, columns=names)
    n_seeds = summary.groupby("row", sort=False)["n_seeds"].max().reindex(labels)
    return mean, spread, n_seeds, rows


def row_label(model: str, variant: str) -> str:
    return model if variant in (DEFAULT_VARIANT, CALIBRATION_VARIANT) else f"{model} ({variant})"


def relative_change(table: Table, proposed: str, metrics: pd.DataFrame,
                    reported: dict[str, float]) -> pd.DataFrame | None:
    """Per column: the proposed model (default variant) against the best baseline (default variants,
    best by mean over seeds), paired by seed: change in percent, its 95% t-interval over seeds, the paired
    t-test and sign-flip p-values, and the t-test p Holm-corrected over this table's columns."""
    labels = dict(zip(table.rows, table.mean.index, strict=True))
    mine = labels.get((proposed, DEFAULT_VARIANT))
    baselines = [label for (model, variant), label in labels.items()
                 if model != proposed and variant == DEFAULT_VARIANT]
    if mine is None or not baselines:
        return None
    defaults = metrics[metrics["variant"] == DEFAULT_VARIANT]
    best, changes = [], []
    for column in table.columns:
        if column.better == NEUTRAL:  # no better way, so no "best baseline" and no test
            best.append(("", math.nan))
            changes.append(paired_change(pd.Series(dtype=float), pd.Series(dtype=float)))
            continue
        values = table.mean.loc[baselines, column.metric].dropna()
        best_model = (values.idxmin() if column.better == LOWER else values.idxmax()) if len(values) else ""
        chosen = defaults[defaults["metric"] == column.metric]
        best.append((best_model, values.get(best_model, math.nan)))
        changes.append(paired_change(chosen[chosen["model"] == proposed].set_index("seed")["mean"],
                                     chosen[chosen["model"] == best_model].set_index("seed")["mean"]))
    records = [{"metric": column.metric, "proposed": table.mean.loc[mine, column.metric],
                "best_baseline": value, "best_baseline_model": model, "change_percent": change.percent,
                "ci_low": change.low, "ci_high": change.high, "test": change.test, "p_t": change.p_t,
                "p_signflip": change.p_sign, "p_holm": change.p_corrected, "significant": change.significant,
                "paired_seeds": len(change.seeds), "paper_percent": reported.get(column.metric)}
               for column, (model, value), change in zip(table.columns, best, with_corrected(changes),
                                                         strict=True)]
    return pd.DataFrame.from_records(records).set_index("metric") if records else None


def change_caption(table: Table) -> str:
    """How the change row was tested, for a caption; "" without a tested change."""
    if table.change is None or not table.change["ci_low"].notna().any():
        return ""
    tests = set(table.change["test"]) - {""}
    on = ("per-seed log-ratios" if tests == {LOG_RATIO} else "per-seed differences" if tests == {DIFFERENCE}
          else "per-seed log-ratios (differences where a value is not positive)")
    tested = int(table.change["p_t"].notna().sum())
    tested_rows = table.change[table.change["p_t"].notna()]
    seeds = "/".join(map(str, sorted(set(tested_rows["paired_seeds"]))))
    return (f"[low, high] is the 95% t-interval over {seeds} seeds paired by seed; paired t-test on {on}, "
            f"Holm-corrected over {tested} columns; * = corrected p < 0.05 (raw and corrected p-values and "
            "the exact sign-flip p in the change CSV)")


def best_rows(table: Table, column: Column) -> set[str]:
    """Model row labels holding the best mean of ``column`` as shown (values equal once rounded for
    display tie, and are all bold); none for a neutral or not-bolded column. Calibration rows never."""
    values = table.mean[column.metric].dropna()
    if column.better == NEUTRAL or not column.bold or values.empty:
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
    text = f"{round(mean * scale, decimals) + 0.0:.{decimals}f}{unit}"  # + 0.0: no "-0.00"
    return f"{text} ± {spread * scale:.{decimals}f}{unit}" if math.isfinite(spread) else text


def format_change(change: float, paper: float | None, low: float = math.nan, high: float = math.nan,
                  significant: bool = False) -> str:
    """``+24.0% [+10.1, +35.2]* (paper +22%)``; no interval (one seed) -> ``+24.0% (paper +22%)``."""
    def rounded(value: float) -> float:
        return round(value, 1) + 0.0  # no "-0.0%"

    ours = f"{rounded(change):+.1f}%" if math.isfinite(change) else "n/a"
    if math.isfinite(change) and math.isfinite(low) and math.isfinite(high):
        ours += f" [{rounded(low):+.1f}, {rounded(high):+.1f}]" + ("*" if significant else "")
    return f"{ours} (paper {paper:+.0f}%)" if paper is not None and math.isfinite(paper) else ours


def display_rows(table: Table, bold: tuple[str, str], header: str) -> list[list[str]]:
    """Header row, one row per model, the change row, then the calibration rows under a heading row;
    strings with ``bold`` = (open, close) around the best model values."""
    arrows = {HIGHER: " ↑", LOWER: " ↓", NEUTRAL: " ↕"}  # ↕: neither way is better (captions say so)
    lines = [[header] + [c.label + arrows[c.better] for c in table.columns]]
    best = {c.metric: best_rows(table, c) for c in table.columns}
    decimals = {c.metric: _decimals(pd.concat([table.mean[c.metric], _calibration_column(table, c)]),
                                    c.percent) for c in table.columns}
    for label in table.mean.index:
        cells = [label]
        for column in table.columns:
            text = format_value(table.mean.loc[label, column.metric], table.spread.loc[label, column.metric],
                                column.percent, decimals[column.metric])
            cells.append(f"{bold[0]}{text}{bold[1]}" if label in best[column.metric] else text)
        lines.append(cells)
    if table.change is not None:
        change = table.change
        lines.append([f"{table.proposed} vs best baseline"] + [
            format_change(*change.loc[c.metric, ["change_percent", "paper_percent", "ci_low", "ci_high",
                                                 "significant"]]) for c in table.columns])
    if not table.calibration_mean.empty:
        lines.append([CALIBRATION_HEADING] + [""] * len(table.columns))
        for label in table.calibration_mean.index:
            lines.append([label] + [format_value(table.calibration_mean.loc[label, c.metric],
                                                 table.calibration_spread.loc[label, c.metric], c.percent,
                                                 decimals[c.metric]) for c in table.columns])
    return lines


def _calibration_column(table: Table, column: Column) -> pd.Series:
    if table.calibration_mean.empty:
        return pd.Series(dtype=float)
    return table.calibration_mean[column.metric]


def calibration_positions(table: Table) -> pd.DataFrame:
    """Where each model sits between the calibration rows, per column, in percent: 0 = ``mean image``,
    100 = ``real images`` (beyond either end is possible); NaN where a row lacks the value."""
    rows = table.calibration_mean
    if not {REAL_ROW, FLOOR_ROW} <= set(rows.index):
        return pd.DataFrame(index=table.mean.index)
    real, floor = rows.loc[REAL_ROW], rows.loc[FLOOR_ROW]
    width = (real - floor).where((real - floor).abs() > 0)
    return (table.mean - floor) / width * 100.0


def position_summary(table: Table) -> str:
    """One sentence for a caption: each model's median position between the calibration rows."""
    positions = calibration_positions(table)
    medians = positions.median(axis=1, skipna=True).dropna() if not positions.empty else pd.Series()
    if medians.empty:
        return ""
    parts = ", ".join(f"{label} {value:.0f}%" for label, value in medians.items())
    return ("Between the calibration rows (0% = mean image, 100% = real images; median over the columns "
            f"where both rows have a value): {parts}.")


def to_markdown(table: Table, header: str = "Model") -> str:
    lines = display_rows(table, ("**", "**"), header)
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join(["---"] + ["---:"] * len(table.columns)) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in lines[1:]]
    return "\n".join(out) + "\n"


def to_latex(table: Table, caption: str, label: str, header: str = "Model") -> str:
    """A booktabs table (``\\toprule`` / ``\\midrule`` / ``\\bottomrule``) through pandas' Styler; a
    ``\\midrule`` sets the calibration rows apart."""
    lines = [[_latex_escape(cell) for cell in row] for row in display_rows(table, ("\\textbf{", "}"), header)]
    frame = pd.DataFrame(lines[1:], columns=lines[0])
    latex = frame.style.hide(axis="index").to_latex(
        hrules=True, column_format="l" + "r" * len(table.columns), caption=_latex_escape(caption),
        label=label, position="t")
    heading = _latex_escape(CALIBRATION_HEADING) + " &"
    return latex.replace("\n" + heading, "\n\\midrule\n" + heading, 1)


def to_csv(table: Table) -> str:
    """Numbers only: one row per (model, variant), calibration rows last (variant ``calibration``);
    ``METRIC_mean`` and ``METRIC_spread`` (what the table shows after ±, named in ``spread``)."""
    seeds = table.seed_counts()
    kind = "95% t-interval over seeds" if seeds and seeds != [1] else "evaluation spread (one seed)"
    frame = pd.DataFrame({"model": [m for m, _ in table.rows], "variant": [v for _, v in table.rows],
                          "n_seeds": table.n_seeds.to_numpy(), "spread": kind})
    for column in table.columns:
        frame[f"{column.metric}_mean"] = table.mean[column.metric].to_numpy()
        frame[f"{column.metric}_spread"] = table.spread[column.metric].to_numpy()
    if not table.calibration_mean.empty:
        extra = pd.DataFrame({"model": table.calibration_mean.index, "variant": CALIBRATION_VARIANT,
                              "n_seeds": 1, "spread": "evaluation spread"})
        for column in table.columns:
            extra[f"{column.metric}_mean"] = table.calibration_mean[column.metric].to_numpy()
            extra[f"{column.metric}_spread"] = table.calibration_spread[column.metric].to_numpy()
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")


def change_to_csv(table: Table) -> str | None:
    if table.change is None:
        return None
    return table.change.to_csv(float_format="%.6g", lineterminator="\n")


def positions_to_csv(table: Table) -> str | None:
    positions = calibration_positions(table)
    if positions.empty or positions.isna().all().all():
        return None
    return positions.rename_axis("model").to_csv(float_format="%.4g", lineterminator="\n")


def _latex_escape(text: str) -> str:
    if text.startswith("\\textbf{"):
        return "\\textbf{" + _latex_escape(text[len("\\textbf{"):-1]) + "}"
    for raw, escaped in (("\\", "\\textbackslash{}"), ("%", "\\%"), ("_", "\\_"), ("&", "\\&"), ("#", "\\#"),
                         ("±", "$\\pm$"), ("↑", "$\\uparrow$"), ("↓", "$\\downarrow$"),
                         ("↕", "$\\updownarrow$"), ("≤", "$\\leq$"), ("ΔE00", "$\\Delta E_{00}$")):
        text = text.replace(raw, escaped)
    return text

"""``ganbench compare``: two models of one results folder on every metric, paired by seed.

For each metric both models have, the mean over the paired seeds of each, the relative change of A over
B with its 95% t-interval over seeds, the paired t-test p (on per-seed log-ratios, or differences where a
value is not positive) and the exact sign-flip p (:func:`ganbench.report.stats.paired_change`), the
t-test p Holm-corrected over every row printed (many metrics are tested at once), ``*`` when that
corrected p is below 0.05, which model the metric's direction favours, and the calibration rows' values
(``real images``, ``mean image``; NaN where the results folder has none) to read both against.
"""

from __future__ import annotations

import math

import pandas as pd

from ganbench.eval.accuracy import MAJORITY_METRIC
from ganbench.eval.directions import HIGHER, LOWER, direction
from ganbench.report.results import DEFAULT_VARIANT, Results, ResultsError
from ganbench.report.stats import MIN_SEEDS_FOR_INTERVAL, paired_change, sign_flip_floor, with_corrected
from ganbench.report.tables import FLOOR_ROW, REAL_ROW, row_label

COLUMNS = ["metric", "a_mean", "b_mean", "change_percent", "ci_low", "ci_high", "test", "p_t", "p_signflip",
           "p_holm", "significant", "favours", "seeds", "real_images", "mean_image"]
TARGET_NOTES = {"query_diversity": "query_diversity has no direction: 1 = as varied as real photos of the "
                                   "same labels, 0 = the noise is ignored"}


def parse_model(spec: str) -> tuple[str, str]:
    """``"restgan"`` -> (restgan, default); ``"restgan/no-colour"`` -> (restgan, no-colour)."""
    model, _, variant = spec.partition("/")
    return model, variant or DEFAULT_VARIANT


def _per_seed(results: Results, spec: str) -> pd.DataFrame:
    """(seed x metric) means of one model row; a clear error naming the rows there are."""
    model, variant = parse_model(spec)
    frame = results.metrics
    chosen = frame[(frame["model"] == model) & (frame["variant"] == variant)]
    if chosen.empty:
        available = ", ".join(m if v == DEFAULT_VARIANT else f"{m}/{v}" for m, v in results.cell_order())
        raise ResultsError(f"no finished cell of {spec!r} in {results.root}; models there: "
                           f"{available or 'none'} (MODEL or MODEL/VARIANT)")
    return chosen.pivot_table(index="seed", columns="metric", values="mean", aggfunc="first")


def compare_models(results: Results, a: str, b: str) -> pd.DataFrame:
    """One row per metric both models have (in A's metric order); see the module doc."""
    first, second = _per_seed(results, a), _per_seed(results, b)
    seeds = sorted(set(first.index) & set(second.index))
    if not seeds:
        raise ResultsError(f"{a!r} (seeds {sorted(first.index)}) and {b!r} (seeds {sorted(second.index)}) "
                           "share no seed, so they cannot be paired")
    order = [m for m in results.metrics["metric"].drop_duplicates()
             if m in first and m in second and not m.startswith(f"{MAJORITY_METRIC}.")]  # of the queries
    rows, real, floor = [], _calibration(results, REAL_ROW), _calibration(results, FLOOR_ROW)
    changes = with_corrected([paired_change(first[metric], second[metric]) for metric in order])
    for metric, change in zip(order, changes, strict=True):
        rows.append([metric, change.a_mean, change.b_mean, change.percent, change.low, change.high,
                     change.test, change.p_t, change.p_sign, change.p_corrected, change.significant,
                     _favours(metric, change.a_mean, change.b_mean, a, b), len(change.seeds),
                     real.get(metric, math.nan), floor.get(metric, math.nan)])
    return pd.DataFrame(rows, columns=COLUMNS)


def _calibration(results: Results, row: str) -> pd.Series:
    """metric -> value of calibration row ``row`` (empty when the results folder has none)."""
    frame = results.calibration
    chosen = frame[frame["model"] == row]
    return chosen.drop_duplicates("metric").set_index("metric")["mean"]


def _favours(metric: str, a_mean: float, b_mean: float, a: str, b: str) -> str:
    way = direction(metric)
    comparable = math.isfinite(a_mean) and math.isfinite(b_mean) and a_mean != b_mean
    if way not in (HIGHER, LOWER) or not comparable:
        return ""
    return a if (a_mean > b_mean) == (way == HIGHER) else b


def format_comparison(table: pd.DataFrame, a: str, b: str) -> str:
    """A plain-text table with a header that says how the comparison was made."""
    seeds = int(table["seeds"].max()) if len(table) else 0
    label_a, label_b = row_label(*parse_model(a)), row_label(*parse_model(b))
    note = (f"95% t-interval over {seeds} paired seeds"
            if seeds >= MIN_SEEDS_FOR_INTERVAL else
            f"{seeds} paired seed(s): no interval and no significance with fewer than "
            f"{MIN_SEEDS_FOR_INTERVAL} (train more seeds to tell whether a difference is real)")
    width = max([len("metric"), *(len(m) for m in table["metric"])])
    calibrated = bool(table[["real_images", "mean_image"]].notna().any().any())
    favours = max([len("favours"), *(len(f) for f in table["favours"])])
    extra = f" {REAL_ROW:>11} {FLOOR_ROW:>11}" if calibrated else ""
    lines = [f"{label_a} (A) vs {label_b} (B), paired by seed: change = (A - B) / |B|; {note}",
             f"{'metric':<{width}} {'A':>11} {'B':>11} {'change':>9} {'95% interval':>18} {'p (t)':>7} "
             f"{'p (sign)':>8} {'p (Holm)':>8}  {'favours':<{favours}}{extra}".rstrip()]
    for row in table.itertuples(index=False):
        interval = (f"[{row.ci_low:+.1f}, {row.ci_high:+.1f}]{'*' if row.significant else ' '}"
                    if math.isfinite(row.ci_low) else "")
        change = f"{row.change_percent:+.1f}%" if math.isfinite(row.change_percent) else "n/a"
        calibration = f" {_number(row.real_images):>11} {_number(row.mean_image):>11}" if calibrated else ""
        lines.append(f"{row.metric:<{width}} {_number(row.a_mean):>11} {_number(row.b_mean):>11} "
                     f"{change:>9} {interval:>18} {_p(row.p_t):>7} {_p(row.p_signflip):>8} "
                     f"{_p(row.p_holm):>8}  "
                     f"{row.favours:<{favours}}{calibration}".rstrip())
    lines += [f"note: {text}" for metric, text in TARGET_NOTES.items() if metric in set(table["metric"])]
    lines.append(holm_footer(table))
    return "\n".join(lines)


def holm_footer(table: pd.DataFrame) -> str:
    """What the p-values and ``*`` mean, with the number of rows the correction covers."""
    tested = int(table["p_t"].notna().sum()) if len(table) else 0
    if not tested:
        return "note: no row has a paired test (fewer than 3 paired seeds, or seeds that do not vary)"
    seeds = int(table["seeds"].max())
    tests = set(table["test"]) - {""}
    on = "per-seed log-ratios" + ("" if tests <= {"log-ratio"}
                                  else " (differences where a value is not positive)")
    return (f"note: paired t-test on {on}, Holm-corrected over {tested} rows; * = corrected p < 0.05; "
            f"p (sign) is the exact sign-flip test, whose smallest possible p over {seeds} seeds is "
            f"{sign_flip_floor(seeds):.3g}")


def _p(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else ""


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "n/a"

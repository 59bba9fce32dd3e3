"""The conditioning check: does each model use its text?

A table of the conditioning strength (how far the text moves the conditioning against the augmentation
noise, :mod:`ganbench.models.diagnostics`) and of the type, gender, colour, fit and length accuracy of the
generated images (fit and length scored only on queries that name them), with the ``majority class`` row
under them: the accuracy a generator that ignores its text and always draws the most requested class would
score on the same test queries (``majority_rate`` in each metrics.json, per head). Then one plain sentence
per model. Our rules (the paper has no such check):

- a model *conditions on* an attribute when the lower end of its accuracy's 95% interval is above the
  majority rate (the t-interval over seeds with two or more seeds; with one seed mean - 1.96 x the
  evaluation's bootstrap spread);
- the word shift of an attribute (:mod:`ganbench.eval.word_swap`, which swaps the type, gender and
  colour words only) says how far its word reaches the conditioning; it is quoted for each of those
  attributes a model misses, beside its strongest attribute word;
- its text pathway counts as *collapsed* when the conditioning strength is under
  :data:`COLLAPSED_BELOW`: the text then moves the conditioning by under a tenth of the noise added to it
  (measured: 0.01-0.04 for a collapsed stackgan-lstm, 0.8-1.4 for models that follow their text).
"""

from __future__ import annotations

import math

import pandas as pd

from ganbench.eval.accuracy import MAJORITY_METRIC
from ganbench.report.results import CALIBRATION_VARIANT, METRIC_COLUMNS
from ganbench.report.tables import Column, Table

COLLAPSED_BELOW = 0.1
CHECKED = ("type", "gender", "colour", "fit", "length")  # every head of the evaluation network
SWAPPED = ("type", "gender", "colour")  # the attributes word_swap_shift measures
MAJORITY_ROW = "majority class"
MAJORITY_PREFIX = MAJORITY_METRIC + "."
Z95 = 1.959964  # two-sided 95% normal quantile, for a single seed's bootstrap spread
SHIFT_PREFIX = "word_swap_shift."
CONDITIONING_COLUMNS = (Column("conditioning_strength", "Conditioning strength"),
                        *(Column(f"attribute_accuracy.{head}", f"{head.capitalize()} acc.", percent=True)
                          for head in CHECKED),
                        *(Column(f"{SHIFT_PREFIX}{head}", f"{head.capitalize()} word shift")
                          for head in SWAPPED))


def majority_rows(metrics: pd.DataFrame) -> pd.DataFrame:
    """The ``majority class`` calibration row: per attribute, the majority rate under the accuracy's
    metric name (mean over the cells; every cell scored on the same test streams has the same rate)."""
    chosen = metrics[metrics["metric"].str.startswith(MAJORITY_PREFIX)]
    rates = chosen.groupby("metric", sort=False)["mean"].mean().dropna()
    rows = [[MAJORITY_ROW, CALIBRATION_VARIANT, 0, "attribute_accuracy." + name[len(MAJORITY_PREFIX):],
             rate, math.nan, None, "exact"] for name, rate in rates.items()]
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def lower_bound(table: Table, label: str, metric: str) -> float:
    """Lower end of the 95% interval of a model row's ``metric`` (see the module doc)."""
    mean, spread = table.mean.loc[label, metric], table.spread.loc[label, metric]
    if not (math.isfinite(mean) and math.isfinite(spread)):
        return math.nan
    return mean - (spread if table.n_seeds.get(label, 1) > 1 else Z95 * spread)


def verdict(table: Table, label: str, majority: pd.Series) -> str:
    """One sentence: which attributes the model conditions on, which it does not, and the reason shown."""
    has_strength = "conditioning_strength" in table.mean
    strength = table.mean.loc[label, "conditioning_strength"] if has_strength else math.nan
    above, short = [], []
    for head in CHECKED:
        metric = f"attribute_accuracy.{head}"
        rate = majority.get(metric, math.nan)
        if metric not in table.mean or not math.isfinite(rate):
            continue
        low = lower_bound(table, label, metric)
        if math.isfinite(low) and low > rate:
            above.append(head)
        else:
            short.append(f"{head} ({table.mean.loc[label, metric]:.1%}, 95% lower bound {low:.1%}, "
                         f"majority {rate:.1%})")
    parts = [f"conditions on {_join(above)}"] if above else []
    if short:
        parts.append(f"not shown above the majority class for {_join(short)}")
    if math.isfinite(strength) and strength < COLLAPSED_BELOW:
        parts.append(f"its text pathway collapsed (conditioning strength {strength:.3f} < {COLLAPSED_BELOW})")
    elif short and math.isfinite(strength):
        parts.append(f"its text pathway has not collapsed (strength {strength:.2f})")
        notes = _shift_notes(table, label, [h for h in CHECKED if h not in above])
        parts += notes or ["so the shortfall lies between its conditioning and the image"]
    return f"**{label}**: " + ("; ".join(parts) if parts else "no accuracy to check") + "."


def _shift_notes(table: Table, label: str, heads: list[str]) -> list[str]:
    """For each missed attribute with a word-swap shift: how far its word moves the conditioning, beside
    the attribute word that moves it most."""
    shifts = {h: table.mean.loc[label, SHIFT_PREFIX + h] for h in SWAPPED if SHIFT_PREFIX + h in table.mean}
    shifts = {h: v for h, v in shifts.items() if math.isfinite(v)}
    notes = []
    for head in heads:
        others = {h: v for h, v in shifts.items() if h != head}
        if head not in shifts or not others:
            continue
        strongest = max(others, key=others.get)
        notes.append(f"changing its {head} word moves its conditioning by {shifts[head]:.2f} sigma of the "
                     f"augmentation noise (its {strongest} word: {others[strongest]:.2f})")
    return notes


def verdicts_markdown(table: Table) -> str:
    """A bullet per model row, each judged against the table's ``majority class`` row."""
    if MAJORITY_ROW not in table.calibration_mean.index:
        return ("No majority-class rates stored (metrics.json from an older ganbench): re-evaluate the cells "
                "to check conditioning.")
    majority = table.calibration_mean.loc[MAJORITY_ROW].dropna()
    return "\n".join(f"- {verdict(table, label, majority)}" for label in table.mean.index)


def caption(table: Table) -> str:
    return ("Does each model use its text? Conditioning strength = the spread over the test queries of the "
            "conditioning mean divided by the augmentation sigma (under "
            f"{COLLAPSED_BELOW} the text pathway has collapsed: every query gives nearly the same code); "
            "accuracy = the evaluation classifier's agreement with the attribute the query asks for (fit "
            "and length only on the queries that name them, and so is their majority rate); the "
            "majority class row is what a generator that ignores its text and always draws the most "
            "requested class would score on the same queries. A model conditions on an attribute when its "
            "accuracy's 95% lower bound is above that row. Word shift = how far swapping that attribute's "
            "word in the step naming it (men's -> women's) moves the conditioning mean, per dimension, in "
            "units of the augmentation sigma: well under 1 the noise, not the word, decides the attribute; "
            f"{table.caption_spread()}.")


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

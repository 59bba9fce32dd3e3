"""The report's per-word response: did the image change to show each refinement word?

Reads ``response_by_word`` and ``step_distance_by_word`` (:mod:`ganbench.eval.word_response`) of every
cell. Two Markdown tables, words as rows (in the evaluation's order: fit, length, size line, details,
colour terms, other) and models as columns: the response share, and how far the image's classifier
features moved at the word. A cell is the mean over seeds ± what the other tables show (95% t-interval
over seeds, or one seed's own bootstrap spread), then ``n`` summed over seeds (response: the steps scored,
those whose previous image did not already show the asked class; movement: every step naming the word).
Words the evaluation network has no head for (size line, details) are n/a in the response table (our
choice: never guessed), their movement is still shown. Also ``tables/word_response.csv`` (both readings,
tidy) and two grouped-bar figures, ``word_response`` and ``word_movement``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ganbench.data.files import read_json_object
from ganbench.eval.word_response import DISTANCE_BY_WORD, RESPONSE_BY_WORD
from ganbench.report import plots
from ganbench.report.index import Figure, Item
from ganbench.report.results import Results, cell_spread, summarise_over_seeds
from ganbench.report.tables import format_value, row_label

SUMMARY_COLUMNS = ["model", "word", "mean", "spread", "n"]


def word_summary(metrics: pd.DataFrame, table: str) -> pd.DataFrame:
    """Per (model row, word) of ``table``: mean over seeds, the shown spread and ``n`` summed over seeds."""
    prefix = table + "."
    chosen = metrics[metrics["metric"].str.startswith(prefix)]
    if chosen.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    keys = ["model", "variant", "metric"]
    counts = (chosen.assign(n=pd.to_numeric(chosen["n"], errors="coerce"))
              .groupby(keys, sort=False)["n"].sum().reset_index())
    summary = summarise_over_seeds(chosen)
    summary = summary.assign(spread=cell_spread(summary)).merge(counts, on=keys, how="left", sort=False)
    return pd.DataFrame({
        "model": [row_label(m, v) for m, v in zip(summary["model"], summary["variant"], strict=True)],
        "word": summary["metric"].str.slice(len(prefix)), "mean": summary["mean"],
        "spread": summary["spread"], "n": summary["n"].fillna(0).astype(int)})


def word_heads(results: Results) -> dict[str, str | None]:
    """The evaluation-network head(s) that judged each word, as the cells' metrics.json name them."""
    heads: dict[str, str | None] = {}
    for folder in results.cells.values():
        for word, entry in read_json_object(folder / "metrics.json").get(RESPONSE_BY_WORD, {}).items():
            if isinstance(entry, dict) and (heads.get(word) is None):
                heads[word] = entry.get("head")
    return heads


def _cell(row: pd.Series | None, percent: bool) -> str:
    if row is None:
        return "n/a"
    shown = format_value(row["mean"], row["spread"], percent, 1 if percent else 2)
    return f"{shown} (n {int(row['n'])})"


def words_markdown(frame: pd.DataFrame, percent: bool, labels: dict[str, str]) -> str:
    """A Markdown table: one row per word (shown as ``labels`` names it), one column per model."""
    models, words = list(dict.fromkeys(frame["model"])), list(dict.fromkeys(frame["word"]))
    cells = {(m, w): row for (m, w), row in frame.set_index(["model", "word"]).iterrows()}
    lines = ["| Word | " + " | ".join(models) + " |", "|---|" + "---:|" * len(models)]
    for word in words:
        values = [_cell(cells.get((model, word)), percent) for model in models]
        lines.append(f"| {labels.get(word, word)} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def _figures(response: pd.DataFrame, distance: pd.DataFrame, folder: Path, out: Path) -> list[Figure]:
    """Grouped bars per word and model: response (words with a value only) and movement."""
    shown = response[response["mean"].map(math.isfinite)]
    shown = shown.assign(mean=shown["mean"] * 100, spread=shown["spread"] * 100)
    drawn = [("Response per word", plots.grouped_bars(
                 shown, folder, "word_response", "mean", "word", "model", error="spread",
                 ylabel="response (%, higher is better)", title="Did the image change to show the word?",
                 valid=plots.PERCENT_RANGE)),
             ("Feature movement per word", plots.grouped_bars(
                 distance, folder, "word_movement", "mean", "word", "model", error="spread",
                 ylabel="feature distance to the previous step", title="How far the image moves per word",
                 valid=plots.NON_NEGATIVE))]
    return [Figure(str(paths[0].relative_to(out)), label, [str(p.relative_to(out)) for p in paths[1:]])
            for label, paths in drawn if paths]


def word_response_items(results: Results, out: Path, figures: bool = True) -> list[Item]:
    """The report's "Response per word" item (tables, CSV and, with ``figures``, the two figures); nothing
    when no cell stores per-word metrics."""
    response = word_summary(results.metrics, RESPONSE_BY_WORD)
    distance = word_summary(results.metrics, DISTANCE_BY_WORD)
    if response.empty and distance.empty:
        return []
    heads = word_heads(results)
    labels = {word: f"{word} ({heads.get(word) or 'no head'})" for word in heads}
    markdown = ("**Response** (the share of scored steps whose image now shows the class the word asks for)"
                f"\n\n{words_markdown(response, True, labels)}\n**Feature movement** (classifier-feature "
                f"distance to the previous step's image)\n\n{words_markdown(distance, False, {})}")
    csv = out / "tables" / "word_response.csv"
    tidy = response.merge(distance, on=["model", "word"], how="outer", suffixes=("_response", "_distance"))
    tidy.insert(2, "head", tidy["word"].map(heads))
    tidy.to_csv(csv, index=False, float_format="%.6g", lineterminator="\n")
    gallery = _figures(response, distance, out / "figures", out) if figures else []
    return [Item("Response per word", caption(), markdown=markdown, downloads=[str(csv.relative_to(out))],
                 gallery=gallery)]


def caption() -> str:
    return ("For every refinement word of the evaluated test queries (each step after the first; colour "
            "terms pooled as 'any colour term'): response = among the steps where the word changes an "
            "attribute the evaluation network classifies (the head in brackets: fit, length, colour) "
            "and the previous image did not already show the asked class, the share whose image now shows "
            "it; n/a for words no head judges (size line, details), whose feature movement (L2 distance "
            "of the classifier's pooled features to the previous step's image) says only whether the image "
            "moved. Mean over seeds ± the 95% t-interval over seeds (one seed: its bootstrap spread over "
            "streams); n = steps counted, summed over seeds.")

"""The diversity table: does each model draw different images for different noise, and cover the catalog?

Columns (:mod:`ganbench.eval.diversity`): per-query diversity (the models' spread over noise / real
photos' spread for the same labels; 1 = as varied as real photos, 0 = the noise is ignored, no bold: more
than 1 is not better), "seeds differ by" (mean absolute pixel difference between draws of one query),
improved precision and recall, and intra-FID per garment type with its mean. The calibration rows sit
under the models as in every table; the caption states each metric's N, read from the metrics files.
"""

from __future__ import annotations

import pandas as pd

from ganbench.report.results import Results
from ganbench.report.tables import Column, Table, build_table, position_summary

INTRA_PREFIX = "intra_fid."
HEAD_COLUMNS = (Column("query_diversity", "Diversity ÷ real", bold=False),
                Column("seed_pixel_difference", "Seeds differ by", percent=True, bold=False),
                Column("improved_precision", "Precision (k-NN)", percent=True),
                Column("improved_recall", "Recall (k-NN)", percent=True),
                Column("intra_fid_mean", "Intra-FID mean"))


def diversity_columns(metrics: pd.DataFrame) -> tuple[Column, ...]:
    """The fixed columns, then one intra-FID column per garment type found in ``metrics``."""
    types = sorted({m[len(INTRA_PREFIX):] for m in metrics["metric"] if m.startswith(INTRA_PREFIX)})
    return HEAD_COLUMNS + tuple(Column(INTRA_PREFIX + t, f"Intra-FID {t}") for t in types)


def diversity_table(results: Results) -> Table:
    """The table over every model row, with the calibration rows (no column when no cell has them)."""
    return build_table(results.metrics, diversity_columns(results.metrics), calibration=results.calibration)


def _counts(results: Results, metric: str) -> str:
    """The N of ``metric`` over the model cells, e.g. ``300`` or ``100-300``."""
    values = results.metrics.loc[results.metrics["metric"] == metric, "n"].dropna().astype(int)
    if values.empty:
        return "?"
    low, high = int(values.min()), int(values.max())
    return str(low) if low == high else f"{low}-{high}"


def _real_pixels(results: Results) -> str:
    chosen = results.metrics.loc[results.metrics["metric"] == "real_pixel_difference", "mean"].dropna()
    return f"{chosen.iloc[0]:.1%}" if len(chosen) else "n/a"


def _settings(results: Results) -> dict:
    for extras in results.extras.values():
        if isinstance(extras.get("settings"), dict) and "prc" in extras["settings"]:
            return extras["settings"]
    return {}


def caption(table: Table, results: Results) -> str:
    """What each column measures, with its N, and where the calibration rows put the models."""
    settings = _settings(results)
    k = settings.get("prc", {}).get("k", "?")
    draws = settings.get("diversity", {}).get("draws", "several draws per query")
    per_type = ", ".join(f"{name} {c['generated']} generated / {c['reference']} real"
                         for name, c in settings.get("intra_fid", {}).items())
    text = (
        "Does a model draw different garments for different noise? Diversity ÷ real = the mean distance "
        "between the evaluation network's pooled features of draws of one query with different noise, "
        "over the mean distance between train photos sharing the query's labels (type, gender, colour "
        "cluster, fit, length, backing off to fewer labels where under two photos share them), over "
        f"{_counts(results, 'query_diversity')} queries ({draws}): 1 = as varied as real photos, 0 = the "
        "noise is ignored, above 1 more varied than real photos (not better, so never bold). Seeds differ "
        "by = mean absolute pixel difference between those draws (two train photos sharing all labels "
        f"differ by {_real_pixels(results)}). Precision / recall (Kynkäänniemi et al. 2019, "
        f"torch-fidelity) with k = {k} on {_counts(results, 'improved_precision')} images per side: the "
        "share of generated images inside the real images' k-NN manifold, and of real images inside "
        "the generated one (low recall: the model covers little of the catalog; precision alone can be "
        "fooled: one image near the middle of the real features, as the mean image is, scores 100%). "
        "Intra-FID = FID within "
        "each garment type (Miyato and Koyama 2018)"
        + (f", N per type {per_type}" if per_type else "")
        + "; FID is biased up at small N, so compare rows only at equal N and never with the pooled "
        f"FID; {table.caption_spread()}. The real images row draws held-out photos sharing each query's "
        "labels, so its diversity is ~1 by measurement; the mean image row is the floor (0).")
    return f"{text} {position_summary(table)}".rstrip()

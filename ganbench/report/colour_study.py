"""Colour-term study per model, from the word embeddings each cell stored (``media/embeddings.npz``):
colorspace's study compares embedding distances between colour terms with CIEDE2000 distances.

Each cell stored the vector its text encoder gives every colour term as the model reads it (a model with
the colour model reads a colour word as its cluster token, so a cluster's terms share one vector and the
embedding follows CIELAB by construction; the table says so in its note). Lab values are those of
colorspace's default lookup table (the table runs use unless configured otherwise). A model with
vectors for fewer than 4 terms is listed with the reason instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import colorspace
from colorspace.study import StudyInputError, VectorCoverage, run_study, write_study
from ganbench.report.colour_pairs import between_cluster_figures
from ganbench.report.results import Results
from ganbench.report.tables import row_label

SUMMARY_COLUMNS = ["model", "terms", "spearman_rho", "p_value", "nn_agreement", "knn_overlap", "rho_between",
                   "nn_between", "between_pairs", "note"]


def stored_embeddings(results: Results) -> dict[str, Path]:
    """Row label -> the embeddings file of its first finished seed."""
    found: dict[str, Path] = {}
    for name, folder in results.cells.items():
        model, variant, _ = name.split("__")
        path = folder / "media" / "embeddings.npz"
        if path.is_file():
            found.setdefault(row_label(model, variant), path)
    return found


def colour_studies(results: Results, out_dir: Path, permutations: int = 500,
                   seed: int = 0) -> tuple[pd.DataFrame, dict[str, list[Path]]]:
    """Run the study for every model with stored embeddings; returns the summary table and each model's
    written plots (``out_dir/LABEL/``: distance scatter, swatches, a*b* scatter, heatmaps)."""
    table = colorspace.default_lookup()
    labs = {term: table.term_lab(term) for term in table.terms}
    cluster_of = {term: table.cluster_of(term) for term in table.terms}
    rows, written = [], {}
    for label, path in stored_embeddings(results).items():
        try:
            stored = np.load(path)
            pairs = zip(stored["terms"], stored["vectors"], strict=True)
            vectors = {str(t): v for t, v in pairs if str(t) in labs}
        except (KeyError, ValueError, OSError) as error:
            rows.append({"model": label, "terms": 0, "note": f"{path} is unreadable ({error})"})
            continue
        coverage = VectorCoverage(list(vectors), [], [t for t in table.terms if t not in vectors])
        try:
            summary, per_term, matrices = run_study(vectors, labs, cluster_of, permutations, seed,
                                                    coverage=coverage)
        except StudyInputError as error:
            rows.append({"model": label, "terms": len(vectors), "note": str(error)})
            continue
        folder = out_dir / _safe(label)
        written[label] = write_study(folder, summary, per_term, matrices, labs, table.clusters, cluster_of)
        note = "colour words read as their cluster token" if str(stored["source"]) == "cluster token" else ""
        rows.append({"model": label, "terms": summary.n_terms, "spearman_rho": summary.spearman_rho,
                     "p_value": summary.p_value, "nn_agreement": summary.nn_agreement,
                     "knn_overlap": summary.knn_overlap,
                     **between_cluster_figures(matrices, cluster_of), "note": note})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS), written


def study_markdown(summary: pd.DataFrame) -> str:
    """Between-cluster figures first (comparable across models), then the all-pairs figures."""
    lines = ["| Model | Terms | ρ between clusters | NN agreement between clusters | ρ all pairs | "
             "p (all pairs) | NN agreement all pairs | 5-NN overlap | Note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in summary.itertuples(index=False):
        numbers = [_number(row.rho_between, 3), _number(row.nn_between, 2),
                   _number(row.spearman_rho, 3), _number(row.p_value, 4), _number(row.nn_agreement, 2),
                   _number(row.knn_overlap, 2)]
        lines.append(f"| {row.model} | {row.terms} | " + " | ".join(numbers) + f" | {row.note or ''} |")
    return "\n".join(lines) + "\n"


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if isinstance(value, float) and np.isfinite(value) else "n/a"


def _safe(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def write_summary(summary: pd.DataFrame, out: Path) -> None:
    summary.to_csv(out.with_suffix(".csv"), index=False, float_format="%.6g")
    out.with_suffix(".json").write_text(json.dumps(summary.to_dict("records"), indent=1, default=str))

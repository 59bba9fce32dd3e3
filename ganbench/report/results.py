"""Read an experiment's results folder into tidy tables (one row per cell and metric).

``metrics.json`` entries follow ``ganbench.eval.uncertainty.metric_entry``: ``{"mean", "std", "n",
"spread"}``; a table of entries (``attribute_accuracy``) becomes dotted names (``attribute_accuracy.type``).
Bare numbers are read as a mean without a spread. Folders without ``metrics.json`` are listed as missing.
The calibration rows (``RESULTS/calibration/{real,mean-image}.json``, written by ``ganbench run`` or
``ganbench eval --baseline``) are read into their own frame, model = the row's name.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench.report.stats import t_half_width

DEFAULT_VARIANT = "default"
CALIBRATION_VARIANT = "calibration"
CALIBRATION_DIR = "calibration"
CALIBRATION_FILES = ("real.json", "mean-image.json")  # in the order the rows are shown
METRIC_COLUMNS = ["model", "variant", "seed", "metric", "mean", "std", "n", "spread"]


class ResultsError(ValueError):
    """A results folder the report cannot read."""


@dataclass
class Results:
    """The metrics of every finished cell, and the cells that have none (failed or not run)."""

    root: Path
    metrics: pd.DataFrame
    cells: dict[str, Path] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)  # cell -> non-metric fields
    calibration: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=METRIC_COLUMNS))

    def cell_order(self) -> list[tuple[str, str]]:
        """(model, variant) pairs in the order the cells were planned (folder names sort by it)."""
        return list(dict.fromkeys(zip(self.metrics["model"], self.metrics["variant"], strict=True)))


def load_results(root: str | Path) -> Results:
    """Every ``cells/*/metrics.json`` under ``root``; a cell folder without one is reported as missing."""
    root = Path(root)
    cell_root = root / "cells"
    if not cell_root.is_dir():
        raise ResultsError(f"{root} is not a results folder: expected {cell_root} "
                           "(written by `ganbench run`)")
    rows, cells, missing, extras = [], {}, [], {}
    for folder in _ordered_cell_folders(cell_root, root):
        parsed = parse_cell_name(folder.name)
        if parsed is None:
            continue
        metrics_file = folder / "metrics.json"
        if not metrics_file.is_file():
            missing.append(folder.name)
            continue
        try:
            metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ResultsError(f"{metrics_file} is not valid JSON: {error}") from None
        cells[folder.name] = folder
        model, variant, seed = parsed
        entries, extras[folder.name] = split_metrics(metrics)
        rows += [[model, variant, seed, name, *entry] for name, entry in entries.items()]
    return Results(root, pd.DataFrame(rows, columns=METRIC_COLUMNS), cells, missing, extras,
                   load_calibration(root / CALIBRATION_DIR))


def load_calibration(folder: Path) -> pd.DataFrame:
    """The calibration rows stored in ``folder`` (empty frame when there are none)."""
    rows = []
    for name in CALIBRATION_FILES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            metrics = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ResultsError(f"{path} is not valid JSON: {error}") from None
        row = metrics.get("baseline", {}).get("row") or path.stem
        entries, _ = split_metrics(metrics)
        seed = int(metrics.get("seed", 0))
        rows += [[row, CALIBRATION_VARIANT, seed, metric, *entry] for metric, entry in entries.items()]
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def cell_name(model: str, variant: str, seed: int) -> str:
    """The folder name of a cell: ``MODEL__VARIANT__seedN`` (docs/architecture.md, "A results folder")."""
    return f"{model}__{variant}__seed{seed}"


def parse_cell_name(name: str) -> tuple[str, str, int] | None:
    """``"restgan__default__seed0"`` -> ("restgan", "default", 0); None for other folder names."""
    parts = name.split("__")
    if len(parts) != 3 or not parts[2].startswith("seed") or not parts[2][4:].lstrip("-").isdigit():
        return None
    return parts[0], parts[1], int(parts[2][4:])


def split_metrics(metrics: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, tuple], dict[str, Any]]:
    """Metric entries as {dotted name: (mean, std, n, spread)}, and every other field as it was."""
    entries: dict[str, tuple] = {}
    extras: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and "mean" in value:
            entries[name] = (_number(value.get("mean")), _number(value.get("std")), value.get("n"),
                             value.get("spread"))
        elif isinstance(value, Mapping) and value and all(isinstance(v, Mapping) and "mean" in v
                                                          for v in value.values()):
            entries.update(split_metrics(value, name + ".")[0])
        elif _number(value) == _number(value) and key not in ("n_samples", "seed"):
            entries[name] = (_number(value), math.nan, None, None)
        else:
            extras[name] = value
    return entries, extras


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan


def _ordered_cell_folders(cell_root: Path, root: Path) -> list[Path]:
    """Cell folders in the experiment's planned order when ``run_summary.json`` says it, else by name."""
    folders = {p.name: p for p in cell_root.iterdir() if p.is_dir()}
    summary = root / "run_summary.json"
    order: list[str] = []
    if summary.is_file():
        order = [row["cell"] for row in json.loads(summary.read_text(encoding="utf-8")).get("cells", [])]
    named = [folders[name] for name in order if name in folders]
    return named + sorted(p for name, p in folders.items() if name not in order)


def summarise_over_seeds(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per (model, variant, metric): mean over seeds, std over seeds, the half-width of the 95% t-interval
    of that mean (``ci95``, NaN for one seed), the number of seeds, and the evaluation's own spread
    averaged over seeds (``eval_std``, shown instead when there is a single seed)."""
    grouped = metrics.groupby(["model", "variant", "metric"], sort=False)
    summary = grouped.agg(mean=("mean", "mean"), seed_std=("mean", "std"), n_seeds=("mean", "count"),
                          eval_std=("std", "mean"), ci95=("mean", t_half_width)).reset_index()
    return summary


def cell_spread(summary: pd.DataFrame) -> pd.Series:
    """What a table cell shows after ±: the 95% t-interval over seeds, or for one seed the evaluation's
    own spread."""
    return summary["ci95"].where(summary["n_seeds"] > 1, summary["eval_std"])

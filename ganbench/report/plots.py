"""Report plots (PNG and PDF, matplotlib's Agg backend, seaborn style). Models get colours from a
qualitative colour-blind-safe palette, and bars also carry hatches and curves markers and line styles, so
the plots stay readable in greyscale and no meaning rests on hue alone."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ganbench.report.tables import LOWER, NEUTRAL, Table  # noqa: E402

HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++", "**", "||")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
LINESTYLES = ("-", "--", ":", "-.")


# no creation date in the files, so the same numbers give the same bytes (issue 21)
PDF_METADATA = {"CreationDate": None, "ModDate": None}


def save_figure(figure: plt.Figure, out_dir: Path, stem: str) -> list[Path]:
    """``stem.png`` (120 dpi) and ``stem.pdf`` in ``out_dir``, byte for byte the same for the same figure
    (no dates in their metadata); closes the figure."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.pdf"]
    figure.savefig(paths[0], dpi=120)
    figure.savefig(paths[1], metadata=PDF_METADATA)
    plt.close(figure)
    return paths


PANEL_COLUMNS = 4  # metric panels per row
UNBOUNDED = (-math.inf, math.inf)
# Values a metric can take (a share is 0..100% once scaled); an error bar is cut where it would cross them.
# KID is left unbounded: its unbiased estimate can be negative.
METRIC_RANGES = {"is_type": (1.0, math.inf), "is_colour": (1.0, math.inf), "is_gender": (1.0, math.inf),
                 "second_is_type": (1.0, math.inf), "second_is_colour": (1.0, math.inf),
                 "second_is_gender": (1.0, math.inf), "fid": (0.0, math.inf), "second_fid": (0.0, math.inf),
                 "intra_fid_mean": (0.0, math.inf), "colour_de00_mean": (0.0, math.inf),
                 "step_feature_distance": (0.0, math.inf)}
PERCENT_RANGE = (0.0, 100.0)
NON_NEGATIVE = (0.0, math.inf)


def clipped_errors(means: np.ndarray, spreads: np.ndarray,
                   valid: tuple[float, float] = UNBOUNDED) -> np.ndarray:
    """Matplotlib's asymmetric ``yerr`` (2 x N: below, above) for ``means`` ± ``spreads``, each end cut at
    the ``valid`` range, so that a ΔE00 bar never reaches below 0 nor a share past 0% or 100%. A missing
    mean or spread draws no bar."""
    means = np.asarray(means, dtype=float)
    spreads = np.nan_to_num(np.asarray(spreads, dtype=float))
    low, high = valid
    below = means - np.maximum(means - spreads, low)
    above = np.minimum(means + spreads, high) - means
    return np.nan_to_num(np.clip(np.vstack([below, above]), 0.0, None))


def column_range(column) -> tuple[float, float]:
    """The values a table column can show: a share 0..100%, else :data:`METRIC_RANGES` or unbounded."""
    return PERCENT_RANGE if column.percent else METRIC_RANGES.get(column.metric, UNBOUNDED)


def _palette(n: int) -> list:
    """One distinct colour per model: seaborn's colour-blind-safe qualitative palette (10 colours, then
    tab20 for more)."""
    return sns.color_palette("colorblind" if n <= 10 else "tab20", n_colors=max(n, 1))


def metric_bars(table: Table, out_dir: Path, stem: str) -> list[Path] | None:
    """One panel per column of ``table``: a bar per model with its ± as an error bar."""
    if not table.columns:
        return None
    sns.set_theme(style="whitegrid", context="paper")
    n = len(table.columns)
    cols = min(PANEL_COLUMNS, n)
    rows = math.ceil(n / cols)
    labels = list(table.mean.index)
    panel_height = 2.2 + 0.06 * max(map(len, labels))  # rotated model names below each panel
    figure, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, panel_height * rows), squeeze=False,
                                layout="constrained")
    colours = _palette(len(labels))
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, column in zip(axes.flat, table.columns, strict=False):
        scale = 100.0 if column.percent else 1.0
        means = table.mean[column.metric].to_numpy(dtype=float) * scale
        errors = clipped_errors(means, table.spread[column.metric].to_numpy(dtype=float) * scale,
                                column_range(column))
        bars = ax.bar(range(len(labels)), np.nan_to_num(means), yerr=errors, capsize=3, color=colours,
                      edgecolor="black", linewidth=0.8)
        for bar, hatch in zip(bars, HATCHES * 10, strict=False):
            bar.set_hatch(hatch)
        direction = {LOWER: " (lower is better)", NEUTRAL: " (neither way is better)"}.get(
            column.better, " (higher is better)")
        ax.set_title(column.label + direction, fontsize=9)
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
        if column.percent:
            ax.set_ylabel("%")
    return save_figure(figure, out_dir, stem)


def read_log(run_dir: Path) -> pd.DataFrame:
    """``run_dir/log.jsonl`` as a frame (step, phase, one column per scalar); empty when absent."""
    path = Path(run_dir) / "log.jsonl"
    if not path.is_file():
        return pd.DataFrame()
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame.from_records(records)


def training_curves(logs: dict[str, pd.DataFrame], out_dir: Path, stem: str,
                    max_panels: int = 9) -> list[Path] | None:
    """One panel per logged loss, a line per model (``logs``: row label -> concatenated seed logs;
    seeds are averaged per step). Losses logged by only some models still get a panel."""
    logs = {label: log for label, log in logs.items() if not log.empty and "step" in log}
    if not logs:
        return None
    names = [name for name in dict.fromkeys(c for log in logs.values() for c in log.columns)
             if name not in ("step", "phase", "seed") and all(
                 pd.api.types.is_numeric_dtype(log[name]) for log in logs.values() if name in log)]
    names = names[:max_panels]
    if not names:
        return None
    sns.set_theme(style="whitegrid", context="paper")
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    figure, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False,
                                layout="constrained")
    for index, name in enumerate(names):
        ax = axes[index // cols][index % cols]
        for k, (label, log) in enumerate(logs.items()):
            if name not in log:
                continue
            curve = log.groupby("step")[name].mean().dropna()
            ax.plot(curve.index, curve.to_numpy(), label=label, color=_palette(len(logs))[k],
                    linestyle=LINESTYLES[k % len(LINESTYLES)], marker=MARKERS[k % len(MARKERS)],
                    markevery=max(1, len(curve) // 8), markersize=5, linewidth=1.2)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("step", fontsize=7)
    for index in range(len(names), rows * cols):
        axes[index // cols][index % cols].axis("off")
    legend = {label: handle for ax in axes.flat for handle, label in zip(*ax.get_legend_handles_labels(),
                                                                         strict=True)}
    figure.legend(legend.values(), legend.keys(), loc="outside lower center", ncol=min(len(legend), 5),
                  fontsize=8)
    return save_figure(figure, out_dir, stem)


def grouped_bars(frame: pd.DataFrame, out_dir: Path, stem: str, value: str, group: str, hue: str,
                 error: str | None = None, ylabel: str = "", title: str = "",
                 order: Sequence[str] | None = None,
                 valid: tuple[float, float] = UNBOUNDED) -> list[Path] | None:
    """Bars of ``value`` per ``group`` (x axis) and ``hue`` (hatched bars), e.g. colour fidelity per colour
    cluster per model; ``error`` bars are cut at the ``valid`` range of ``value``."""
    if frame.empty:
        return None
    sns.set_theme(style="whitegrid", context="paper")
    groups = list(order) if order is not None else list(dict.fromkeys(frame[group]))
    hues = list(dict.fromkeys(frame[hue]))
    width = 0.8 / len(hues)
    inches = min(12.0, max(5.0, 0.3 * len(groups) * max(1.0, len(hues) / 2)))  # wider only shrinks text
    figure, ax = plt.subplots(figsize=(inches, 4.2), layout="constrained")
    for k, name in enumerate(hues):
        part = frame[frame[hue] == name].set_index(group).reindex(groups)
        x = np.arange(len(groups)) + (k - (len(hues) - 1) / 2) * width
        means = part[value].to_numpy(dtype=float)
        yerr = clipped_errors(means, part[error].to_numpy(dtype=float), valid) if error else None
        ax.bar(x, np.nan_to_num(means), width, yerr=yerr, capsize=2,
               color=_palette(len(hues))[k], edgecolor="black", linewidth=0.6,
               hatch=HATCHES[k % len(HATCHES)], label=name)
    ax.set_xticks(range(len(groups)), groups, rotation=40, ha="right", fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, ncol=min(len(hues), 5))
    return save_figure(figure, out_dir, stem)

"""Confusion-matrix heatmaps of the evaluation network the cells were scored with.

The metrics of a cell name their catalog (``catalog.path``) and evaluation network (``eval_net.key``);
the network's test-split report is ``CATALOG/eval_net/KEY/report.json`` (per head: ``classes`` and
``confusion``, rows true class, columns predicted; see ``ganbench.eval.evalnet_train.split_report``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from ganbench.eval.evalnet import EVAL_NET_DIRNAME, REPORT_FILE  # noqa: E402
from ganbench.report.plots import save_figure  # noqa: E402
from ganbench.report.results import Results  # noqa: E402

ANNOTATE_UP_TO = 8  # classes; larger matrices are shown without numbers in the cells
SMALL_HEAD = 10  # heads with more classes get a full-width row of their own
SMALL_PER_ROW = 2  # small heads side by side; two keep the figure within the report's page width
FIGURE_INCHES = 10.0  # 1,200 px at 120 dpi: shown unscaled in index.html (body at most 1,280 px wide)
LABEL_POINTS = 9  # class names: 15 px at 120 dpi (the 7-point labels of a 15-inch figure showed ~7 px)


@dataclass
class StoredEvalNet:
    """Where one evaluation network's report was looked for, and what was found there."""

    key: str
    looked_at: list[Path]
    report: dict | None


def stored_eval_nets(results: Results) -> list[StoredEvalNet]:
    """The evaluation networks named by the cells' metrics, each once. The catalog path in the metrics
    is tried as written (relative to the current folder), then ``RESULTS/catalog`` (the experiment's
    default catalog folder)."""
    found: dict[str, StoredEvalNet] = {}
    for extras in results.extras.values():
        catalog, net = extras.get("catalog"), extras.get("eval_net")
        if not (isinstance(catalog, dict) and isinstance(net, dict) and isinstance(net.get("key"), str)):
            continue
        key = net["key"]
        if key in found:
            continue
        roots = [Path(str(catalog.get("path", ""))), results.root / "catalog"]
        candidates = list(dict.fromkeys(root / EVAL_NET_DIRNAME / key / REPORT_FILE for root in roots))
        path = next((p for p in candidates if p.is_file()), None)
        report = json.loads(path.read_text(encoding="utf-8")) if path is not None else None
        found[key] = StoredEvalNet(key, [path] if path else candidates, report)
    return list(found.values())


def confusion_heatmaps(report: dict, out_dir: Path, stem: str) -> list[Path] | None:
    """One heatmap per head with a confusion matrix: the share of each true class (row) predicted as
    each class (column), the row's count beside its name and the head's accuracy in the panel title.
    Rows of classes without test images stay blank."""
    heads = {head: entry for head, entry in report.get("heads", {}).items() if entry.get("confusion")}
    if not heads:
        return None
    sns.set_theme(style="white", context="paper")
    mosaic, ratios = _layout(heads)
    figure, axes = plt.subplot_mosaic(mosaic, figsize=(FIGURE_INCHES, 4.4 * sum(ratios)),
                                      height_ratios=ratios, layout="constrained")
    for head, entry in heads.items():
        _heatmap(axes[head], head, entry)
    figure.suptitle(f"Evaluation network on {report.get('n_images', '?')} test images "
                    "(rows: true class, columns: predicted; share of the row)", fontsize=10)
    return save_figure(figure, out_dir, stem)


def _layout(heads: dict) -> tuple[list[list[str]], list[float]]:
    """Mosaic rows: small heads ``SMALL_PER_ROW`` to a row, then each large head across the whole width;
    with the row heights (a large head grows with its classes)."""
    small = [h for h, e in heads.items() if len(e["classes"]) <= SMALL_HEAD]
    large = [h for h in heads if h not in small]
    width = SMALL_PER_ROW if len(small) > 1 else 1
    rows = [small[i:i + width] for i in range(0, len(small), width)]
    mosaic = [row + ["."] * (width - len(row)) for row in rows] + [[h] * width for h in large]
    ratios = [1.0] * len(rows) + [max(1.5, len(heads[h]["classes"]) / 10) for h in large]
    return mosaic, ratios


def _heatmap(ax: plt.Axes, head: str, entry: dict) -> None:
    counts = np.asarray(entry["confusion"], dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)  # no test item: left blank
    names = [f"{name} ({int(n)})" for name, n in zip(entry["classes"], counts.sum(axis=1), strict=True)]
    annotate = len(names) <= ANNOTATE_UP_TO
    sns.heatmap(shares, ax=ax, vmin=0, vmax=1, cmap="viridis", square=True, annot=annotate,
                fmt=".2f", annot_kws={"fontsize": LABEL_POINTS - 1}, cbar=not annotate,
                cbar_kws={"shrink": 0.6}, xticklabels=entry["classes"], yticklabels=names)
    accuracy = entry.get("accuracy")
    ax.set_title(f"{head}: accuracy {accuracy:.2f}" if accuracy is not None else head,
                 fontsize=LABEL_POINTS + 2)
    ax.set_xlabel("predicted", fontsize=LABEL_POINTS)
    ax.set_ylabel("true (count)", fontsize=LABEL_POINTS)
    ax.tick_params(axis="both", labelsize=LABEL_POINTS)
    ax.tick_params(axis="x", labelrotation=60)
    ax.tick_params(axis="y", labelrotation=0)

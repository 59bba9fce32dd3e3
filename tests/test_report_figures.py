"""Report figures and numbers that must not show impossible values (issue 21): error bars cut at a metric's
valid range, no "-0.00", readable confusion-heatmap labels, a direction (or none) for every column."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from ganbench.report import evalnet_figure, plots
from ganbench.report.plots import clipped_errors, metric_bars
from ganbench.report.tables import BEYOND_COLUMNS, Column, Table, format_value, to_latex, to_markdown

HTML_BODY_PX = 1248  # index.html: body max-width 1280 px less 2 x 1em padding
READABLE_PX = 11


def test_clipped_errors_are_asymmetric_at_the_valid_range():
    errors = clipped_errors(np.array([2.0, 98.0, 50.0, math.nan]), np.array([3.0, 5.0, 4.0, 1.0]),
                            (0.0, 100.0))
    assert errors[:, 0].tolist() == [2.0, 3.0]  # reaches 0, not -1
    assert errors[:, 1].tolist() == [5.0, 2.0]  # reaches 100%, not 103%
    assert errors[:, 2].tolist() == [4.0, 4.0]
    assert errors[:, 3].tolist() == [0.0, 0.0]
    assert clipped_errors(np.array([-0.001]), np.array([0.01]))[:, 0] == pytest.approx([0.01, 0.01])  # KID


def _captured(monkeypatch, module) -> list[plt.Figure]:
    figures: list[plt.Figure] = []
    monkeypatch.setattr(module, "save_figure", lambda figure, out_dir, stem: figures.append(figure) or [])
    return figures


def _table(values: dict[str, tuple[float, float]], columns: tuple[Column, ...]) -> Table:
    names = [c.metric for c in columns]
    mean = pd.DataFrame([[values[n][0] for n in names]], index=["restgan"], columns=names)
    spread = pd.DataFrame([[values[n][1] for n in names]], index=["restgan"], columns=names)
    return Table(columns, mean, spread, pd.Series([1], index=["restgan"]), [("restgan", "default")])


def test_metric_bars_never_reach_below_zero_or_past_100_percent(monkeypatch):
    figures = _captured(monkeypatch, plots)
    columns = tuple(c for c in BEYOND_COLUMNS if c.metric in ("colour_de00_mean", "colour_de00_within_5",
                                                              "step_feature_distance"))
    table = _table({"colour_de00_mean": (1.5, 4.0), "colour_de00_within_5": (0.97, 0.08),
                    "step_feature_distance": (0.2, 0.5)}, columns)
    metric_bars(table, None, "beyond")
    axes = [ax for ax in figures[0].axes if ax.lines]
    ends = {ax.get_title(): [y for line in ax.lines for y in line.get_ydata()] for ax in axes}
    de00, share, distance = (next(v for k, v in ends.items() if k.startswith(label))
                             for label in ("Colour ΔE00", "ΔE00 ≤ 5", "Step distance"))
    assert min(de00) == pytest.approx(0.0) and max(de00) == pytest.approx(5.5)
    assert min(share) == pytest.approx(89.0) and max(share) == pytest.approx(100.0)
    assert min(distance) == pytest.approx(0.0)
    assert any("neither way is better" in title for title in ends)


def test_no_negative_zero_in_tables_and_step_distance_has_a_direction_mark():
    assert format_value(-0.003, 0.01, percent=False) == "0.00 ± 0.01"
    assert format_value(-0.0, math.nan, percent=True) == "0.00%"
    assert format_value(-0.013, 0.01, percent=False) == "-0.01 ± 0.01"
    columns = tuple(c for c in BEYOND_COLUMNS if c.metric in ("step_feature_distance", "kid"))
    table = _table({"step_feature_distance": (0.2, 0.05), "kid": (-0.00004, 0.01)}, columns)
    markdown = to_markdown(table)
    assert "Step distance ↕" in markdown and "-0.0" not in markdown
    assert "\\updownarrow" in to_latex(table, "caption", "label")


def test_confusion_heatmap_labels_are_readable_in_the_html_report(monkeypatch):
    figures = _captured(monkeypatch, evalnet_figure)
    colours = [f"colour{i}" for i in range(24)]

    def head(names):
        return {"classes": names, "confusion": np.eye(len(names), dtype=int).tolist(), "accuracy": 1.0}

    report = {"n_images": 10, "heads": {"type": head(["jeans", "pants", "shorts"]),
                                        "gender": head(["men's", "unisex", "women's"]),
                                        "fit": head(["slim", "skinny", "relaxed"]), "colour": head(colours)}}
    evalnet_figure.confusion_heatmaps(report, None, "heat")
    figure = figures[0]
    width_px = figure.get_figwidth() * 120  # save_figure writes PNG at 120 dpi
    shown = min(1.0, HTML_BODY_PX / width_px)
    labels = [label for ax in figure.axes for label in ax.get_xticklabels() + ax.get_yticklabels()
              if label.get_text() in colours]
    assert len(labels) >= 24
    assert min(label.get_fontsize() for label in labels) * 120 / 72 * shown >= READABLE_PX

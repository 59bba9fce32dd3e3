"""Per-seed best baselines and the power statement, against values worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ganbench.report.seed_power import per_seed_best, power_sentence, power_table


def _frame(values: dict[str, list[float]], metric: str = "is_type") -> pd.DataFrame:
    rows = [[model, "default", seed, metric, value, 0.0, 1, ""]
            for model, per_seed in values.items() for seed, value in enumerate(per_seed)]
    return pd.DataFrame(rows, columns=["model", "variant", "seed", "metric", "mean", "std", "n", "spread"])


def test_each_seed_is_compared_with_that_seeds_best_baseline() -> None:
    metrics = _frame({"mine": [2.2, 2.0, 2.1], "a": [2.0, 2.1, 1.0], "b": [1.5, 1.9, 2.0]})
    table = per_seed_best(metrics, "mine", "is_type", "higher")
    assert list(table["best_baseline_model"]) == ["a", "a", "b"]
    assert table["change_percent"].tolist() == pytest.approx([10.0, -100 / 21, 5.0])


def test_lower_is_better_picks_the_smallest_baseline() -> None:
    metrics = _frame({"mine": [10.0, 12.0], "a": [20.0, 11.0], "b": [15.0, 30.0]}, "fid")
    table = per_seed_best(metrics, "mine", "fid", "lower")
    assert list(table["best_baseline_model"]) == ["b", "a"]
    assert table["change_percent"].tolist() == pytest.approx([-100 / 3, 100 / 11])


def test_detectable_change_grows_with_the_seed_spread_and_points_the_better_way() -> None:
    steady = _frame({"mine": [2.0, 2.02, 1.98, 2.01, 1.99], "a": [1.8, 1.8, 1.8, 1.8, 1.8]})
    noisy = _frame({"mine": [2.0, 2.4, 1.6, 2.3, 1.7], "a": [1.8, 1.8, 1.8, 1.8, 1.8]})
    small = power_table(steady, "mine", {"is_type": "a"}, {"is_type": "higher"})
    large = power_table(noisy, "mine", {"is_type": "a"}, {"is_type": "higher"})
    assert 0 < small["detectable_percent"][0] < large["detectable_percent"][0]
    assert small["sign_flip_floor"][0] == 2 / 32 and small["alpha"][0] == 0.05
    fid = _frame({"mine": [10.0, 11.0, 9.0, 10.5, 9.5], "a": [20.0] * 5}, "fid")
    down = power_table(fid, "mine", {"fid": "a"}, {"fid": "lower"})
    assert down["detectable_percent"][0] < 0


def test_the_sentence_names_the_level_the_floor_and_each_column() -> None:
    steady = _frame({"mine": [2.0, 2.02, 1.98, 2.01, 1.99], "a": [1.8] * 5})
    table = power_table(steady, "mine", {"is_type": "a"}, {"is_type": "higher"})
    text = power_sentence(table, {"is_type": "Type IS"})
    assert "Type IS +" in text and "2/2^5 = 0.0625" in text and math.isfinite(table["effect_sd"][0])

"""The two evaluators: weak-judge warnings, the second evaluator's section and where the verdicts differ."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ganbench.report.evaluators import weak_judge_warnings
from ganbench.report.results import Results


def _results(extras: dict[str, dict]) -> Results:
    return Results(Path("."), pd.DataFrame(columns=["model", "variant", "seed", "metric", "mean"]),
                   extras=extras)


def test_a_head_below_90_percent_is_named_as_a_weak_judge():
    first = {"key": "a", "heads": ["type", "fit"], "test_accuracy": {"type": 0.95, "fit": 0.92}}
    second = {"key": "b", "test_accuracy": {"type": 0.93, "fit": 0.75, "gender": 0.9},
              "train_split": "val"}
    (warning,) = weak_judge_warnings(_results({"c": {"eval_net": first, "second_eval_net": second}}))
    assert warning.startswith("Weak judge: the second evaluation network scores real test photos below 90%")
    assert "fit (75.0%)" in warning and "type" not in warning and "gender" not in warning


def test_no_warning_when_every_head_reaches_90_percent():
    nets = {"eval_net": {"test_accuracy": {"type": 0.9, "fit": 0.97}},
            "second_eval_net": {"test_accuracy": {"type": 0.91}}}
    assert weak_judge_warnings(_results({"c": nets})) == []
    assert weak_judge_warnings(_results({})) == []

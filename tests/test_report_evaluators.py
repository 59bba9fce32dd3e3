"""The two evaluators: weak-judge warnings, the second evaluator's section and where the verdicts differ."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _asserts import line_naming
from _report_helpers import make_results
from _run_helpers import write_metrics, write_summary

from ganbench.report.build import fid_sample_caption, write_report
from ganbench.report.claims import claim_verdicts
from ganbench.report.evaluators import agreement_sentences, weak_judge_warnings
from ganbench.report.results import Results, load_results
from ganbench.report.tables import PAPER_COLUMNS


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


JITTER = [0.0, 0.03, -0.02, 0.05, -0.04]
SECOND_NET = {"key": "n2", "heads": ["type", "fit"], "test_accuracy": {"type": 0.95, "fit": 0.583},
              "train_split": "val (80%; 20% held out for stopping)"}


def _values(model: str, j: float) -> dict[str, float]:
    """restgan wins type IS under both evaluators, colour IS only under the first; gender and FID tie."""
    base = {"stackgan-a": (2.0, 3.0, 1.0), "stackgan-b": (2.5, 3.5, -0.5), "restgan": (4.0, 5.0, 0.5)}
    level, colour, sign = base[model]
    second_colour = 2.0 if model == "restgan" else colour
    return {"is_type": level + j, "second_is_type": level - 0.5 + j * sign, "is_colour": colour + j * sign,
            "second_is_colour": second_colour + j, "is_gender": 1.5 + j * sign,
            "second_is_gender": 1.4 - j * sign, "fid": 9.0 + j * sign, "second_fid": 8.0 - j * sign,
            "second_kid": 0.1}


def make_two_evaluator_results(root: Path) -> None:
    """Three models x five seeds scored by both evaluators (the second one weak on fit)."""
    names = []
    for model in ("stackgan-a", "stackgan-b", "restgan"):
        for seed, j in enumerate(JITTER):
            extra = {"eval_net": {"key": "n1", "test_accuracy": {"type": 0.97}},
                     "second_eval_net": SECOND_NET}
            names.append(write_metrics(root, model, "default", seed, _values(model, j), extra).name)
    write_summary(root, names)
    (root / "experiment.json").write_text(json.dumps({"run": {
        "name": "two", "models": ["stackgan-a", "stackgan-b", "restgan"], "proposed": "restgan"}}))


def test_claim_verdicts_test_the_proposed_model_against_every_baseline(tmp_path):
    make_two_evaluator_results(tmp_path)
    verdicts = claim_verdicts(load_results(tmp_path).metrics, "restgan", PAPER_COLUMNS).set_index("metric")
    assert list(verdicts.index) == ["is_type", "is_colour", "is_gender", "fid"]
    assert verdicts.loc["is_type", "best_baseline"] == "stackgan-b"
    assert verdicts.loc["is_type", "change_percent"] == pytest.approx((4.0 - 2.5) / 2.5 * 100, abs=0.5)
    assert list(verdicts["verdict"]) == ["holds", "holds", "not shown", "not shown"]
    assert not verdicts.loc["is_gender", "all_better"]
    assert (verdicts["iut_p_holm"] >= verdicts["iut_max_p"]).all()


def test_second_evaluator_section_shows_where_the_evaluators_disagree(tmp_path):
    make_two_evaluator_results(tmp_path)
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    warning = "Weak judge: the second evaluation network scores real test photos below 90% on fit (58.3%)"
    assert text.count(warning) == 2  # near the top and under the second evaluator's table
    assert text.index(warning) < text.index("## Paper table")
    assert "## Second evaluator" in text and line_naming(text, "val", "80%", "20% held out")
    assert "| restgan vs best baseline |" in text.split("## Second evaluator")[1]
    assert re.search(r"Colour IS: holds [^.]*first[^.]*not shown [^.]*second", text)  # which verdict is whose
    assert "Type IS: holds" not in text and "agree on all" not in text
    claims = pd.read_csv(tmp_path / "r" / "tables" / "claims_second.csv").set_index("metric")
    assert claims.loc["is_type", "kendall_tau"] == pytest.approx(1.0)
    assert claims.loc["is_colour", "kendall_tau"] == pytest.approx(-1 / 3)  # restgan first, then last
    assert (tmp_path / "r" / "tables" / "second_evaluator.csv").is_file()


def test_older_results_have_no_second_evaluator_section(tmp_path):
    make_results(tmp_path)
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    assert "Second evaluator" not in text and "Weak judge" not in text


def test_one_sentence_when_the_evaluators_agree():
    table = pd.DataFrame({"column": ["Type IS", "FID"], "first_verdict": ["holds", "not shown"],
                          "second_verdict": ["holds", "not shown"]})
    assert agreement_sentences(table) == ["The two evaluators agree on all 2 columns' verdicts."]


def test_fid_captions_state_the_number_of_drawn_images(tmp_path):
    make_results(tmp_path)  # its fid entries have n = 10 and no settings
    assert "FID over 10 images" in fid_sample_caption(load_results(tmp_path))
    make_two_evaluator_results(tmp_path / "two")
    for path in (tmp_path / "two" / "cells").glob("*/metrics.json"):
        metrics = json.loads(path.read_text())
        path.write_text(json.dumps({**metrics, "settings": {"fid_samples": 500, "fid_subsets": 3}}))
    text = write_report(tmp_path / "two", tmp_path / "r", figures=False).read_text()
    stated = "FID over 500 drawn images per row (mean of 3 disjoint subsets for a model's images)"
    assert text.split("## Second evaluator")[0].count(stated) == 1  # the paper table's caption
    assert text.split("## Second evaluator")[1].count(stated) == 1

"""The report's Claims section: verdicts, each seed's best baseline and the power statement."""

from __future__ import annotations

import pandas as pd
from test_report_evaluators import make_two_evaluator_results

from ganbench.report.build import write_report


def test_the_claims_section_gives_a_verdict_per_column_and_says_what_the_seeds_can_detect(tmp_path):
    make_two_evaluator_results(tmp_path)
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    claims = text.split("## Claims")[1].split("\n## ")[0]
    assert claims.index("| Type IS | stackgan-b |") < claims.index("| FID |")
    assert "**holds**" in claims and "**not shown**" in claims
    assert "seed 0:" in claims and "vs stackgan-" in claims
    assert "Power: with 5 seeds" in claims and "2/2^5 = 0.0625" in claims
    verdicts = pd.read_csv(tmp_path / "r" / "tables" / "claims.csv")
    assert list(verdicts["verdict"]) == ["holds", "holds", "not shown", "not shown"]
    per_seed = pd.read_csv(tmp_path / "r" / "tables" / "claims_per_seed.csv")
    assert len(per_seed) == 4 * 5
    power = pd.read_csv(tmp_path / "r" / "tables" / "claims_power.csv")
    assert (power["alpha"] == 0.05 / 4).all()


def test_no_claims_section_without_a_proposed_model(tmp_path):
    make_two_evaluator_results(tmp_path)
    (tmp_path / "experiment.json").write_text('{"run": {"name": "two", "models": ["restgan"]}}')
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    assert "## Claims" not in text

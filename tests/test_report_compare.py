"""``ganbench compare``: two models on every metric, paired by seed, with one-line errors."""

from __future__ import annotations

import pytest
from _run_helpers import write_metrics, write_summary
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.report.compare import compare_models
from ganbench.report.results import ResultsError, load_results

# per seed: (type IS, FID); restgan has a fourth seed the baseline lacks (not paired)
SEEDS = {"stackgan-bow": [(2.0, 30.0), (2.1, 20.0), (1.9, 40.0)],
         "restgan": [(3.0, 25.0), (3.3, 24.0), (2.8, 33.0), (9.0, 1.0)]}


@pytest.fixture
def results_dir(tmp_path):
    names = []
    for model, seeds in SEEDS.items():
        for seed, (t, f) in enumerate(seeds):
            names.append(write_metrics(tmp_path, model, "default", seed, {"is_type": t, "fid": f}).name)
    names.append(write_metrics(tmp_path, "restgan", "no-colour", 0, {"is_type": 1.0, "fid": 50.0}).name)
    write_summary(tmp_path, names)
    return tmp_path


def test_every_metric_is_compared_on_the_shared_seeds_only(results_dir):
    table = compare_models(load_results(results_dir), "restgan", "stackgan-bow").set_index("metric")
    assert list(table.index) == ["is_type", "fid"] and set(table["seeds"]) == {3}
    assert table.loc["is_type", "a_mean"] == pytest.approx(3.0333333)  # seed 3 (9.0) left out
    assert table.loc["is_type", "change_percent"] == pytest.approx((3.0333333 / 2.0 - 1) * 100)
    assert table.loc["is_type", "significant"] and table.loc["is_type", "favours"] == "restgan"
    # FID: restgan lower in seeds 1 and 2, higher in seed 0 -> interval spans 0, not significant
    assert table.loc["fid", "favours"] == "restgan" and not table.loc["fid", "significant"]
    assert table.loc["fid", "ci_low"] < 0 < table.loc["fid", "ci_high"]


def test_compare_prints_the_table(results_dir, tmp_path):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan", "stackgan-bow",
                                       "--csv", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("restgan (A) vs stackgan-bow (B), paired by seed")
    assert "95% bootstrap interval over 3 paired seeds" in lines[0]
    assert lines[2].startswith("is_type") and "+51.7%" in lines[2] and "]*" in lines[2]
    assert (tmp_path / "c.csv").read_text().startswith("metric,a_mean,b_mean,change_percent")


def test_one_shared_seed_gives_no_interval(results_dir):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan/no-colour", "restgan"])
    assert result.exit_code == 0, result.output
    assert "1 paired seed(s): no interval and no significance" in result.output
    assert "*" not in result.output.splitlines()[2]


def test_an_unknown_model_is_one_clear_line(results_dir):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan", "stackgan-ac"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: no finished cell of 'stackgan-ac' in {results_dir}; models there: stackgan-bow, restgan, "
        "restgan/no-colour (MODEL or MODEL/VARIANT)"]
    with pytest.raises(ResultsError, match="is not a results folder"):
        load_results(results_dir / "cells")

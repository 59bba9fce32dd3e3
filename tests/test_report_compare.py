"""``ganbench compare``: two models on every metric, paired by seed, with one-line errors."""

from __future__ import annotations

import pytest
from _asserts import line_naming, raises_naming
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
    # type IS log-ratios log(3/2), log(3.3/2.1), log(2.8/1.9): mean 0.41507, sd 0.03317, t = 21.67 on 2 df
    assert table.loc["is_type", "test"] == "log-ratio"
    assert table.loc["is_type", "p_t"] == pytest.approx(0.00212, abs=2e-5)
    assert table.loc["is_type", "p_holm"] == pytest.approx(2 * table.loc["is_type", "p_t"])  # smallest of 2
    assert table.loc["is_type", "p_signflip"] == 0.25  # 2 / 2^3: all three seeds agree
    # FID: restgan lower in seeds 1 and 2, higher in seed 0 -> interval spans 0, not significant
    assert table.loc["fid", "favours"] == "restgan" and not table.loc["fid", "significant"]
    assert table.loc["fid", "ci_low"] < 0 < table.loc["fid", "ci_high"]


def test_compare_prints_the_table(results_dir, tmp_path):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan", "stackgan-bow",
                                       "--csv", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("restgan (A) vs stackgan-bow (B), paired by seed")
    assert "95% t-interval over 3 paired seeds" in lines[0]
    assert lines[2].startswith("is_type") and "+51.7%" in lines[2] and "]*" in lines[2]
    assert lines[-2].startswith("note: paired t-test on per-seed log-ratios, Holm-corrected over 2 rows; "
                                "* = corrected p < 0.05")
    assert lines[-2].endswith("smallest possible p over 3 seeds is 0.25")
    assert (tmp_path / "c.csv").read_text().startswith(
        "metric,a_mean,b_mean,change_percent,ci_low,ci_high,test,p_t,p_signflip,p_holm,significant")


def test_holm_over_all_printed_rows_removes_a_star_a_single_test_would_give(tmp_path):
    # restgan / baseline per seed on metric m0: 1.1, 1.2, 1.15 (log-ratios 0.0953, 0.1823, 0.1398:
    # mean 0.1391, sd 0.0435, t = 5.54 on 2 df, p = 1 - t / sqrt(2 + t^2) = 0.031 < 0.05); four metrics
    # m1..m4 whose seeds disagree (A = B ± 0.1, alternating), so m0 is the smallest of 5 p-values
    names = []
    for model, ratios in (("stackgan-bow", (1.0, 1.0, 1.0)), ("restgan", (1.1, 1.2, 1.15))):
        sign = 1 if model == "restgan" else -1
        for seed, ratio in enumerate(ratios):
            other = 1.0 + seed + sign * 0.1 * (-1) ** seed
            values = {"m0": 2.0 * ratio, **{f"m{k}": other for k in range(1, 5)}}
            names.append(write_metrics(tmp_path, model, "default", seed, values).name)
    write_summary(tmp_path, names)
    table = compare_models(load_results(tmp_path), "restgan", "stackgan-bow").set_index("metric")
    assert table.loc["m0", "p_t"] == pytest.approx(0.0311, abs=2e-4)
    tested = 5
    assert table["p_t"].notna().sum() == tested
    assert table.loc["m0", "p_holm"] == pytest.approx(5 * 0.0311, abs=1e-3)
    assert not table["significant"].any()
    result = CliRunner().invoke(main, ["compare", str(tmp_path), "restgan", "stackgan-bow"])
    assert f"Holm-corrected over {tested} rows" in result.output and "]*" not in result.output


def test_one_shared_seed_gives_no_interval(results_dir):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan/no-colour", "restgan"])
    assert result.exit_code == 0, result.output
    assert line_naming(result.output, "1 paired", "interval", "significance")
    assert "*" not in result.output.splitlines()[2]
    assert result.output.splitlines()[-1].startswith("note: no row has a paired test")


def test_an_unknown_model_is_one_clear_line(results_dir):
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan", "stackgan-ac"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: no finished cell of 'stackgan-ac' in {results_dir}; models there: stackgan-bow, restgan, "
        "restgan/no-colour (MODEL or MODEL/VARIANT)"]
    with raises_naming(ResultsError, results_dir / "cells"):
        load_results(results_dir / "cells")

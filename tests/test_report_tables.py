"""Report tables from fixed metric files: exact Markdown / CSV, bold best values, relative change."""

from __future__ import annotations

import pytest
from _run_helpers import entry, write_calibration, write_metrics, write_summary

from ganbench.report.results import ResultsError, load_results
from ganbench.report.tables import (
    BEYOND_COLUMNS,
    PAPER_COLUMNS,
    build_table,
    calibration_positions,
    change_caption,
    change_to_csv,
    position_summary,
    to_csv,
    to_latex,
    to_markdown,
)

REPORTED = {"is_type": 22.0, "is_colour": 100.0, "is_gender": 27.0, "fid": -81.0}  # ReStGAN paper, Table 1
# model, variant -> per seed: (type IS, colour IS, gender IS, FID)
FIXED = {
    ("stackgan-bow", "default"): [(2.0, 3.0, 1.5, 10.0), (2.2, 3.4, 1.7, 12.0)],
    ("stackgan-lstm", "default"): [(2.4, 2.0, 1.9, 8.0), (2.6, 2.2, 2.1, 9.0)],
    ("restgan", "default"): [(3.0, 6.0, 2.4, 2.0), (3.2, 6.8, 2.6, 3.0)],
    ("restgan", "no-colour"): [(2.8, 3.0, 2.2, 1.5), (3.0, 3.2, 2.4, 2.5)],
}

# cells: mean over the two seeds ± 95% t-interval (t_{0.975,1} = 12.706; sd 0.1414 -> 1.27)
EXPECTED_MARKDOWN = """\
| Model | Type IS ↑ | Colour IS ↑ | Gender IS ↑ | FID ↓ |
|---|---:|---:|---:|---:|
| stackgan-bow | 2.10 ± 1.27 | 3.20 ± 2.54 | 1.60 ± 1.27 | 11.00 ± 12.71 |
| stackgan-lstm | 2.50 ± 1.27 | 2.10 ± 1.27 | 2.00 ± 1.27 | 8.50 ± 6.35 |
| restgan | **3.10 ± 1.27** | **6.40 ± 5.08** | **2.50 ± 1.27** | 2.50 ± 6.35 |
| restgan (no-colour) | 2.90 ± 1.27 | 3.10 ± 1.27 | 2.30 ± 1.27 | **2.00 ± 6.35** |
| restgan vs best baseline | +24.0% (paper +22%) | +100.0% (paper +100%) | +25.0% (paper +27%) | \
-70.6% (paper -81%) |
"""

EXPECTED_CSV = """\
model,variant,n_seeds,spread,is_type_mean,is_type_spread,is_colour_mean,is_colour_spread,is_gender_mean,\
is_gender_spread,fid_mean,fid_spread
stackgan-bow,default,2,95% t-interval over seeds,2.1,1.27062,3.2,2.54124,1.6,1.27062,11,12.7062
stackgan-lstm,default,2,95% t-interval over seeds,2.5,1.27062,2.1,1.27062,2,1.27062,8.5,6.3531
restgan,default,2,95% t-interval over seeds,3.1,1.27062,6.4,5.08248,2.5,1.27062,2.5,6.3531
restgan,no-colour,2,95% t-interval over seeds,2.9,1.27062,3.1,1.27062,2.3,1.27062,2,6.3531
"""


@pytest.fixture
def results(tmp_path):
    names = []
    for (model, variant), seeds in FIXED.items():
        for seed, (t, c, g, f) in enumerate(seeds):
            extra = {"attribute_accuracy": {"type": entry(0.5 + seed / 10), "gender": entry(0.7)}}
            folder = write_metrics(tmp_path, model, variant, seed,
                                   {"is_type": t, "is_colour": c, "is_gender": g, "fid": f, "kid": f / 100},
                                   extra)
            names.append(folder.name)
    (tmp_path / "cells" / "stackgan-ac__default__seed0").mkdir()  # a failed cell: no metrics.json
    write_summary(tmp_path, names)
    return load_results(tmp_path)


def test_paper_table_markdown_matches_exactly(results):
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED)
    assert to_markdown(table) == EXPECTED_MARKDOWN
    assert table.caption_spread().startswith("mean ± 95% t-interval over 2 seeds")
    assert "fewer than 3 seeds a change between models gets no interval" in table.caption_spread()
    assert results.missing == ["stackgan-ac__default__seed0"]


def test_paper_table_csv_matches_exactly(results):
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED)
    assert to_csv(table) == EXPECTED_CSV


def test_relative_change_uses_the_best_baseline_per_column(results):
    change = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED).change
    assert change.loc["fid", "best_baseline_model"] == "stackgan-lstm"
    assert change.loc["is_colour", "best_baseline_model"] == "stackgan-bow"
    assert change.loc["fid", "change_percent"] == pytest.approx((2.5 - 8.5) / 8.5 * 100)
    assert change.loc["is_gender", "paper_percent"] == 27.0
    assert change["ci_low"].isna().all() and not change["significant"].any()  # two seeds: no interval


def test_no_proposed_model_means_no_change_row_and_any_model_can_be_proposed(results):
    assert build_table(results.metrics, PAPER_COLUMNS).change is None
    assert "vs best baseline" not in to_markdown(build_table(results.metrics, PAPER_COLUMNS))
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="stackgan-lstm")
    assert "| stackgan-lstm vs best baseline | -19.4% |" in to_markdown(table)  # nothing reported: not shown


def test_latex_is_booktabs_with_bold_and_escapes(results):
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED)
    latex = to_latex(table, "Paper table", "tab:paper")
    assert "\\toprule" in latex and "\\midrule" in latex and "\\bottomrule" in latex
    assert "\\textbf{3.10 $\\pm$ 1.27}" in latex
    assert "+24.0\\% (paper +22\\%)" in latex
    assert "\\label{tab:paper}" in latex


def test_beyond_table_reads_per_attribute_entries_and_skips_absent_columns(results):
    table = build_table(results.metrics, BEYOND_COLUMNS)
    assert [c.metric for c in table.columns] == ["attribute_accuracy.type", "attribute_accuracy.gender",
                                                 "kid"]
    lines = to_markdown(table).splitlines()
    assert lines[0] == "| Model | Type acc. ↑ | Gender acc. ↑ | KID ↓ |"
    # every model ties on the accuracies, so all are bold
    assert lines[2] == "| stackgan-bow | **55.00% ± 63.53%** | **70.00% ± 0.00%** | 0.11 ± 0.13 |"
    assert table.change is None


def test_single_seed_shows_the_evaluation_spread(tmp_path):
    write_metrics(tmp_path, "stackgan-bow", "default", 0, {"is_type": 2.0, "fid": 4.0})
    write_metrics(tmp_path, "restgan", "default", 0, {"is_type": 3.0, "fid": 2.0})
    table = build_table(load_results(tmp_path).metrics, PAPER_COLUMNS, proposed="restgan")
    assert table.caption_spread().startswith("one seed")
    assert to_markdown(table).splitlines()[2] == "| restgan | **3.00 ± 0.05** | **2.00 ± 0.05** |"


def test_not_a_results_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ResultsError, match="expected .*cells"):
        load_results(tmp_path)


def _three_seed_results(root):
    # restgan beats the baseline on type IS in every seed; on colour IS it wins one seed and loses two
    per_seed = {"stackgan-bow": [(2.0, 3.0), (2.1, 3.6), (1.9, 2.4)],
                "restgan": [(3.0, 3.6), (3.3, 2.9), (2.8, 2.6)]}
    names = []
    for model, seeds in per_seed.items():
        for seed, (t, c) in enumerate(seeds):
            names.append(write_metrics(root, model, "default", seed, {"is_type": t, "is_colour": c}).name)
    write_summary(root, names)
    return load_results(root)


def test_three_seeds_give_a_t_interval_and_mark_only_what_survives_holm(tmp_path):
    table = build_table(_three_seed_results(tmp_path).metrics, PAPER_COLUMNS, proposed="restgan",
                        reported=REPORTED)
    change = table.change
    assert change.loc["is_type", "paired_seeds"] == 3
    assert change.loc["is_type", "ci_low"] > 0 and change.loc["is_type", "significant"]
    assert change.loc["is_colour", "ci_low"] < 0 < change.loc["is_colour", "ci_high"]
    assert not change.loc["is_colour", "significant"]
    assert change.loc["is_type", "p_holm"] == pytest.approx(2 * change.loc["is_type", "p_t"])  # 2 columns
    assert list(change["test"]) == ["log-ratio", "log-ratio"] and change.loc["is_type", "p_signflip"] == 0.25
    # colour log-ratios +0.182, -0.216, +0.080: no sign assignment has a smaller |sum| than the observed
    assert change.loc["is_colour", "p_signflip"] == 1.0
    caption = change_caption(table)
    assert "95% t-interval over 3 seeds" in caption and "Holm-corrected over 2 columns" in caption
    assert change_to_csv(table).splitlines()[0] == (
        "metric,proposed,best_baseline,best_baseline_model,change_percent,ci_low,ci_high,test,p_t,"
        "p_signflip,p_holm,significant,paired_seeds,paper_percent")
    row = to_markdown(table).splitlines()[-1]
    type_cell, colour_cell = row.split(" | ")[1:3]
    assert type_cell.startswith("+51.7% [+") and "]* (paper +22%)" in type_cell
    assert "]* " not in colour_cell and "[" in colour_cell


def test_seeds_that_agree_in_sign_but_vary_widely_are_not_significant(tmp_path):
    # restgan over the baseline by +1%, +30%, +0.5%: every seed agrees in sign (the old bootstrap interval
    # [+0.5, +30] excluded 0), but log-ratios 0.00995, 0.26236, 0.00499 give t = 1.09 on 2 df, p = 0.39
    names = []
    for seed, ratio in enumerate((1.01, 1.30, 1.005)):
        base = {"is_type": 2.0, "fid": 20.0}
        names.append(write_metrics(tmp_path, "stackgan-bow", "default", seed, base).name)
        names.append(write_metrics(tmp_path, "restgan", "default", seed,
                                   {"is_type": 2.0 * ratio, "fid": 20.0 / ratio}).name)
    write_summary(tmp_path, names)
    table = build_table(load_results(tmp_path).metrics, PAPER_COLUMNS, proposed="restgan")
    change = table.change
    assert change.loc["is_type", "ci_low"] < 0 < change.loc["is_type", "ci_high"]
    assert change.loc["is_type", "p_t"] == pytest.approx(0.39, abs=0.01)
    assert change.loc["is_type", "p_signflip"] == 0.25
    assert not change["significant"].any()
    assert to_markdown(table).splitlines()[-1] == (
        "| restgan vs best baseline | +10.5% [-23.9, +58.1] | -8.2% [-36.7, +31.4] |")  # no *


def test_one_seed_shows_no_interval_and_no_mark_on_the_change_row(tmp_path):
    write_metrics(tmp_path, "stackgan-bow", "default", 0, {"is_type": 2.0})
    write_metrics(tmp_path, "restgan", "default", 0, {"is_type": 3.0})
    table = build_table(load_results(tmp_path).metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED)
    assert "nothing is marked significant" in table.caption_spread()
    assert to_markdown(table).splitlines()[-1] == "| restgan vs best baseline | +50.0% (paper +22%) |"


def test_calibration_rows_are_set_apart_never_bold_and_locate_each_model(tmp_path):
    for model, values in (("stackgan-bow", (1.5, 40.0, 0.6)), ("restgan", (2.0, 20.0, 0.9))):
        write_metrics(tmp_path, model, "default", 0, dict(zip(("is_type", "fid", "retention_rate"), values,
                                                              strict=True)))
    write_calibration(tmp_path, "real", "real images", {"is_type": 3.0, "fid": 10.0, "retention_rate": None})
    write_calibration(tmp_path, "mean-image", "mean image", {"is_type": 1.0, "fid": 60.0,
                                                              "retention_rate": 1.0})
    results = load_results(tmp_path)
    assert set(results.calibration["model"]) == {"real images", "mean image"}
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", calibration=results.calibration)
    lines = to_markdown(table).splitlines()
    assert lines[-3:] == ["| calibration (not models) |  |  |",
                          "| real images | 3.00 ± 0.05 | 10.00 ± 0.05 |",  # best of all, yet not bold
                          "| mean image | 1.00 ± 0.05 | 60.00 ± 0.05 |"]
    assert "| restgan | **2.00 ± 0.05** | **20.00 ± 0.05** |" in lines
    positions = calibration_positions(table)
    assert positions.loc["restgan", "is_type"] == pytest.approx(50.0)  # 1 -> 3, at 2
    assert positions.loc["stackgan-bow", "fid"] == pytest.approx(40.0)  # 60 -> 10, at 40
    # medians over the two columns: restgan (50% + 80%) / 2, stackgan-bow (25% + 40%) / 2
    assert position_summary(table).endswith("have a value): restgan 65%, stackgan-bow 32%.")
    csv = to_csv(table).splitlines()
    assert csv[-2].startswith("real images,calibration,1,") and csv[-1].startswith("mean image,calibration")
    latex = to_latex(table, "Paper", "tab:paper")
    assert "\\midrule\ncalibration (not models) &" in latex
    beyond = build_table(results.metrics, BEYOND_COLUMNS, calibration=results.calibration)
    # retention is never bold (a static image wins it); the real row has no refinement: n/a
    assert "**" not in to_markdown(beyond) and "| real images | n/a |" in to_markdown(beyond)

"""Report tables from fixed metric files: exact Markdown / CSV, bold best values, relative change."""

from __future__ import annotations

import pytest
from _run_helpers import entry, write_metrics, write_summary

from ganbench.report.results import ResultsError, load_results
from ganbench.report.tables import BEYOND_COLUMNS, PAPER_COLUMNS, build_table, to_csv, to_latex, to_markdown

REPORTED = {"is_type": 22.0, "is_colour": 100.0, "is_gender": 27.0, "fid": -81.0}  # ReStGAN paper, Table 1
# model, variant -> per seed: (type IS, colour IS, gender IS, FID)
FIXED = {
    ("stackgan-bow", "default"): [(2.0, 3.0, 1.5, 10.0), (2.2, 3.4, 1.7, 12.0)],
    ("stackgan-lstm", "default"): [(2.4, 2.0, 1.9, 8.0), (2.6, 2.2, 2.1, 9.0)],
    ("restgan", "default"): [(3.0, 6.0, 2.4, 2.0), (3.2, 6.8, 2.6, 3.0)],
    ("restgan", "no-colour"): [(2.8, 3.0, 2.2, 1.5), (3.0, 3.2, 2.4, 2.5)],
}

EXPECTED_MARKDOWN = """\
| Model | Type IS ↑ | Colour IS ↑ | Gender IS ↑ | FID ↓ |
|---|---:|---:|---:|---:|
| stackgan-bow | 2.10 ± 0.14 | 3.20 ± 0.28 | 1.60 ± 0.14 | 11.00 ± 1.41 |
| stackgan-lstm | 2.50 ± 0.14 | 2.10 ± 0.14 | 2.00 ± 0.14 | 8.50 ± 0.71 |
| restgan | **3.10 ± 0.14** | **6.40 ± 0.57** | **2.50 ± 0.14** | 2.50 ± 0.71 |
| restgan (no-colour) | 2.90 ± 0.14 | 3.10 ± 0.14 | 2.30 ± 0.14 | **2.00 ± 0.71** |
| restgan vs best baseline | +24.0% (paper +22%) | +100.0% (paper +100%) | +25.0% (paper +27%) | \
-70.6% (paper -81%) |
"""

EXPECTED_CSV = """\
model,variant,n_seeds,is_type_mean,is_type_std,is_colour_mean,is_colour_std,is_gender_mean,is_gender_std,\
fid_mean,fid_std
stackgan-bow,default,2,2.1,0.141421,3.2,0.282843,1.6,0.141421,11,1.41421
stackgan-lstm,default,2,2.5,0.141421,2.1,0.141421,2,0.141421,8.5,0.707107
restgan,default,2,3.1,0.141421,6.4,0.565685,2.5,0.141421,2.5,0.707107
restgan,no-colour,2,2.9,0.141421,3.1,0.141421,2.3,0.141421,2,0.707107
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
    assert table.caption_spread() == "mean ± std over 2 seeds"
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


def test_no_proposed_model_means_no_change_row_and_any_model_can_be_proposed(results):
    assert build_table(results.metrics, PAPER_COLUMNS).change is None
    assert "vs best baseline" not in to_markdown(build_table(results.metrics, PAPER_COLUMNS))
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="stackgan-lstm")
    assert "| stackgan-lstm vs best baseline | -19.4% |" in to_markdown(table)  # nothing reported: not shown


def test_latex_is_booktabs_with_bold_and_escapes(results):
    table = build_table(results.metrics, PAPER_COLUMNS, proposed="restgan", reported=REPORTED)
    latex = to_latex(table, "Paper table", "tab:paper")
    assert "\\toprule" in latex and "\\midrule" in latex and "\\bottomrule" in latex
    assert "\\textbf{3.10 $\\pm$ 0.14}" in latex
    assert "+24.0\\% (paper +22\\%)" in latex
    assert "\\label{tab:paper}" in latex


def test_beyond_table_reads_per_attribute_entries_and_skips_absent_columns(results):
    table = build_table(results.metrics, BEYOND_COLUMNS)
    assert [c.metric for c in table.columns] == ["attribute_accuracy.type", "attribute_accuracy.gender",
                                                 "kid"]
    lines = to_markdown(table).splitlines()
    assert lines[0] == "| Model | Type acc. ↑ | Gender acc. ↑ | KID ↓ |"
    # every model ties on the accuracies, so all are bold
    assert lines[2] == "| stackgan-bow | **55.00% ± 7.07%** | **70.00% ± 0.00%** | 0.11 ± 0.01 |"
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

"""The diversity table, its caption, its place in the report, and the diversity metrics in `compare`."""

from __future__ import annotations

import pytest
from _asserts import line_naming, names_all
from _run_helpers import entry, write_calibration, write_metrics, write_summary
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.report.build import write_report
from ganbench.report.compare import compare_models
from ganbench.report.diversity import caption, diversity_table
from ganbench.report.results import load_results
from ganbench.report.tables import to_markdown

# model -> per seed: (query_diversity, improved_recall, intra-FID pants, intra-FID shorts)
CELLS = {"stackgan-bow": [(0.05, 0.10, 30.0, 40.0), (0.07, 0.12, 34.0, 44.0)],
         "restgan": [(0.60, 0.50, 20.0, 22.0), (0.64, 0.54, 24.0, 26.0)]}
SETTINGS = {"diversity": {"draws": "1 pass(es) + 2 extra draw(s) of 100 streams"},
            "prc": {"k": 3, "n_per_side": 300},
            "intra_fid": {"pants": {"generated": 150, "reference": 1200},
                          "shorts": {"generated": 150, "reference": 1200}}}


def _diversity(diversity: float, recall: float, pants: float, shorts: float) -> dict:
    return {"query_diversity": entry(diversity, 0.01, n=100), "seed_pixel_difference": entry(diversity / 10),
            "real_pixel_difference": entry(0.123), "improved_precision": entry(0.8, n=300),
            "improved_recall": entry(recall, 0.01, "subsets", n=300),
            "intra_fid": {"pants": entry(pants, n=150), "shorts": entry(shorts, n=150)},
            "intra_fid_mean": entry((pants + shorts) / 2, n=300)}


@pytest.fixture
def results_dir(tmp_path):
    names = []
    for model, seeds in CELLS.items():
        for seed, values in enumerate(seeds):
            folder = write_metrics(tmp_path, model, "default", seed, {"is_type": 2.0, "fid": 9.0},
                                   {**_diversity(*values), "settings": SETTINGS})
            names.append(folder.name)
    write_summary(tmp_path, names)
    write_calibration(tmp_path, "real", "real images", {"query_diversity": 1.02, "improved_recall": 0.9})
    write_calibration(tmp_path, "mean-image", "mean image", {"query_diversity": 0.0, "improved_recall": 0.0})
    return tmp_path


def test_the_table_shows_every_diversity_metric_beside_the_calibration_rows(results_dir):
    results = load_results(results_dir)
    table = diversity_table(results)
    assert [c.metric for c in table.columns] == ["query_diversity", "seed_pixel_difference",
                                                 "improved_precision", "improved_recall", "intra_fid_mean",
                                                 "intra_fid.pants", "intra_fid.shorts"]
    lines = to_markdown(table).splitlines()
    restgan = next(line for line in lines if line.startswith("| restgan |"))
    assert "**" not in restgan.split("|")[2]  # diversity: 1 is the target, never bold
    assert "**52.00% ± " in restgan and "**23.00 ± " in restgan  # the better recall and intra-FID
    assert lines[-2].startswith("| real images | 1.02 ± 0.05 |")
    assert lines[-1].startswith("| mean image | 0.00")


def test_the_caption_states_each_n_and_what_the_ratio_means(results_dir):
    results = load_results(results_dir)
    text = caption(diversity_table(results), results)
    assert names_all(text, "100 queries", "1 pass(es)", "2 extra draw(s)", "100 streams")
    assert names_all(text, "1 = as varied as real photos", "0 = the noise")  # the scale's two ends
    assert names_all(text, "k = 3", "300 images")
    assert line_naming(text, "pants 150", "shorts 150", "1200 real")
    assert "differ by 12.3%" in text and "~1 by measurement" in text
    assert "calibration rows" in text  # where each model sits between mean image and real


def test_the_report_lists_the_diversity_table(results_dir):
    index = write_report(results_dir, results_dir / "report", figures=False)
    assert "## Diversity" in index.read_text()
    csv = (results_dir / "report" / "tables" / "diversity_table.csv").read_text().splitlines()
    assert csv[0].startswith("model,variant,n_seeds,spread,query_diversity_mean")
    assert csv[-1].startswith("mean image,calibration")


def test_compare_reads_the_diversity_metrics_with_the_calibration_rows(results_dir):
    table = compare_models(load_results(results_dir), "restgan", "stackgan-bow").set_index("metric")
    assert table.loc["improved_recall", "favours"] == "restgan"
    assert table.loc["intra_fid.shorts", "favours"] == "restgan"
    assert table.loc["query_diversity", "favours"] == ""  # no direction: 1 is the target
    assert table.loc["query_diversity", ["real_images", "mean_image"]].tolist() == [1.02, 0.0]
    result = CliRunner().invoke(main, ["compare", str(results_dir), "restgan", "stackgan-bow"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split()[-4:] == ["real", "images", "mean", "image"]
    recall = next(line for line in lines if line.startswith("improved_recall"))
    assert recall.split()[-2:] == ["0.9", "0"]
    assert any(line.startswith("note: query_diversity has no direction: 1 = as varied as real photos")
               for line in lines[-3:])

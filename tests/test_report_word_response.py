"""The report's per-word response: a table with words as rows and models as columns (with n), n/a for words
no evaluation-network head judges, a tidy CSV and the two figures."""

import json

import pandas as pd
from _run_helpers import entry, write_metrics, write_summary

from ganbench.report.build import write_report


def _words(capri: float, head_n: int) -> dict:
    return {"response_by_word": {
                "capri": entry(capri, 0.02, n=head_n) | {"steps": 12, "head": "length"},
                "petite": entry(None, None, n=0) | {"steps": 9, "head": None}},
            "step_distance_by_word": {"capri": entry(2.5, 0.1, n=12), "petite": entry(0.5, 0.1, n=9)}}


def _results(root):
    names = []
    for model, capri in (("follows", 0.9), ("static", 0.0)):
        for seed in (0, 1):
            folder = write_metrics(root, model, "default", seed, {"is_type": 2.0}, _words(capri, 10 + seed))
            names.append(folder.name)
    write_summary(root, names)
    (root / "experiment.json").write_text(json.dumps({"run": {"name": "w", "models": ["follows", "static"]}}))


def test_the_table_has_a_row_per_word_and_a_column_per_model_with_n(tmp_path):
    _results(tmp_path)
    index = write_report(tmp_path, figures=False).read_text(encoding="utf-8")
    section = index.split("## Response per word", 1)[1].split("\n## ", 1)[0]
    assert "| Word | follows | static |" in section
    # two seeds of 0.9: the t-interval is 0; n = 10 + 11 scored steps over the seeds
    assert "| capri (length) | 90.0% ± 0.0% (n 21) | 0.0% ± 0.0% (n 21) |" in section
    assert "| petite (no head) | n/a (n 0) | n/a (n 0) |" in section
    assert "| petite | 0.50 ± 0.00 (n 18) | 0.50 ± 0.00 (n 18) |" in section  # its movement is shown
    table = pd.read_csv(tmp_path / "tables" / "word_response.csv")
    assert set(table["word"]) == {"capri", "petite"} and set(table["model"]) == {"follows", "static"}
    assert table.set_index(["model", "word"]).loc[("follows", "capri"), "head"] == "length"


def test_the_figures_are_written_and_shown(tmp_path):
    _results(tmp_path)
    index = write_report(tmp_path).read_text(encoding="utf-8")
    for stem in ("word_response", "word_movement"):
        assert all((tmp_path / "figures" / f"{stem}.{suffix}").is_file() for suffix in ("png", "pdf"))
        assert f"(figures/{stem}.png)" in index


def test_results_without_per_word_metrics_get_no_section(tmp_path):
    write_metrics(tmp_path, "m", "default", 0, {"is_type": 2.0})
    write_summary(tmp_path, ["m__default__seed0"])
    assert "Response per word" not in write_report(tmp_path, figures=False).read_text(encoding="utf-8")

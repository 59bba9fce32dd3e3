"""The whole report from fixed files: tables, figures, strips, GIF, index.md and a self-contained HTML."""

from __future__ import annotations

import json
import re

import numpy as np
from _run_helpers import entry, write_embeddings, write_log, write_media, write_metrics, write_summary
from PIL import Image

from ganbench.report.build import colour_by_cluster, write_report
from ganbench.report.colour_study import colour_studies
from ganbench.report.results import load_results

STREAMS = [["women's black pants", "petite", "capri"], ["men's blue jeans", "slim"]]


def make_results(root):
    names = []
    for shade, model in enumerate(["stackgan-bow", "restgan"]):
        for seed in (0, 1):
            folder = write_metrics(root, model, "default", seed,
                                   {"is_type": 2.0 + shade + seed / 10, "is_colour": 3.0, "is_gender": 1.5,
                                    "fid": 9.0 - shade, "kid": 0.1, "retention_rate": 0.8},
                                   {"versions": {"torch": "x"}, "colour_de00_by_cluster": {
                                       "navy": entry(10.0 + shade + seed, 1.0), "khaki": entry(5.0, 0.5)}})
            write_media(folder, STREAMS, [0, 1], shade=shade)
            write_log(folder)
            names.append(folder.name)
    write_summary(root, names)
    (root / "experiment.toml").write_text('[run]\nname = "fixed"\nmodels = ["stackgan-bow", "restgan"]\n')
    (root / "experiment.json").write_text(json.dumps({
        "run": {"name": "fixed", "models": ["stackgan-bow", "restgan"], "proposed": "restgan"},
        "report": {"reported_change": {"is_type": 22.0, "is_colour": 100.0, "is_gender": 27.0,
                                       "fid": -81.0}}}))


def test_report_writes_every_table_and_figure(tmp_path):
    make_results(tmp_path)
    index = write_report(tmp_path, tmp_path / "report")
    out = tmp_path / "report"
    for stem in ("paper_table", "beyond_table"):
        for suffix in ("md", "tex", "csv"):
            assert (out / "tables" / f"{stem}.{suffix}").is_file()
    assert (out / "tables" / "paper_table.change.csv").is_file()
    for stem in ("paper_metrics", "beyond_metrics", "training_curves", "samples", "strip0", "strip1",
                 "colour_by_cluster"):
        assert (out / "figures" / f"{stem}.png").is_file(), stem
        assert (out / "figures" / f"{stem}.pdf").is_file(), stem
    gif = Image.open(out / "figures" / "strip0.gif")
    assert gif.n_frames == 3  # one frame per query step

    text = index.read_text()
    assert "| restgan vs best baseline | +" in text and "(paper +22%)" in text
    assert "![Refinement strip 1](figures/strip0.gif)" in text
    assert 'name = "fixed"' in text and "torch" in text

    page = (out / "index.html").read_text()
    assert "<b>3.05 ± 0.07</b>" in page  # restgan's type IS is best: bold
    assert re.search(r"src='data:image/gif;base64,", page)
    assert not re.search(r"src='(?!data:)", page)  # nothing outside the file


def test_report_defaults_to_the_results_folder_and_lists_missing_cells(tmp_path):
    make_results(tmp_path)
    (tmp_path / "cells" / "stackgan-ac__default__seed0").mkdir()
    index = write_report(tmp_path)
    assert index == tmp_path / "index.md"
    assert "| stackgan-ac__default__seed0 | no metrics (failed or not run) |" in index.read_text()


def test_sample_grid_rows_hold_each_models_images(tmp_path):
    make_results(tmp_path)
    write_report(tmp_path, tmp_path / "r")
    grid = Image.open(tmp_path / "r" / "figures" / "strip0.png").convert("RGB")
    pixels = {tuple(p) for p in np.asarray(grid).reshape(-1, 3)}
    # step images of both models (shade 0 and 1), step 2 of stream 0 at seed 0: 80 and 81
    assert (80, 80, 80) in pixels and (81, 81, 81) in pixels


def test_colour_by_cluster_averages_seeds(tmp_path):
    make_results(tmp_path)
    frame = colour_by_cluster(load_results(tmp_path))
    navy = frame[(frame.model == "restgan") & (frame.cluster == "navy")]
    assert navy.de00_mean.item() == 11.5  # seeds 0 and 1: 11 and 12
    assert navy.de00_std.item() == np.std([11.0, 12.0], ddof=1)


def test_colour_study_runs_on_stored_embeddings(tmp_path):
    import colorspace

    make_results(tmp_path)
    table = colorspace.default_lookup()
    rng = np.random.default_rng(0)
    labs = {term: list(table.term_lab(term)) for term in table.terms}
    # an embedding that is the Lab value itself (plus a little noise) follows perceptual distances
    lab_like = {term: [v + rng.normal(0, 1) for v in lab] for term, lab in labs.items()}
    write_embeddings(tmp_path / "cells/stackgan-bow__default__seed0", lab_like)
    write_embeddings(tmp_path / "cells/restgan__default__seed0", {"navy": [1.0, 0.0], "pants": [0.0, 1.0]})
    summary, written = colour_studies(load_results(tmp_path), tmp_path / "study", permutations=50)
    bow = summary.set_index("model").loc["stackgan-bow"]
    assert bow.terms >= 4 and bow.spearman_rho > 0.2
    assert "at least 4 colour terms" in summary.set_index("model").loc["restgan", "note"]
    assert all(p.is_file() for p in written["stackgan-bow"])

"""The whole report from fixed files: tables, figures, strips, GIF, index.md and a self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from _asserts import line_naming, names_all
from _report_helpers import EVAL_NET_KEY, make_results
from _run_helpers import write_calibration, write_embeddings
from PIL import Image

from ganbench.report.build import colour_by_cluster, write_report
from ganbench.report.colour_study import colour_studies
from ganbench.report.evalnet_figure import stored_eval_nets
from ganbench.report.results import load_results


@pytest.fixture(scope="module")
def full_report(tmp_path_factory) -> Path:
    """The results of ``make_results`` with a report, figures included, in ``report/`` (written once: the
    figures are the costly part, and the tests below only read them)."""
    root = tmp_path_factory.mktemp("full_report")
    make_results(root)
    write_report(root, root / "report")
    return root / "report"


def test_report_writes_every_table_and_figure(full_report):
    out = full_report
    index = out / "index.md"
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
    # each strip's PNG is shown, its GIF linked
    assert "![women's black pants -> petite -> capri](figures/strip0.png)" in text
    assert "[strip0.gif](figures/strip0.gif)" in text
    assert 'name = "fixed"' in text and "torch" in text

    page = (out / "index.html").read_text()
    assert "<strong>3.05 ±\u00a00.64</strong>" in page  # best type IS: bold (95% t-interval of 3.0, 3.1)
    assert page.count("<table>") == 4  # paper, beyond-paper, provenance and cells tables as HTML tables
    assert "|---" not in page and "<th>Model</th>" in page
    assert "href='figures/strip0.gif'" in page and not re.search(r"src='data:image/gif", page)
    assert not re.search(r"src='(?!data:)", page)  # every image inside the file


@pytest.mark.slow
def test_eval_net_confusion_matrices_become_heatmaps(tmp_path):
    make_results(tmp_path, eval_net=True)
    index = write_report(tmp_path, tmp_path / "report")
    heatmap = tmp_path / "report" / "figures" / f"eval_net_confusion_{EVAL_NET_KEY}.png"
    with Image.open(heatmap) as image:
        assert image.width > 400 and image.height > 400
    assert f"![Evaluation network {EVAL_NET_KEY}](figures/{heatmap.name})" in index.read_text()
    stored = tmp_path / "catalog" / "eval_net" / EVAL_NET_KEY / "report.json"
    stored.unlink()  # the catalog moved: the net is listed with where it was looked for
    (missing,) = stored_eval_nets(load_results(tmp_path))
    assert missing.report is None and missing.looked_at == [stored]


def test_report_text_is_never_raw_html(tmp_path):
    make_results(tmp_path)
    (tmp_path / "experiment.json").write_text(
        '{"run": {"name": "fixed", "models": ["restgan"], "description": "reads <unk> words"}}')
    page = (write_report(tmp_path, tmp_path / "r", figures=False).parent / "index.html").read_text()
    assert "reads &lt;unk&gt; words" in page


def test_report_shows_stored_calibration_rows_and_writes_the_per_seed_csv(tmp_path):
    make_results(tmp_path)
    write_calibration(tmp_path, "real", "real images", {"is_type": 4.0, "fid": 2.0, "retention_rate": None})
    write_calibration(tmp_path, "mean-image", "mean image", {"is_type": 1.0, "fid": 30.0,
                                                              "retention_rate": 1.0})
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    assert "| real images | 4.00 ± 0.05 |" in text and "| mean image | 1.00 ± 0.05 |" in text
    assert line_naming(text, "calibration rows", "0% = mean image", "100% = real images")
    per_seed = (tmp_path / "r" / "tables" / "per_seed.csv").read_text().splitlines()
    assert per_seed[0] == "model,variant,seed,metric,mean,std,n,spread"
    assert any(line.startswith("restgan,default,1,is_type,3.1,0.05,10,bootstrap") for line in per_seed)
    assert any(line.startswith("real images,calibration,0,fid,2,") for line in per_seed)
    assert (tmp_path / "r" / "tables" / "paper_table.position.csv").is_file()


def test_a_report_without_calibration_rows_says_how_to_add_them(tmp_path):
    make_results(tmp_path)
    text = write_report(tmp_path, tmp_path / "r", figures=False).read_text()
    assert line_naming(text, "calibration rows", "ganbench eval --baseline")


def test_report_defaults_to_the_results_folder_and_lists_missing_cells(tmp_path):
    make_results(tmp_path)
    (tmp_path / "cells" / "stackgan-ac__default__seed0").mkdir()
    index = write_report(tmp_path, figures=False)
    assert index == tmp_path / "index.md"
    assert line_naming(index.read_text(), "| stackgan-ac__default__seed0 |", "no metrics")


def test_sample_grid_rows_hold_each_models_images(full_report):
    grid = Image.open(full_report / "figures" / "strip0.png").convert("RGB")
    pixels = {tuple(p) for p in np.asarray(grid).reshape(-1, 3)}
    # step images of both models (shade 0 and 1), step 2 of stream 0 at seed 0: 80 and 81
    assert (80, 80, 80) in pixels and (81, 81, 81) in pixels


def test_colour_by_cluster_averages_seeds(tmp_path):
    make_results(tmp_path)
    frame = colour_by_cluster(load_results(tmp_path))
    navy = frame[(frame.model == "restgan") & (frame.cluster == "navy")]
    assert navy.de00_mean.item() == 11.5  # seeds 0 and 1: 11 and 12
    # 95% t-interval half-width by hand: sd 0.7071 / sqrt(2) = 0.5, times t(0.975, 1 df) = 12.7062
    assert navy.de00_std.item() == pytest.approx(12.7062 * 0.5, rel=1e-5)


@pytest.mark.slow
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
    assert bow.rho_between > 0.2 and bow.between_pairs > 0  # the comparable figure, beside all pairs
    assert "at least 4 colour terms" in summary.set_index("model").loc["restgan", "note"]
    assert all(p.is_file() for p in written["stackgan-bow"])


def test_cells_timing_is_summed_in_the_provenance(tmp_path):
    make_results(tmp_path)
    for name, seconds in (("restgan__default__seed0", 90.0), ("stackgan-bow__default__seed1", 30.0)):
        (tmp_path / "cells" / name / "timing.json").write_text(json.dumps(
            {"train_seconds": seconds, "evaluate_seconds": 6.0}))
    text = write_report(tmp_path, figures=False).read_text()
    assert "timing.json" in text and names_all(text, "train 2.0 min", "evaluate 0.2 min")


def _centre(pixels: np.ndarray, value: int) -> tuple[float, float]:
    """(y, x) centre of the pixels of grey ``value`` (a tile of the fake media; text greys are few)."""
    ys, xs = np.nonzero((pixels == value).all(axis=-1))
    assert len(ys) >= 16 * 16, value
    return float(np.median(ys)), float(np.median(xs))


def test_sample_grid_has_one_row_per_seed_in_each_streams_block_and_a_column_per_model(tmp_path):
    from _run_helpers import write_media

    from ganbench.report.strips import collect_media, sample_grid, seed_difference

    make_results(tmp_path)
    for shade, model in enumerate(["stackgan-bow", "restgan"]):
        streams = [["women's black pants", "petite", "capri"], ["men's blue jeans", "slim"]]
        write_media(tmp_path / "cells" / f"{model}__default__seed0", streams, [0, 1, 2], shade=shade)
    png, _ = sample_grid(collect_media(load_results(tmp_path)), tmp_path / "figures")
    pixels = np.asarray(Image.open(png).convert("RGB"))
    # the final image of stream i at seed s for model shade h is grey 40 * step + 10 * i + 5 * s + h
    first = [[_centre(pixels, 80 + 5 * s + h) for h in (0, 1)] for s in (0, 1, 2)]
    second = [[_centre(pixels, 50 + 5 * s + h) for h in (0, 1)] for s in (0, 1, 2)]
    for block in (first, second):
        ys = [row[0][0] for row in block]
        assert ys == sorted(ys) and len(set(ys)) == 3  # three seed rows, top to bottom
        assert all(abs(row[0][0] - row[1][0]) < 2 and row[0][1] < row[1][1] for row in block)  # side by side
    assert max(y for row in first for y, _ in row) < min(y for row in second for y, _ in row)
    assert seed_difference([np.full((2, 2, 3), 10, np.uint8), np.full((2, 2, 3), 15, np.uint8),
                            np.full((2, 2, 3), 20, np.uint8)]) == pytest.approx(20 / 3)
    assert seed_difference([np.zeros((2, 2, 3), np.uint8)]) is None

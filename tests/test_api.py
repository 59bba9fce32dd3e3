"""The Python API (issue 21): ``ganbench.load`` / ``generate`` / ``evaluate``, the README's example run as
written, and images written through the API scored by ``ganbench eval --images`` exactly as
``ganbench eval`` scores the run that drew them.

The run is a tiny ``fake-gan`` run (tests/_train_helpers) whose [eval] table asks for a tiny evaluation
network, so ``ganbench eval RUN`` and ``ganbench.evaluate(RUN)`` (which use the run's [eval]) stay fast.
"""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _eval_helpers import draw_garment, make_items, one_thread  # noqa: F401  (autouse fixture)
from _train_helpers import tiny_config_dict
from click.testing import CliRunner
from PIL import Image

import ganbench
from ganbench.cli import main
from ganbench.config import build_run_config
from ganbench.data.writer import write_catalog
from ganbench.report.results import split_metrics
from ganbench.train.runs import train_run

ROOT = Path(__file__).resolve().parent.parent
TINY_EVAL = {"net": {"epochs": 2, "image_size": 16, "width": 4}, "second_net": False}
SAME_EVAL_FLAGS = ["--net-epochs", "2", "--net-image-size", "16", "--net-width", "4",
                   "--set", "eval.second_net=false"]
MODEL_ONLY = {"conditioning_strength", "word_swap_shift"}  # read the model's conditioning, not its images
NOT_METRICS = {"timing", "provenance", "run", "images"}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    items = make_items(32, seed=1)
    images = [draw_garment(item, 64)[0] for item in items]
    out = tmp_path_factory.mktemp("api") / "catalog"
    write_catalog(out, items, images, source="synthetic", seed=0, min_freq=1, sizes=(16, 32))
    return out


@pytest.fixture(scope="module")
def run_dir(catalog, tmp_path_factory):
    config = build_run_config(tiny_config_dict(catalog) | {"eval": TINY_EVAL}, "test")
    return train_run(config, tmp_path_factory.mktemp("api_run") / "run")


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _numbers(metrics: dict) -> dict:
    kept = {k: v for k, v in metrics.items() if k not in NOT_METRICS | MODEL_ONLY}
    return split_metrics(kept)


def test_import_ganbench_stays_light():
    code = "import sys, ganbench; assert 'torch' not in sys.modules; print(ganbench.__version__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_the_readme_example_runs_as_written(run_dir, tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python API\n.*?```python\n(.*?)```", readme, re.S)
    assert block is not None, "README.md has no ```python block under '## Python API'"
    code = block.group(1)
    assert len(code.strip().splitlines()) == 5
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "restgan").symlink_to(run_dir, target_is_directory=True)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example
    strips, metrics = scope["strips"], scope["metrics"]
    assert len(strips) == 2 and len(strips[0]) == 3 and all(isinstance(i, Image.Image) for i in strips[0])
    assert (tmp_path / "capri.png").is_file()
    assert metrics["fid"]["mean"] is not None and metrics["provenance"]["command"]


def test_generate_returns_one_list_of_step_images_per_seed(run_dir):
    model = ganbench.load(run_dir)
    strips = model.generate(["women's black pants", "petite"], seeds=(0, 1, 0))
    assert [len(s) for s in strips] == [2, 2, 2] and strips[0][0].mode == "RGB"
    assert strips[0][1].tobytes() == strips[2][1].tobytes()  # the same seed draws the same images
    assert model.generate("women's black pants", seeds=3)[0][0].size == strips[0][0].size


@pytest.mark.parametrize(("stream", "seeds", "named"), [([], (0,), "stream"), (["ok", ""], (0,), "stream"),
                                                         (["ok"], (-1,), "seeds"), (["ok"], ("0",), "seeds")])
def test_bad_generate_arguments_name_the_argument(run_dir, stream, seeds, named):
    with pytest.raises(ValueError, match=f"^{named}:"):
        ganbench.load(run_dir).generate(stream, seeds=seeds)


def test_load_refuses_a_name_that_is_neither_a_folder_nor_a_pretrained_model():
    with pytest.raises(ganbench.LoadError, match="restgan-synth"):
        ganbench.load("restgan-synht")


def test_api_images_score_exactly_what_ganbench_eval_gives_the_run(catalog, run_dir, tmp_path):
    by_run = _invoke("eval", run_dir, "--out", tmp_path / "run.json")
    assert by_run.exit_code == 0, by_run.output
    written = ganbench.load(run_dir).write_evaluation_images(catalog, tmp_path / "images")
    assert written == len(list((tmp_path / "images").glob("*/*/*.png")))
    by_images = _invoke("eval", "--images", tmp_path / "images", "--catalog", catalog, "--out",
                        tmp_path / "images.json", *SAME_EVAL_FLAGS)
    assert by_images.exit_code == 0, by_images.output
    run_metrics = json.loads((tmp_path / "run.json").read_text())
    image_metrics = json.loads((tmp_path / "images.json").read_text())
    assert _numbers(image_metrics)[0] == _numbers(run_metrics)[0]
    assert image_metrics["query_diversity"]["n"] > 0  # the diversity draws came from the folder too
    assert image_metrics["images"]["used"] == written
    assert image_metrics["word_swap_shift"]["type"]["mean"] is None  # images carry no conditioning

    manifest = tmp_path / "manifest.csv"
    with open(manifest, "w", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(["stream", "step", "seed", "path"])
        for path in sorted((tmp_path / "images").glob("*/*/*.png")):
            rows.writerow([path.parent.parent.name, path.stem, path.parent.name, path.relative_to(tmp_path)])
    from_manifest = ganbench.evaluate(images=manifest, catalog=catalog, settings=TINY_EVAL)
    assert _numbers(from_manifest)[0] == _numbers(image_metrics)[0]


def test_a_folder_missing_images_is_refused_before_any_work(catalog, run_dir, tmp_path):
    ganbench.load(run_dir).write_evaluation_images(catalog, tmp_path / "images")
    gone = tmp_path / "images" / "0" / "0" / "0.png"
    gone.unlink()
    result = _invoke("eval", "--images", tmp_path / "images", "--catalog", catalog,
                     "--out", tmp_path / "m.json")
    assert result.exit_code == 1 and "stream 0 draw 0 step 0" in result.output
    assert not (tmp_path / "m.json").exists()


def test_writing_images_into_a_folder_that_holds_files_is_refused(catalog, run_dir, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match=str(tmp_path)):
        ganbench.load(run_dir).write_evaluation_images(catalog, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_manifest_without_its_columns_is_named(catalog, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("stream,path\n0,a.png\n")
    with pytest.raises(ValueError, match="step"):
        ganbench.evaluate(images=manifest, catalog=catalog)


def test_data_streams_exports_the_streams_evaluation_numbers(catalog, tmp_path):
    result = _invoke("data", "streams", "--catalog", catalog, "--split", "test",
                     "--out", tmp_path / "s.jsonl")
    assert result.exit_code == 0, result.output
    header, *lines = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    items = [json.loads(line) for line in (catalog / "items.jsonl").read_text().splitlines()]
    tests = [item for item in items if item["split"] == "test"]
    assert header["split"] == "test" and header["streams"] == len(tests) == len(lines)
    assert [line["stream"] for line in lines] == list(range(len(tests)))
    assert [line["steps"] for line in lines] == [item["query"] for item in tests]

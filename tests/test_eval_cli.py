"""``ganbench eval`` and ``ganbench eval-net`` on a real (tiny) catalog and a real (tiny) training run.

The run is trained by the harness with the ``fake-gan`` model of the harness tests (tests/_train_helpers),
so this exercises load_run -> EMA generator -> evaluation -> metrics.json exactly as a user would.
"""

import csv
import json
import shutil

import pytest
from _asserts import names_all
from _eval_helpers import (
    draw_garment,
    make_items,
    one_thread,  # noqa: F401  (autouse fixture)
)
from _train_helpers import tiny_config_dict
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.config import build_run_config
from ganbench.data.writer import write_catalog
from ganbench.train.runs import train_run

NET_FLAGS = ["--net-epochs", "2", "--net-image-size", "16", "--net-width", "4"]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    items = make_items(32, seed=1)
    images = [draw_garment(item, 64)[0] for item in items]
    out = tmp_path_factory.mktemp("eval_cli") / "catalog"
    write_catalog(out, items, images, source="synthetic", seed=0, min_freq=1, sizes=(16, 32))
    return out


@pytest.fixture(scope="module")
def run_dir(catalog, tmp_path_factory):
    config = build_run_config(tiny_config_dict(catalog), "test")
    return train_run(config, tmp_path_factory.mktemp("eval_cli_run") / "run")


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_eval_net_train_then_info(catalog):
    trained = _invoke("eval-net", "train", "--catalog", catalog, *NET_FLAGS)
    assert trained.exit_code == 0, trained.output
    assert names_all(trained.output, "eval-net", "accuracy", "confusion_*.csv")  # where the matrices are
    lines = trained.output.replace(str(catalog), "CATALOG").splitlines()
    assert max(map(len, lines)) <= 130  # per-head accuracy, no matrix rows (24 classes: 275 wide)
    folder = next((catalog / "eval_net").glob("*/classifier.pt")).parent
    with open(folder / "confusion_type.csv") as handle:
        rows = list(csv.reader(handle))
    report = json.loads((folder / "report.json").read_text())["heads"]["type"]
    assert rows[0][1:] == report["classes"]
    assert [list(map(int, row[1:])) for row in rows[1:]] == report["confusion"]
    info = _invoke("eval-net", "info", "--catalog", catalog)
    assert info.exit_code == 0 and "current catalog" in info.output


def test_eval_writes_metrics_and_agrees_with_itself(catalog, run_dir, tmp_path):
    outputs = []
    for name in ("first.json", "second.json"):
        result = _invoke(
            "eval",
            run_dir,
            "--catalog",
            catalog,
            "--n-samples",
            16,
            "--seed",
            5,
            "--k",
            3,
            "--out",
            tmp_path / name,
            *NET_FLAGS,
        )
        assert result.exit_code == 0, result.output
        assert "is_type" in result.output and "attribute_accuracy.gender" in result.output
        outputs.append(json.loads((tmp_path / name).read_text()))
    first, second = ({k: v for k, v in m.items() if k not in ("timing", "provenance")} for m in outputs)
    assert first == second
    # 16 = two whole passes over the 8 test streams
    assert first["n_samples"] == 16 and first["seed"] == 5 and first["run"]["checkpoint_hash"]
    for name in (
        "is_type",
        "is_colour",
        "is_gender",
        "fid",
        "kid",
        "colour_de00_mean",
        "colour_de00_within_5",
        "retention_rate",
        "response_rate",
        "step_feature_distance",
        "precision_at_k",
    ):
        assert set(first[name]) == {"mean", "std", "n", "spread"}, name


def test_eval_of_a_folder_that_is_no_run_says_so(catalog, tmp_path):
    result = _invoke("eval", tmp_path, "--catalog", catalog, *NET_FLAGS)
    assert result.exit_code == 1 and names_all(result.output, tmp_path, "config.toml")


def test_eval_with_a_missing_inception_file_is_a_usage_error(catalog, run_dir, tmp_path):
    result = _invoke("eval", run_dir, "--catalog", catalog, "--inception-weights", tmp_path / "none.pth")
    assert result.exit_code == 2 and names_all(result.output, "--inception-weights", "none.pth")


def test_eval_starts_from_the_runs_recorded_eval_settings(catalog, run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    config = copy / "config.toml"
    config.write_text(config.read_text().replace("[eval]\n", "[eval]\nn_samples = 16\n"))
    result = _invoke("eval", copy, "--catalog", catalog, "--set", "eval.k=2", *NET_FLAGS)
    assert result.exit_code == 0, result.output
    metrics = json.loads((copy / "metrics.json").read_text())
    assert metrics["n_samples"] == 16 and metrics["settings"]["retrieval_k"] == 2

    wrong = _invoke("eval", copy, "--catalog", catalog, "--set", "train.lr=1")
    assert wrong.exit_code == 1 and names_all(wrong.output, "train.lr", "[eval]")
    too_few = _invoke("eval", copy, "--catalog", catalog, "--n-samples", 1)
    assert too_few.exit_code == 1 and "--n-samples 1" in too_few.output and "at least 2" in too_few.output


def test_eval_baseline_rows_write_the_metrics_format(catalog, tmp_path):
    result = _invoke("eval", "--baseline", "mean-image", "--catalog", catalog, "--n-samples", 8, "--k", 3,
                     "--image-size", 16, "--out", tmp_path / "mean.json", *NET_FLAGS)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "mean.json").read_text())
    assert metrics["baseline"]["row"] == "mean image" and "run" not in metrics
    assert metrics["refinement_score"]["mean"] == 0.0 and metrics["settings"]["image_size"] == 16
    assert metrics["n_samples"] == 8 and metrics["reference"]["set"] == "train"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--baseline", "median"], "--baseline: unknown baseline 'median'; expected one of: real, mean-"),
        (["RUN", "--baseline", "real"], "give one of RUN_DIR, --images DIR or --baseline real|mean-image"),
        ([], "give one of RUN_DIR, --images DIR or --baseline real|mean-image"),
        (["--baseline", "real", "--reference", "val"],
         "--reference val (over <defaults>): 'eval.reference' must be one of 'train', 'test', 'heldout'"),
    ],
)
def test_bad_eval_requests_get_one_clear_line(catalog, run_dir, tmp_path, arguments, message):
    arguments = [run_dir if a == "RUN" else a for a in arguments]
    result = _invoke("eval", *arguments, "--catalog", catalog, "--out", tmp_path / "m.json", *NET_FLAGS)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), result.output


def test_a_baseline_without_a_catalog_says_so(tmp_path):
    result = _invoke("eval", "--baseline", "real", "--out", tmp_path / "m.json", *NET_FLAGS)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: --baseline real needs --catalog DIR")


def test_a_reference_set_of_one_image_is_refused_in_one_line(tmp_path):
    items = make_items(16, seed=2)
    tests = [i for i, item in enumerate(items) if item["split"] == "test"]
    for i in tests[1:]:
        items[i]["split"] = "train"
    out = tmp_path / "one_test"
    write_catalog(out, items, [draw_garment(it, 32)[0] for it in items], source="synthetic", seed=0,
                  min_freq=1, sizes=(16,))
    result = _invoke("eval", "--baseline", "mean-image", "--reference", "test", "--catalog", out, "--out",
                     tmp_path / "m.json", *NET_FLAGS)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert names_all(result.output.strip().splitlines()[-1], "'test'", "1 image(s)", "FID", "KID", "2",
                     "--reference")


def test_eval_reads_the_catalog_from_the_run_config(run_dir, tmp_path):
    result = _invoke("eval", run_dir, "--n-samples", 8, "--k", 2, "--out", tmp_path / "m.json", *NET_FLAGS)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "m.json").read_text())["n_samples"] == 8


def test_a_moved_catalog_names_the_catalog_option(run_dir, tmp_path):
    moved = tmp_path / "run"
    shutil.copytree(run_dir, moved)
    text = (moved / "config.toml").read_text()
    named = text.split('catalog = "')[1].split('"')[0]
    (moved / "config.toml").write_text(text.replace(named, str(tmp_path / "gone")))
    result = _invoke("eval", moved, *NET_FLAGS)
    assert result.exit_code == 1
    assert names_all(result.output, moved / "config.toml", tmp_path / "gone", "--catalog")
    assert len(result.output.strip().splitlines()) == 1
    not_a_catalog = _invoke("eval", moved, "--catalog", tmp_path, *NET_FLAGS)
    assert not_a_catalog.exit_code == 1 and "--catalog: " in not_a_catalog.output


def test_eval_and_eval_net_default_to_the_auto_device():
    from ganbench.cli.evaluate import eval_command, eval_net_train
    from ganbench.config.loader import load_section

    assert load_section("eval").device == "auto"  # the one default, which the --device flags show
    for command in (eval_command, eval_net_train):
        assert "[eval.device; default: auto]" in next(p for p in command.params if p.name == "device").help

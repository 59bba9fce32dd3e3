"""Experiment files: strict validation, cell planning, and the runner's skip / resume / failure logic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _run_helpers import FakeSteps

from ganbench.config import ConfigError
from ganbench.report.results import parse_cell_name
from ganbench.run.experiment import ExperimentError, load_experiment
from ganbench.run.runner import RunnerError, run_experiment, summarise

GOOD = """
[run]
name = "tiny"
models = ["stackgan-bow", "restgan"]
seeds = [0, 1]

[run.catalog]
synthesise = { n = 32, seed = 3 }

[run.model_config.restgan]
model.options.gf_dim = 8

[run.variants.default]
[run.variants.no-colour]
models = ["restgan"]
config = { model.options.colour_model = false, train.stage1_steps = 5 }

[train]
stage1_steps = 2

[eval]
n_samples = 8
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_experiment_plans_cells_with_merged_overrides(tmp_path):
    experiment = load_experiment(write(tmp_path, GOOD), results_dir=tmp_path / "out")
    assert experiment.config.run.catalog.synthesise.n == 32 and experiment.config.run.proposed == ""
    assert experiment.catalog_dir == tmp_path / "out" / "catalog"
    cells = experiment.cells
    assert [c.name for c in cells] == [
        "stackgan-bow__default__seed0", "stackgan-bow__default__seed1",
        "restgan__default__seed0", "restgan__default__seed1",
        "restgan__no-colour__seed0", "restgan__no-colour__seed1"]
    assert cells[0].overrides == {"train.stage1_steps": 2}
    assert cells[2].overrides == {"train.stage1_steps": 2, "model.options.gf_dim": 8}
    assert cells[4].overrides == {"train.stage1_steps": 5, "model.options.gf_dim": 8,
                                  "model.options.colour_model": False}
    assert parse_cell_name(cells[4].name) == ("restgan", "no-colour", 0)
    assert parse_cell_name("notes") is None


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace("seeds =", "sedes ="), "'run.sedes' is not a valid key; did you mean 'run.seeds'?"),
    (GOOD.replace("[eval]\nn_samples", "[eval]\nn_sample"), "'eval.n_sample' is not a valid key; did you"),
    (GOOD.replace("synthesise = {", "synthesize = {"), "did you mean 'run.catalog.synthesise'?"),
    (GOOD.replace('models = ["restgan"]', 'models = ["restgam"]'),
     "names 'restgam', which is not in run.models ['stackgan-bow', 'restgan']; did you mean 'restgan'"),
    (GOOD.replace("seeds = [0, 1]", "seeds = [0, 0]"), "distinct integers"),
    (GOOD.replace("n = 32", "n = 0"), "'run.catalog.synthesise.n' must be at least 8"),
    (GOOD.replace('models = ["stackgan-bow", "restgan"]', "models = []"), "'run.models' is required"),
    (GOOD + "\n[run.model_config.stackgan-lstm]\n",
     "'run.model_config' names 'stackgan-lstm', which is not in run.models"),
    (GOOD.replace("[run.catalog]", '[run.catalog]\nimport = { format = "csv", src = "x" }'),
     "'run.catalog' takes synthesise or import, not both"),
    (GOOD.replace("[train]", "[train]\nseed = 4"), "'train.seed' is set for every cell from run.seeds"),
    (GOOD.replace("[eval]", "[eval]\nk = 0"), "'eval.k' must be at least 1"),
    (GOOD + '\n[report]\nstreams = []\n', "'report.streams' must be a non-empty list"),
    (GOOD + "\n[launcher]\nnode = 2\n", "'launcher.node' is not a valid key; did you mean 'launcher.nodes'?"),
    (GOOD.replace('name = "tiny"', 'name = "tiny"\nproposed = "restgn"'), "'run.proposed' names 'restgn'"),
    ("models = [", "not valid TOML"),
    (GOOD.replace("[eval]\n", '[eval]\nreference = "val"\n'), "'eval.reference' must be one of 'train'"),
])
def test_bad_experiment_files_name_the_file_and_key(tmp_path, bad, expected):
    path = write(tmp_path, bad)
    with pytest.raises(ExperimentError) as error:
        load_experiment(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ExperimentError, match="does not exist"):
        load_experiment(tmp_path / "nope.toml")


def test_every_problem_of_an_experiment_and_its_cells_is_listed_at_once(tmp_path):
    text = (GOOD.replace("seeds =", "sedes =").replace("n_samples = 8", "n_samples = 1")
            .replace("colour_model = false", "colour_modle = false")
            .replace("stage1_steps = 2", "stage1_steps = -1").replace("gf_dim = 8", "gf_dim = 0"))
    with pytest.raises(ExperimentError) as error:
        load_experiment(write(tmp_path, text))
    message = str(error.value)
    assert "5 problems" in message and message.count(str(tmp_path / "exp.toml")) == 5
    assert "did you mean 'run.seeds'" in message and "'eval.n_samples' must be at least 2" in message
    assert message.count("'train.stage1_steps' must be 0 or more") == 1  # once, not once per cell
    assert "[run.variants.no-colour] (over" in message
    assert "did you mean 'model.options.colour_model'" in message
    assert "[run.model_config.restgan] (over" in message
    assert "'model.options.gf_dim' must be at least 1" in message


def test_a_misspelt_key_a_wrong_type_and_an_out_of_range_value_are_all_named(tmp_path):
    """Issue 20: one error lists every problem, each with its dotted key, the file and, for a misspelt
    key, the nearest valid one."""
    text = (GOOD.replace("stage1_steps = 2", 'stage1_steps = 2\nbatch_sise = 8\nlr = "fast"')
            .replace("n_samples = 8", "n_samples = 8\nprc_k = 0"))
    path = write(tmp_path, text)
    with pytest.raises(ExperimentError) as error:
        load_experiment(path)
    lines = str(error.value).splitlines()
    assert lines[0] == "3 problems in the configuration:"
    problems = {line.split("'")[1]: line for line in lines[1:]}
    assert set(problems) == {"train.batch_sise", "train.lr", "eval.prc_k"}
    assert all(line.startswith(f"  - {path}: ") for line in problems.values())
    assert "did you mean 'train.batch_size'?" in problems["train.batch_sise"]
    assert "must be a number, got a string ('fast')" in problems["train.lr"]
    assert "must be at least 1, got an integer (0)" in problems["eval.prc_k"]


def _experiment(tmp_path, text=GOOD):
    return load_experiment(write(tmp_path, text), results_dir=tmp_path / "out")


def test_failing_cell_is_reported_and_the_others_run(tmp_path):
    steps = FakeSteps(fail=("stackgan-bow",))
    outcomes = run_experiment(_experiment(tmp_path), tmp_path / "out", steps.pipeline(), log=lambda _: None)
    assert [o.status for o in outcomes] == ["failed", "failed", "done", "done", "done", "done"]
    error_file = tmp_path / "out/cells/stackgan-bow__default__seed0/error.txt"
    assert "training stackgan-bow/0 exploded" in error_file.read_text()
    assert (tmp_path / "out/cells/restgan__no-colour__seed1/metrics.json").is_file()
    text = summarise(outcomes, tmp_path / "out")
    assert "4 run, 0 already finished, 2 failed" in text and str(error_file) in text


def test_interrupted_experiment_resumes_only_the_missing_work(tmp_path):
    experiment = _experiment(tmp_path)
    out = tmp_path / "out"
    first = FakeSteps(interrupt="stackgan-bow/1")
    with pytest.raises(KeyboardInterrupt):
        run_experiment(experiment, out, first.pipeline(), log=lambda _: None)
    assert ("evaluate", "stackgan-bow__default__seed0") in first.calls
    with pytest.raises(RunnerError, match="pass --resume"):
        run_experiment(experiment, out, FakeSteps().pipeline(), log=lambda _: None)
    with pytest.raises(RunnerError, match="exclude each other"):
        run_experiment(experiment, out, FakeSteps().pipeline(), resume=True, fresh=True)

    second = FakeSteps()
    outcomes = run_experiment(experiment, out, second.pipeline(), resume=True, log=lambda _: None)
    assert [o.status for o in outcomes] == ["skipped", "done", "done", "done", "done", "done"]
    trained = [name for step, name in second.calls if step in ("train", "resume")]
    assert ("resume", "stackgan-bow/1") in second.calls
    assert trained == ["stackgan-bow/1", "restgan/0", "restgan/1", "restgan/0", "restgan/1"]
    assert ("evaluate", "stackgan-bow__default__seed0") not in second.calls

    third = FakeSteps()
    outcomes = run_experiment(experiment, out, third.pipeline(), resume=True, log=lambda _: None)
    assert {o.status for o in outcomes} == {"skipped"}
    assert third.calls == [("catalog", str(out / "catalog"))]


def test_a_failing_report_keeps_the_results_and_says_how_to_retry(tmp_path):
    pipeline = FakeSteps().pipeline()
    pipeline.write_report = lambda results: 1 / 0
    messages = []
    outcomes = run_experiment(_experiment(tmp_path), tmp_path / "out", pipeline, log=messages.append)
    assert {o.status for o in outcomes} == {"done"}
    assert "ganbench report" in messages[-1] and (tmp_path / "out/report_error.txt").is_file()


def test_calibration_runs_once_after_the_cells_and_a_failure_keeps_the_report(tmp_path):
    pipeline, calls, reports = FakeSteps().pipeline(), [], []
    pipeline.calibrate = lambda results, catalog, settings: calls.append(settings.reference)
    run_experiment(_experiment(tmp_path), tmp_path / "out", pipeline, log=lambda _: None)
    assert calls == ["train"]
    pipeline.calibrate, pipeline.write_report = (lambda *args: 1 / 0), reports.append
    messages = []
    run_experiment(_experiment(tmp_path), tmp_path / "out", pipeline, resume=True, log=messages.append)
    assert "the calibration rows failed (ZeroDivisionError" in messages[-1]
    assert (tmp_path / "out/calibration/error.txt").is_file() and reports == [tmp_path / "out"]


def test_trained_but_unevaluated_cell_is_only_evaluated(tmp_path):
    experiment = _experiment(tmp_path)
    out = tmp_path / "out"
    run_experiment(experiment, out, FakeSteps().pipeline(), log=lambda _: None)
    (out / "cells/restgan__default__seed0/metrics.json").unlink()
    steps = FakeSteps()
    run_experiment(experiment, out, steps.pipeline(), resume=True, log=lambda _: None)
    assert steps.calls[1:] == [("render", "restgan__default__seed0"), ("evaluate", "restgan__default__seed0")]


def test_re_evaluating_a_cell_keeps_its_training_time(tmp_path):
    experiment = _experiment(tmp_path)
    out = tmp_path / "out"
    run_experiment(experiment, out, FakeSteps().pipeline(), log=lambda _: None)
    folder = out / "cells/restgan__default__seed0"
    trained = json.loads((folder / "timing.json").read_text())["train_seconds"]
    (folder / "metrics.json").unlink()
    run_experiment(experiment, out, FakeSteps().pipeline(), resume=True, log=lambda _: None)
    timing = json.loads((folder / "timing.json").read_text())
    assert timing["train_seconds"] == trained and "evaluate_seconds" in timing


def test_changed_cell_settings_are_refused_on_resume(tmp_path):
    out = tmp_path / "out"
    run_experiment(_experiment(tmp_path), out, FakeSteps().pipeline(), log=lambda _: None)
    changed = _experiment(tmp_path, GOOD.replace("stage1_steps = 2", "stage1_steps = 3"))
    outcomes = run_experiment(changed, out, FakeSteps().pipeline(), resume=True, log=lambda _: None)
    assert outcomes[0].status == "failed" and "different settings" in outcomes[0].error


def test_bad_run_config_stops_before_any_work(tmp_path):
    with pytest.raises(ExperimentError, match="'train.bad_key' is not a valid key"):
        _experiment(tmp_path, GOOD.replace("stage1_steps = 2", "bad_key = 2"))
    assert not (tmp_path / "out").exists()


def test_cell_settings_come_from_the_tree_and_keep_the_experiments_eval(tmp_path):
    experiment = _experiment(tmp_path)
    config = experiment.cells[4].config
    assert config.model.name == "restgan" and config.train.seed == 0
    assert config.model.options.colour_model is False and config.model.options.gf_dim == 8
    assert config.train.stage1_steps == 5 and config.data.catalog == str(tmp_path / "out" / "catalog")
    assert config.eval.n_samples == 8  # what the cell's config.toml records is what evaluation uses

    bad = GOOD.replace("colour_model = false", "colour_modle = false")
    with pytest.raises(ConfigError) as error:
        _experiment(tmp_path, bad)
    message = str(error.value)
    assert "[run.variants.no-colour]" in message and "colour_model" in message and "exp.toml" in message


def test_fresh_discards_trained_cells_and_without_resume_metrics_only_cells_are_replaced(tmp_path):
    experiment, out = _experiment(tmp_path), tmp_path / "out"
    run_experiment(experiment, out, FakeSteps().pipeline(), log=lambda _: None)
    steps = FakeSteps()
    outcomes = run_experiment(experiment, out, steps.pipeline(), fresh=True, log=lambda _: None)
    assert {o.status for o in outcomes} == {"done"} and ("train", "stackgan-bow/0") in steps.calls

    for checkpoint in out.glob("cells/*/run/checkpoint.pt"):  # as in a fresh clone: metrics, no checkpoints
        checkpoint.unlink()
    messages = []
    outcomes = run_experiment(experiment, out, FakeSteps().pipeline(), log=messages.append)
    assert {o.status for o in outcomes} == {"done"}
    assert "removing 6 earlier cell folder(s)" in messages[0]


def test_an_existing_catalog_is_reused_only_when_it_is_the_one_asked_for(tmp_path, capsys):
    from ganbench.run.pipeline import prepare_catalog

    folder = tmp_path / "catalog"
    folder.mkdir()
    manifest = {"source": "synthetic", "seed": 3, "counts": {"read": 32}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    experiment = load_experiment(write(tmp_path, GOOD + f'\n[data]\ncatalog = "{folder}"\n'))
    assert experiment.catalog_dir == folder
    recipe = experiment.config.run.catalog
    assert prepare_catalog(recipe, folder) == folder  # same n and seed: reused, nothing synthesised
    assert "reusing synthetic catalog (n=32, seed=3)" in capsys.readouterr().out
    manifest["seed"] = 4
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExperimentError, match="holds another catalog .* delete it or set data.catalog"):
        prepare_catalog(recipe, folder)

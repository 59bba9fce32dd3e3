"""Pretrained models: export from an experiment's results, load with weights_only, the same images as the
run they came from, version and checksum checks with one-line errors, the shipped models, and
``ganbench generate --pretrained`` / ``ganbench pretrained list|export``."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from _asserts import line_naming, names_all, raises_naming
from _explore_helpers import STREAM, make_results
from click.testing import CliRunner
from PIL import Image

from ganbench.cli import main
from ganbench.pretrained import (
    PretrainedError,
    available_pretrained,
    load_pretrained,
    load_pretrained_eval_net,
    pretrained_info,
)
from ganbench.pretrained.export import export_results
from ganbench.pretrained.package import FORMAT, file_sha256
from ganbench.train.runs import load_run


@pytest.fixture(scope="module")
def exported(explore_runs, tmp_path_factory):
    root = tmp_path_factory.mktemp("pretrained")
    out = root / "package"
    export_results(make_results(root, explore_runs), out, suffix="tiny")
    return explore_runs, out


def test_export_writes_weights_description_and_eval_net(exported):
    paths, out = exported
    assert sorted(p.name for p in out.iterdir()) == [
        "restgan-tiny.json", "restgan-tiny.pt", "stackgan-bow-tiny.json", "stackgan-bow-tiny.pt",
        "tiny-eval-net.pt"]
    data = json.loads((out / "restgan-tiny.json").read_text())
    assert data["format"] == FORMAT and data["model"] == "restgan" and data["step"] == 3
    assert data["weights_sha256"] == file_sha256(out / "restgan-tiny.pt")
    assert data["weights_bytes"] == (out / "restgan-tiny.pt").stat().st_size
    assert data["metrics"]["is_colour"] == {"mean": 1.5, "std": 0.1}
    assert data["metrics"]["accuracy_type"] == {"mean": 0.5, "std": 0.1}
    assert data["catalog"]["n"] == 16 and "16 items" in data["trained_on"]
    payload = torch.load(out / "restgan-tiny.pt", weights_only=True)
    assert payload["config"]["data"]["catalog"] == ""  # no path of the machine that exported it
    assert set(payload["generator"]) == set(load_run(paths["restgan"]).model.generator.state_dict())


@pytest.mark.parametrize("model", ["restgan", "stackgan-bow"])
def test_a_pretrained_model_draws_what_its_run_draws(exported, model):
    paths, out = exported
    pretrained, run = load_pretrained(f"{model}-tiny", directory=out), load_run(paths[model])
    streams = [STREAM, ["men's red shorts", "capri"]]
    for seed in (0, 7):
        drawn, expected = pretrained.model.generate(streams, seed), run.model.generate(streams, seed)
        assert all(torch.equal(a, b) for a, b in zip(drawn, expected, strict=True))
    assert pretrained.step == run.step and pretrained.config.model == run.config.model


def test_the_eval_net_comes_along(exported):
    paths, out = exported
    net = load_pretrained_eval_net(pretrained_info("restgan-tiny", out))
    stored = torch.load(paths["eval_net"], weights_only=True)
    assert net.classes == stored["classes"]
    assert all(torch.equal(net.model.state_dict()[k], v) for k, v in stored["state_dict"].items())


def test_an_unknown_name_lists_the_available_ones(exported):
    with raises_naming(PretrainedError, "'nope'", "restgan-tiny", "stackgan-bow-tiny"):
        load_pretrained("nope", directory=exported[1])


def _copy(out, tmp_path):
    for path in out.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def test_a_changed_weights_file_fails_its_checksum(exported, tmp_path):
    folder = _copy(exported[1], tmp_path)
    weights = folder / "restgan-tiny.pt"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with raises_naming(PretrainedError, weights.name, "make pretrained"):
        load_pretrained("restgan-tiny", directory=folder)
    weights.unlink()
    with raises_naming(PretrainedError, weights.name):
        load_pretrained("restgan-tiny", directory=folder)


def _rewrite(folder, name, change):
    """Change the payload and record the new checksum, as an export by another version would."""
    weights, description = folder / f"{name}.pt", folder / f"{name}.json"
    payload = torch.load(weights, weights_only=True)
    change(payload)
    torch.save(payload, weights)
    data = json.loads(description.read_text())
    description.write_text(json.dumps(data | {"weights_sha256": file_sha256(weights)}))


def test_another_format_version_is_refused(exported, tmp_path):
    folder = _copy(exported[1], tmp_path)
    _rewrite(folder, "restgan-tiny", lambda p: p.update(format="ganbench-pretrained/0"))
    with raises_naming(PretrainedError, "'ganbench-pretrained/0'", f"'{FORMAT}'", "make pretrained"):
        load_pretrained("restgan-tiny", directory=folder)


def test_weights_that_do_not_fit_the_model_name_the_fix(exported, tmp_path):
    folder = _copy(exported[1], tmp_path)
    _rewrite(folder, "restgan-tiny", lambda p: p["config"]["model"]["options"].update(gf_dim=8))
    with raises_naming(PretrainedError, "'restgan'", "make pretrained"):
        load_pretrained("restgan-tiny", directory=folder)


def test_the_shipped_models_load_and_draw():
    shipped = available_pretrained()
    assert {"restgan-synth", "stackgan-bow-synth"} <= set(shipped)
    for name, info in shipped.items():
        assert info.weights_path.stat().st_size < 5_000_000 and info.query_streams
        run = load_pretrained(name)
        strip = run.model.generate([["women's black pants", "petite", "capri"]], 0)[0]
        assert strip.shape == (3, 3, 64, 64) and strip.dtype == torch.uint8
        assert load_pretrained_eval_net(info) is not None


def test_generate_with_a_pretrained_model(tmp_path):
    out = tmp_path / "strip.png"
    result = CliRunner().invoke(main, ["generate", "--pretrained", "restgan-synth", "women's black pants",
                                       "petite", "capri", "--out", str(out), "--seeds", "4", "--tile-size",
                                       "64", "--no-labels"])
    assert result.exit_code == 0, result.output
    assert names_all(result.output, "1 seed(s)", "3 steps")
    with Image.open(out) as image:
        pixels = np.asarray(image.convert("RGB"))
    stream = ["women's black pants", "petite", "capri"]
    expected = load_pretrained("restgan-synth").model.generate([stream], 4)
    first = expected[0][0].permute(1, 2, 0).numpy()
    found = [(y, x) for y in range(pixels.shape[0] - 63) for x in range(0, 20)
             if np.array_equal(pixels[y:y + 64, x:x + 64], first)]
    assert found  # the first tile is the model's image, pixel for pixel


def test_generate_errors_are_one_line(tmp_path):
    runner = CliRunner()
    unknown = runner.invoke(main, ["generate", "--pretrained", "nope", "pants", "--out", str(tmp_path / "a")])
    assert unknown.exit_code == 1 and names_all(unknown.output, "'nope'", "restgan-synth")
    assert "Traceback" not in unknown.output
    missing = str(tmp_path / "missing")
    no_run = runner.invoke(main, ["generate", missing, "pants", "--out", str(tmp_path / "b")])
    assert no_run.exit_code == 2 and names_all(no_run.output, "missing", "--pretrained")


def test_pretrained_list_and_export_commands(exported, tmp_path):
    runner = CliRunner()
    listed = runner.invoke(main, ["pretrained", "list"])
    assert listed.exit_code == 0 and "restgan-synth: restgan" in listed.output
    assert line_naming(listed.output, "trained on", "synthetic", "1000 items")
    refused = runner.invoke(main, ["pretrained", "export", str(tmp_path), "--out", str(tmp_path / "o")])
    assert refused.exit_code == 1 and names_all(refused.output, tmp_path, "metrics.json")


def test_the_experiment_that_makes_them_is_valid(tmp_path):
    from pathlib import Path

    from ganbench.run.experiment import load_experiment

    experiment = load_experiment(Path(__file__).parents[1] / "experiments" / "pretrained.toml", tmp_path)
    assert [(c.model, c.variant, c.seed) for c in experiment.cells] == [
        ("restgan", "default", 0), ("stackgan-bow", "default", 0)]
    shipped = {info.model: info.data["trained_on"] for info in available_pretrained().values()}
    for cell in experiment.cells:  # the budget the shipped models describe is the file's
        train, described = cell.config.train, shipped[cell.model]
        assert f"{train.stage1_steps} Stage-I + {train.stage2_steps} Stage-II steps at batch " in described
        assert f"batch {train.batch_size}," in described
        assert f"lr {train.lr:g}, {train.precision}" in described

"""Rough edges a newcomer met in the command line (issue 21): a path read as query words, a missing catalog
found late, a report announced that was never written, option help without a description, stale help."""

from __future__ import annotations

import dataclasses
import os

import click
import pytest
from _models_helpers import MODEL_NAMES
from _run_helpers import FakeSteps
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.cli.zoo import _run_and_steps
from ganbench.config.reference import field_descriptions
from ganbench.models.registry import get_model
from ganbench.run.pipeline import prepare_catalog

EXPERIMENT = '[run]\nname = "tiny"\nmodels = ["stackgan-bow"]\nseeds = [0]\n[data]\ncatalog = "{catalog}"\n'


def test_generate_refuses_a_folder_path_given_as_a_query_step(tmp_path):
    out = tmp_path / "strip.png"
    result = CliRunner().invoke(main, ["generate", "/tmp/cat", "--pretrained", "restgan-synth",
                                       "women's black pants", "--out", str(out)])
    assert result.exit_code == 2 and "'/tmp/cat'" in result.output and "STEP" in result.output
    assert not out.exists()


def test_existing_paths_are_refused_as_steps_but_a_slash_in_words_is_not(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "bow").mkdir(parents=True)
    with pytest.raises(click.BadParameter, match="runs/bow"):
        _run_and_steps(("runs/bow", "black pants"), pretrained="restgan-synth")
    with pytest.raises(click.BadParameter, match="runs/bow"):
        _run_and_steps(("runs", "black pants", "runs/bow"), pretrained=None)
    assert _run_and_steps(("black/white pants", "black/white"), "restgan-synth")[1] == ("black/white pants",
                                                                                        "black/white")


def _real_catalog_check(monkeypatch) -> FakeSteps:
    steps = FakeSteps()
    monkeypatch.setattr(steps, "prepare_catalog", prepare_catalog)
    monkeypatch.setattr("ganbench.cli.experiment._pipeline", steps.pipeline)
    return steps


def test_run_with_a_missing_catalog_fails_before_writing_anything(tmp_path, monkeypatch):
    steps = _real_catalog_check(monkeypatch)
    experiment = tmp_path / "exp.toml"
    experiment.write_text(EXPERIMENT.format(catalog=tmp_path / "no-catalog"), encoding="utf-8")
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(experiment), "--out", str(out)])
    assert result.exit_code == 1 and "no-catalog" in result.output and "Traceback" not in result.output
    assert not out.exists() and steps.calls == []


def _run_fake(tmp_path, monkeypatch, out_name: str, write_report=None):
    steps = FakeSteps()
    pipeline = dataclasses.replace(steps.pipeline(), write_report=write_report)
    monkeypatch.setattr("ganbench.cli.experiment._pipeline", lambda: pipeline)
    experiment = tmp_path / "exp.toml"
    experiment.write_text(EXPERIMENT.format(catalog=tmp_path / "catalog"), encoding="utf-8")
    return CliRunner().invoke(main, ["run", str(experiment), "--out", str(tmp_path / out_name)])


def test_run_announces_the_report_only_when_it_wrote_one(tmp_path, monkeypatch):
    stale = tmp_path / "results" / "index.md"
    stale.parent.mkdir()
    stale.write_text("# an earlier report", encoding="utf-8")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    result = _run_fake(tmp_path, monkeypatch, "results", write_report=None)
    assert result.exit_code == 0 and "1 cells: 1 run" in result.output, result.output
    assert "report:" not in result.output

    def write_index(results):
        (results / "index.md").write_text("# report", encoding="utf-8")

    result = _run_fake(tmp_path, monkeypatch, "fresh", write_report=write_index)
    assert result.exit_code == 0, result.output
    assert f"report: {tmp_path / 'fresh' / 'index.md'}" in result.output


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_option_has_a_description_with_balanced_brackets(name):
    options = get_model(name).options_class
    descriptions = field_descriptions(options)
    assert set(descriptions) == set(options.model_fields)
    for option, text in descriptions.items():
        assert text, f"{name}: option {option} needs a docstring line under its field"
        assert text.count("(") == text.count(")"), f"{name}: {option}: {text}"
    shown = CliRunner().invoke(main, ["models", name]).output
    assert "(no description)" not in shown


def test_help_texts_match_the_current_file_formats():
    config_help = CliRunner().invoke(main, ["config", "show", "--help"]).output
    assert "[config]" not in config_help
    top_help = CliRunner().invoke(main, ["--help"]).output
    synth_lines = [line for line in top_help.splitlines() if "data synth" in line]
    assert synth_lines and all("--out" in line for line in synth_lines)

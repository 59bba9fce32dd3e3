"""Console output of training and of ``ganbench run``: plain lines when stdout is not a terminal (no
bars, carriage returns or cursor codes), tqdm bars on a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _asserts import line_naming
from _run_helpers import FakeSteps
from _train_helpers import make_tiny_catalog, tiny_config_dict
from click.testing import CliRunner

import ganbench.run.runner as runner
import ganbench.train.progress as progress
from ganbench.cli import main
from ganbench.config import build_run_config, write_config
from ganbench.run.experiment import load_experiment
from ganbench.train.progress import TrainingProgress, format_duration, plain_line
from ganbench.train.runs import train_run

LINE = re.compile(r"^fake-gan step (\d+)/6 (stage[12]): d_loss=\S+ g_loss=\S+ \| [\d.]+ img/s \| ETA \S+$")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("progress") / "catalog", n=12)


def test_plain_line_and_durations() -> None:
    line = plain_line("restgan", 120, 930, "stage1", {"d_loss": 3.21049, "kl": 0.00123456}, 54.34, 151.2)
    assert line == "restgan step 120/930 stage1: d_loss=3.21 kl=0.001235 | 54.3 img/s | ETA 2m31s"
    assert plain_line("", 1, 2, "joint", {}, 1.0, None).endswith("| ETA ?")
    assert [format_duration(s) for s in (0, 45.4, 151, 3725)] == ["0s", "45s", "2m31s", "1h02m"]


def test_redirected_training_prints_one_plain_line_per_log_step(catalog, tmp_path, capsys) -> None:
    config = build_run_config(tiny_config_dict(catalog, log_every=2), "test")
    train_run(config, tmp_path / "run")
    captured = capsys.readouterr()  # pytest's stdout is not a terminal
    assert "\r" not in captured.out + captured.err and "\x1b" not in captured.out + captured.err
    lines = [line for line in captured.out.splitlines() if line.startswith("fake-gan step")]
    assert [LINE.match(line).groups() for line in lines] == [  # every log_every steps and at phase ends
        ("2", "stage1"), ("3", "stage1"), ("4", "stage2"), ("6", "stage2")]
    assert line_naming(captured.out, "fake-gan", "12 training items")


def test_a_terminal_gets_progress_bars(catalog, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(progress, "stdout_is_terminal", lambda: True)
    assert not TrainingProgress().plain
    train_run(build_run_config(tiny_config_dict(catalog), "test"), tmp_path / "run")
    captured = capsys.readouterr()
    assert "\r" in captured.err and "stage1" in captured.err  # tqdm draws on stderr
    assert not [line for line in captured.out.splitlines() if LINE.match(line)]


def test_redirected_train_command_output_is_plain(catalog, tmp_path) -> None:
    config_file = tmp_path / "run.toml"
    write_config(build_run_config(tiny_config_dict(catalog), "test"), config_file)
    result = CliRunner().invoke(main, ["train", "--config", str(config_file), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "\x1b" not in result.output
    assert sum(bool(LINE.match(line)) for line in result.output.splitlines()) == 6  # log_every = 1


def test_redirected_experiment_prints_a_line_per_cell_and_no_bar(tmp_path, capsys, monkeypatch) -> None:
    experiment_file = tmp_path / "exp.toml"
    experiment_file.write_text('[run]\nname = "tiny"\nmodels = ["stackgan-bow", "restgan"]\nseeds = [0]\n'
                               f'[data]\ncatalog = "{tmp_path / "catalog"}"\n', encoding="utf-8")
    experiment = load_experiment(experiment_file)
    lines: list[str] = []
    runner.run_experiment(experiment, tmp_path / "out", FakeSteps().pipeline(), log=lines.append)
    assert lines[:2] == ["cell 1/2: stackgan-bow__default__seed0", "stackgan-bow__default__seed0: done"]
    assert "cell 2/2: restgan__default__seed0" in lines
    assert "\r" not in capsys.readouterr().err
    monkeypatch.setattr(runner, "stdout_is_terminal", lambda: True)
    lines.clear()
    runner.run_experiment(experiment, tmp_path / "out2", FakeSteps().pipeline(), log=lines.append)
    assert not any(line.startswith("cell ") for line in lines)
    assert "experiment tiny" in capsys.readouterr().err  # the bar over the cells

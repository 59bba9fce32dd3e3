"""Ctrl-C (a real SIGINT) during training: the step finishes, a checkpoint is saved at it, the command says
how to resume (exit 130), and resuming gives exactly the uninterrupted run."""

from __future__ import annotations

import os
import shlex
import signal
from pathlib import Path

import pytest
from _cluster_helpers import run_fake_ganbench
from _run_helpers import FakeSteps
from _train_helpers import FakeGan, make_tiny_catalog, tiny_config_dict
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.config import RunConfig, build_run_config, write_config
from ganbench.train.checkpoint import load_checkpoint
from ganbench.train.interrupt import TrainingInterrupted, deferred_interrupt
from ganbench.train.logging import read_log
from ganbench.train.runs import train_run


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("interrupt") / "catalog", n=12)


@pytest.fixture
def sigint_at(monkeypatch: pytest.MonkeyPatch):
    """``sigint_at(k)``: the fake model sends itself SIGINT inside training step ``k`` (0-based)."""

    def arm(at_step: int) -> None:
        def hook(step: int) -> None:
            if step == at_step:
                os.kill(os.getpid(), signal.SIGINT)

        monkeypatch.setattr(FakeGan, "step_hook", staticmethod(hook))

    return arm


def _config(catalog: Path) -> RunConfig:  # checkpoints only at the end: an interrupt comes before any
    return build_run_config(tiny_config_dict(catalog, checkpoint_every=100), "test")


def _losses(run_dir: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "img_per_s"} for row in read_log(run_dir)]


def test_sigint_checkpoints_the_current_step_and_resume_continues_exactly(catalog, tmp_path, sigint_at):
    straight = train_run(_config(catalog), tmp_path / "straight")
    sigint_at(1)  # inside the second step, before any checkpoint was due
    with pytest.raises(TrainingInterrupted) as stopped:
        train_run(_config(catalog), tmp_path / "stopped")
    assert stopped.value.step == 2 and stopped.value.total == 6
    assert load_checkpoint(tmp_path / "stopped" / "checkpoint.pt")["step"] == 2
    assert not (tmp_path / "stopped" / "done.json").exists()
    assert [row["step"] for row in read_log(tmp_path / "stopped")] == [1, 2]
    FakeGan.step_hook = None
    resumed = train_run(_config(catalog), tmp_path / "stopped", resume=True)
    assert (resumed / "done.json").is_file()
    assert _losses(resumed) == _losses(straight)


def test_a_second_sigint_stops_at_once() -> None:
    with deferred_interrupt(lambda text: None) as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # pytest's own handler is back


def test_train_command_prints_the_resume_command_and_exits_130(catalog, tmp_path, sigint_at):
    config_file = tmp_path / "run.toml"
    write_config(_config(catalog), config_file)
    out = tmp_path / "my run"  # a space: the printed command must quote it
    sigint_at(3)
    result = CliRunner().invoke(main, ["train", "--config", str(config_file), "--out", str(out)])
    assert result.exit_code == 130, result.output
    assert "interrupted at step 4/6: checkpoint saved" in result.output
    command = next(line for line in result.output.splitlines() if line.startswith("continue with: "))
    assert command == f"continue with: ganbench train --out {shlex.quote(str(out))} --resume"
    FakeGan.step_hook = None
    resumed = CliRunner().invoke(main, shlex.split(command.removeprefix("continue with: "))[1:])
    assert resumed.exit_code == 0, resumed.output
    assert [row["step"] for row in read_log(out)] == [1, 2, 3, 4, 5, 6] and (out / "done.json").is_file()


def test_run_command_prints_how_to_resume_the_experiment(tmp_path, monkeypatch):
    experiment = tmp_path / "exp.toml"
    experiment.write_text('[run]\nname = "tiny"\nmodels = ["stackgan-bow"]\nseeds = [0]\n'
                          f'[data]\ncatalog = "{tmp_path / "catalog"}"\n', encoding="utf-8")
    steps = FakeSteps(interrupt="stackgan-bow/0")
    monkeypatch.setattr("ganbench.cli.experiment._pipeline", steps.pipeline)
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(experiment), "--out", str(out)])
    assert result.exit_code == 130, result.output
    assert "Aborted!" not in result.output
    assert f"continue with: ganbench run {experiment} --out {out} --resume" in result.output



@pytest.mark.slow  # real processes: scheduler-facing, like the torchrun tests
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2])
def test_scheduler_signals_checkpoint_the_step_and_exit_with_128_plus_the_signal(catalog, tmp_path, signum):
    """SIGTERM (torchrun, scancel, a time limit) and SIGUSR1/2 (SLURM's --signal warning, submitit's USR2)
    killed training mid-step, keeping only the last periodic checkpoint."""
    config_file, out = tmp_path / "run.toml", tmp_path / "run"
    write_config(_config(catalog), config_file)
    stopped = run_fake_ganbench(signum, 2, 0.0, "train", "--config", str(config_file), "--out", str(out))
    assert stopped.returncode == 128 + signum, stopped.stderr
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3
    assert [row["step"] for row in read_log(out)] == [1, 2, 3] and not (out / "done.json").exists()
    assert f"continue with: ganbench train --out {shlex.quote(str(out))} --resume" in stopped.stderr
    resumed = CliRunner().invoke(main, ["train", "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert _losses(out) == _losses(train_run(_config(catalog), tmp_path / "straight"))

"""StackGAN's learning-rate decay: ``train.lr_decay_every`` / ``train.lr_decay_factor``, counted per phase."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from _train_helpers import FakeGan, make_tiny_catalog, tiny_config_dict

from ganbench.config import ConfigError, RunConfig, TrainConfig, build_run_config
from ganbench.train.runs import train_run
from ganbench.train.schedule import phase_lr_schedule

LR = 1e-3


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("lr") / "catalog", n=12)


@pytest.fixture
def seen_rates(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, float, float]]:
    """(step, phase, generator lr, discriminator lr) at every training step of the fake model."""
    seen: list[tuple[int, str, float, float]] = []
    original = FakeGan.train_step

    def recording(self, batch, step, phase):
        rates = [self.optimizers[name].param_groups[0]["lr"] for name in ("generator", "discriminator")]
        seen.append((step, phase, *rates))
        return original(self, batch, step, phase)

    monkeypatch.setattr(FakeGan, "train_step", recording)
    return seen


def _config(catalog: Path, **train) -> RunConfig:
    values = tiny_config_dict(catalog, stage1_steps=5, stage2_steps=3, lr=LR, **train)
    return build_run_config(values, "test")


def _rates(every: int, factor: float, steps: int, resume_at: int = 0) -> list[float]:
    """The rate before each of ``steps`` steps of a phase resumed ``resume_at`` steps in."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR)
    rates = phase_lr_schedule({"only": optimizer}, TrainConfig(lr_decay_every=every, lr_decay_factor=factor),
                              resume_at)
    seen = []
    for _ in range(resume_at, steps):
        rates.before_step()
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
    return seen


def test_step_schedule_decays_every_interval_resumes_exactly_and_is_off_at_zero():
    assert _rates(2, 0.5, 6) == [LR * k for k in (1, 1, 0.5, 0.5, 0.25, 0.25)]
    assert _rates(3, 0.3, 10)[4:] == _rates(3, 0.3, 10, resume_at=4)  # bit for bit, not approximately
    assert _rates(0, 0.5, 4) == [LR] * 4


def test_rates_halve_on_schedule_and_restart_with_each_phase(catalog, tmp_path, seen_rates):
    train_run(_config(catalog, lr_decay_every=2, lr_decay_factor=0.5), tmp_path / "run")
    scales = [1, 1, 0.5, 0.5, 0.25] + [1, 1, 0.5]  # Stage I then Stage II, each from the full rate
    assert [(s, p) for s, p, _, _ in seen_rates] == [(s, "stage1") for s in range(5)] + [
        (s, "stage2") for s in range(5, 8)]
    assert [g for _, _, g, _ in seen_rates] == pytest.approx([LR * k for k in scales])
    assert [d for _, _, _, d in seen_rates] == pytest.approx([LR * k for k in scales])


def test_resume_continues_the_schedule(catalog, tmp_path, seen_rates):
    config = _config(catalog, lr_decay_every=2, lr_decay_factor=0.5)
    train_run(config, tmp_path / "straight")
    straight = list(seen_rates)
    seen_rates.clear()
    train_run(config, tmp_path / "resumed", stop_after=3)  # stops inside Stage I, after one halving
    train_run(config, tmp_path / "resumed", resume=True)
    assert seen_rates == straight


def test_off_by_default(catalog, tmp_path, seen_rates):
    train_run(_config(catalog), tmp_path / "run")
    assert {g for _, _, g, _ in seen_rates} == {LR}


@pytest.mark.parametrize(("key", "value"), [("lr_decay_every", -1), ("lr_decay_factor", 0.0),
                                            ("lr_decay_factor", 1.5)])
def test_impossible_values_are_refused(catalog, key, value):
    with pytest.raises(ConfigError, match=f"'train.{key}' must be"):
        _config(catalog, **{key: value})

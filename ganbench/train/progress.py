"""Training progress on the console: a tqdm bar per phase on a terminal; one plain line every
``train.log_every`` steps when stdout is not a terminal (a file, a pipe, CI), with no carriage returns or
cursor codes, so a redirected log reads line by line.

A plain line (``label`` is the model's name)::

    restgan step 120/930 stage1: d_loss=3.21 g_loss=7.43 kl=0.0012 | 54.3 img/s | ETA 2m31s

The ETA assumes the remaining steps of the run go at the steps per second measured so far in this phase.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping

from tqdm.auto import tqdm


def stdout_is_terminal() -> bool:
    """Whether progress bars belong on the console (stdout is a terminal)."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def format_duration(seconds: float) -> str:
    """``3725`` -> ``"1h02m"``, ``151`` -> ``"2m31s"``, ``45`` -> ``"45s"``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def plain_line(label: str, step: int, total: int, phase: str, losses: Mapping[str, float], rate: float,
               eta_seconds: float | None) -> str:
    """One log line: step/total, phase, losses, images per second and the time left."""
    values = " ".join(f"{name}={value:.4g}" for name, value in losses.items())
    eta = format_duration(eta_seconds) if eta_seconds is not None else "?"
    prefix = f"{label} " if label else ""
    return f"{prefix}step {step}/{total} {phase}: {values} | {rate:.1f} img/s | ETA {eta}"


class TrainingProgress:
    """What the trainer shows while it runs; ``plain=None`` chooses by whether stdout is a terminal."""

    def __init__(self, label: str = "", plain: bool | None = None) -> None:
        self.label = label
        self.plain = (not stdout_is_terminal()) if plain is None else plain
        self.total = 0
        self._bar: tqdm | None = None
        self._phase_start = (0, 0.0)  # (step, time) where this phase began in this session

    def begin(self, total_steps: int) -> None:
        self.total = total_steps

    def start_phase(self, name: str, first: int, phase_start: int, phase_stop: int) -> None:
        """Phase ``name`` covers global steps [phase_start, phase_stop); this session starts at ``first``."""
        self._phase_start = (first, time.perf_counter())
        if not self.plain:
            self._bar = tqdm(total=phase_stop - phase_start, initial=first - phase_start, desc=name,
                             leave=False)

    def step(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def log(self, done: int, phase: str, losses: Mapping[str, float], rate: float) -> None:
        """Called every ``log_every`` steps with the losses of step ``done`` and the recent img/s."""
        if self._bar is not None:
            self._bar.set_postfix({**{k: f"{v:.3g}" for k, v in losses.items()}, "img/s": f"{rate:.1f}"})
            return
        first, since = self._phase_start
        elapsed = time.perf_counter() - since
        eta = (self.total - done) * elapsed / (done - first) if done > first and elapsed > 0 else None
        self.write(plain_line(self.label, done, self.total, phase, losses, rate, eta))

    def end_phase(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def write(self, text: str) -> None:
        """A message that does not break a bar on a terminal; a flushed line otherwise."""
        if self.plain:
            print(text, flush=True)
        else:
            tqdm.write(text)

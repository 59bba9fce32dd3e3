"""A ``ganbench`` command in a real child process with the fake model registered, for tests that send
real signals or start several trainings at once (``fake_ganbench(tests_dir, signum, at_step, pause, *args)``).

In the child: inside training step ``at_step`` the process sends itself ``signum`` twice (0: none), and
every step sleeps ``pause`` seconds (so two trainings surely overlap)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _run_helpers import FakeSteps

WORKER = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from _train_helpers import FakeGan
from ganbench.cli import main

signum, at_step, pause = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def hook(step):
    time.sleep(pause)
    if signum and step == at_step:  # twice: SLURM's SIGTERM after its warning must not cut the save short
        os.kill(os.getpid(), signum)
        os.kill(os.getpid(), signum)
FakeGan.step_hook = staticmethod(hook)
main(sys.argv[5:])
"""
TESTS = Path(__file__).resolve().parent


def fake_ganbench_command(signum: int, at_step: int, pause: float, *args: str) -> list[str]:
    return [sys.executable, "-c", WORKER, str(TESTS), str(int(signum)), str(at_step), str(pause), *args]


def run_fake_ganbench(signum: int, at_step: int, pause: float, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(fake_ganbench_command(signum, at_step, pause, *args), capture_output=True,
                          text=True, timeout=300)


class KillingSteps(FakeSteps):
    """Fake steps whose training of ``victim`` (a model name) kills its own process with SIGKILL, as the
    out-of-memory killer would; every other training takes ``pause`` seconds (so it is still running)."""

    def __init__(self, victim: str, pause: float = 3.0) -> None:
        super().__init__()
        self.victim, self.pause = victim, pause

    def train(self, config, run_dir: Path, resume: bool) -> None:
        if config.model.name == self.victim:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.pause)
        super().train(config, run_dir, resume)

"""The torchrun train step of a multi-GPU cell, with stand-in commands (real processes, real signals):
output reaches the job log, a failure names the worker's error, a stop signal reaches the child."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading

from ganbench.run.torchrun import run_streamed, torchrun_command, worker_error

BANNER = """
print("step 10/100 loss 0.5", flush=True)
print("Error: cannot resume runs/r1: the configuration differs", flush=True)
print("torch.distributed.elastic.multiprocessing.errors.ChildFailedError:", flush=True)
print("============================================================", flush=True)
raise SystemExit(1)
"""

TRAPS_SIGTERM = """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: (print("saved at the step", flush=True), sys.exit(143)))
print("training", flush=True)
time.sleep(60)
"""


def test_output_streams_to_the_log_and_the_worker_error_is_reported() -> None:
    """The launcher captured torchrun's output (no progress in job logs) and reported its banner."""
    log = io.StringIO()
    code, tail, signum = run_streamed([sys.executable, "-c", BANNER], log)
    assert code == 1 and signum == 0
    assert "step 10/100 loss 0.5" in log.getvalue()
    assert worker_error(tail) == "Error: cannot resume runs/r1: the configuration differs"


def test_a_stop_signal_is_passed_to_torchrun_as_sigterm() -> None:
    log = io.StringIO()
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGUSR2))
    timer.start()
    code, tail, signum = run_streamed([sys.executable, "-c", TRAPS_SIGTERM], log)
    timer.join()
    assert signum == signal.SIGUSR2 and code == 143
    assert "saved at the step" in log.getvalue()


def test_torchrun_command_restarts_and_resumes_if_a_checkpoint_exists(tmp_path) -> None:
    command = torchrun_command(4, 2, tmp_path / "c.toml", tmp_path / "run")
    assert command[command.index("--max-restarts") + 1] == "2"
    assert command[command.index("--nproc-per-node") + 1] == "4"
    assert command[-1] == "--resume-if-checkpoint"

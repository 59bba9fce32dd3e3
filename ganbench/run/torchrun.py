"""The train step of a multi-GPU cell: ``torchrun --nproc-per-node N -m ganbench train`` on the node.

- Output is not swallowed: torchrun's lines go to this job's log as they come (the job's stdout), and a
  failure is reported by the worker's own error (its ``Error:`` line or exception line), not torchrun's
  ``ChildFailedError`` banner.
- Stop signals (SIGTERM, SIGUSR1, SIGUSR2, Ctrl-C) that reach the cell's process are passed to torchrun
  as SIGTERM, which hands it to its workers: they finish the step, save and exit; then the cell raises
  :class:`~ganbench.train.interrupt.TrainingInterrupted` with the signal, so the cell job can be requeued.
- ``max_restarts`` (``launcher.max_restarts``) becomes ``--max-restarts``; the workers run with
  ``--resume-if-checkpoint``, so a restarted group continues from the last checkpoint.
"""

from __future__ import annotations

import collections
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from ganbench.train.interrupt import TrainingInterrupted, deferred_interrupt

TAIL_LINES = 200
_ERROR_LINE = re.compile(r"^(Error: |[\w.]*(Error|Exception|Interrupt)\b: )")


def torchrun_command(processes: int, max_restarts: int, config_file: Path, run_dir: Path) -> list[str]:
    """The torchrun command line of one cell's training on this node."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(processes),
            "--max-restarts", str(max_restarts), "-m", "ganbench", "train", "--config", str(config_file),
            "--out", str(run_dir), "--resume-if-checkpoint"]


def worker_error(lines: list[str]) -> str:
    """The worker's own error among torchrun's output (not the launcher's banner), or the last line."""
    errors = [line.strip() for line in lines if _ERROR_LINE.match(line.strip())
              and "ChildFailedError" not in line]
    shown = [line.strip() for line in lines if line.strip()]
    return errors[-1] if errors else (shown[-1] if shown else "no output")


def _echo(stream: TextIO, out: TextIO, tail: collections.deque) -> None:
    for line in stream:
        out.write(line)
        out.flush()
        tail.append(line)


def run_streamed(command: list[str], out: TextIO = sys.stdout) -> tuple[int, list[str], int]:
    """Run ``command``, echoing its output to ``out``; returns (exit code, the last lines, the stop signal
    that came meanwhile or 0). A stop signal is passed on to the child as SIGTERM."""
    tail: collections.deque = collections.deque(maxlen=TAIL_LINES)
    with deferred_interrupt(lambda text: out.write(text + "\n")) as request:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        reader = threading.Thread(target=_echo, args=(process.stdout, out, tail), daemon=True)
        reader.start()
        forwarded = False
        while process.poll() is None:
            if request.requested and not forwarded:
                process.send_signal(signal.SIGTERM)
                forwarded = True
            try:
                process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        reader.join(timeout=5)
    return process.returncode, list(tail), request.signum


class TorchrunTrain:
    """A pipeline ``train`` step that trains through torchrun with ``processes`` per node."""

    def __init__(self, processes: int, max_restarts: int = 0) -> None:
        self.processes, self.max_restarts = processes, max_restarts

    def __call__(self, config: Any, run_dir: Path, resume: bool) -> Path:
        from ganbench.config import write_config

        config_file = Path(run_dir).parent / "train_config.toml"
        config_file.parent.mkdir(parents=True, exist_ok=True)
        write_config(config, config_file)
        code, tail, signum = run_streamed(torchrun_command(self.processes, self.max_restarts, config_file,
                                                           Path(run_dir)))
        if signum:
            raise TrainingInterrupted(_saved_step(Path(run_dir)), None, signum)
        if code != 0:
            raise RuntimeError(f"torchrun training failed (exit {code}): {worker_error(tail)}")
        return Path(run_dir)


def _saved_step(run_dir: Path) -> int:
    """The step of the run's checkpoint (-1 when there is none)."""
    from ganbench.train.checkpoint import load_checkpoint

    path = run_dir / "checkpoint.pt"
    return int(load_checkpoint(path, "cpu")["step"]) if path.is_file() else -1

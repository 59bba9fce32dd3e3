"""Ctrl-C, SIGTERM, SIGUSR1 or SIGUSR2 during training: finish the current step, checkpoint it, then stop.

Inside :func:`deferred_interrupt` the first of those signals only records itself; the training loop reads
the record after every step (so the checkpoint holds a whole step, and resuming continues exactly) and
raises :class:`TrainingInterrupted`, which names the signal. Why all four: schedulers stop jobs with them
(torchrun forwards SIGTERM to its workers and kills them 30 s later; SLURM sends SIGTERM at the time limit
or on ``scancel``, and ``--signal=USR1@T`` / submitit's ``USR2@90`` a warning before it), and any of them
left to Python's default kills the process mid-step, losing up to ``train.checkpoint_every`` steps.

A second SIGINT raises ``KeyboardInterrupt`` at once (a person pressing Ctrl-C twice); repeated scheduler
signals (SLURM's SIGTERM after its USR2 warning) are noted and wait for the save. After the block the
handlers found before it are back, so the caller can hand the signal on (:func:`exit_code`,
``signal.raise_signal``). Signal handlers exist only in the main thread: elsewhere the block changes
nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2)


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on a stop signal (``signum``) after saving a checkpoint at ``step`` (a
    ``KeyboardInterrupt``, so callers that do not know it still stop)."""

    def __init__(self, step: int, total: int | None = None, signum: int = signal.SIGINT) -> None:
        shown = f"{step}/{total}" if total is not None else str(step)
        super().__init__(f"interrupted ({signal.Signals(signum).name}) at step {shown}; checkpoint saved")
        self.step, self.total, self.signum = step, total, int(signum)


def exit_code(signum: int) -> int:
    """The shell's exit status for a process stopped by ``signum`` (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + int(signum)


class InterruptRequest:
    """Set by the first stop signal inside :func:`deferred_interrupt`; ``signum`` is that signal."""

    def __init__(self) -> None:
        self.signum = 0

    @property
    def requested(self) -> bool:
        return self.signum != 0


@contextlib.contextmanager
def deferred_interrupt(announce: Callable[[str], None] = print) -> Iterator[InterruptRequest]:
    request = InterruptRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def on_signal(signum, frame) -> None:
        name = signal.Signals(signum).name
        if request.requested:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            announce(f"{name}: already stopping after this step")
            return
        request.signum = signum
        again = " (Ctrl-C again to stop at once)" if signum == signal.SIGINT else ""
        announce(f"{name}: stopping after this step to save a checkpoint{again}")

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    try:
        yield request
    finally:
        for signum, handler in previous.items():
            fallback = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
            signal.signal(signum, handler if handler is not None else fallback)


def ignore_sigint(_worker_id: int = 0) -> None:
    """DataLoader ``worker_init_fn``: workers leave every stop signal to the main process, which stops
    cleanly (a worker killed by a SIGTERM sent to the whole process group would fail the step)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)

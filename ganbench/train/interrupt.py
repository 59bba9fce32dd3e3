"""Ctrl-C during training: finish the current step, checkpoint it, then stop.

Inside :func:`deferred_interrupt` the first SIGINT only sets a flag that the training loop reads after
every step (so the checkpoint holds a whole step, and resuming continues exactly); a second SIGINT
raises ``KeyboardInterrupt`` at once, as usual. Signal handlers exist only in the main thread: elsewhere
the block changes nothing (Ctrl-C is delivered to the main thread anyway).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on Ctrl-C after saving a checkpoint at ``step`` (a ``KeyboardInterrupt``, so
    callers that do not know it still stop)."""

    def __init__(self, step: int, total: int | None = None) -> None:
        shown = f"{step}/{total}" if total is not None else str(step)
        super().__init__(f"interrupted at step {shown}; checkpoint saved")
        self.step, self.total = step, total


class InterruptRequest:
    """Set by the first Ctrl-C inside :func:`deferred_interrupt`."""

    def __init__(self) -> None:
        self.requested = False


@contextlib.contextmanager
def deferred_interrupt(announce: Callable[[str], None] = print) -> Iterator[InterruptRequest]:
    request = InterruptRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def on_sigint(signum, frame) -> None:
        if request.requested:
            raise KeyboardInterrupt
        request.requested = True
        announce("interrupt: stopping after this step to save a checkpoint (Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def ignore_sigint(_worker_id: int = 0) -> None:
    """DataLoader ``worker_init_fn``: workers leave Ctrl-C to the main process, which stops cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

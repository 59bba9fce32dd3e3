"""One builder at a time for a file stored with the catalog (text encoders, the evaluation network).

With ``ganbench run --jobs N`` two workers can ask for the same not-yet-stored file at once (two seeds of a
model want its pretrained text encoder). Each used to build its own and the last writer's copy stayed
stored, so a cell could train with an encoder other than the stored one. Under this lock the second worker
waits, then finds the file and loads it. ``fcntl.flock`` locks are released by the kernel when the holder
dies, so a crashed worker never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".build.lock"


@contextmanager
def build_lock(directory: Path, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold ``directory/.build.lock`` exclusively (``directory`` is made); without a writable place for it
    (a read-only catalog) no lock is taken and each process builds for itself, as before."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / LOCK_FILE, "a")  # noqa: SIM115 (closed below)
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another process that is building {directory}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

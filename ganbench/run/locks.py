"""One worker per cell: a lock file in the cell folder, claimed atomically, naming its holder.

``cells/NAME/lock.json`` holds ``{host, pid, job_id, started_at, restart}`` and is created with ``O_CREAT |
O_EXCL`` (atomic on local and NFS v3+ file systems), so of two workers claiming a cell at once one wins.
While the cell works, a daemon thread touches the file every ``HEARTBEAT_SECONDS``.

A lock is *stale* (its holder is gone, the cell may be claimed again) when:
- it names this host and a process that no longer exists, or
- it names the job this process runs in with an earlier restart count (a SLURM job requeued after
  preemption or a time limit comes back with the same job id and ``SLURM_RESTART_COUNT`` one higher,
  possibly on another node; two tasks of one job, as ``srun -n2`` starts them, share the job id and the
  count, so neither takes the other's cell), or
- it names this job with the same requeue count but an earlier ``TORCHELASTIC_RESTART_COUNT`` (torchrun
  ``--max-restarts`` restarted the workers, maybe rank 0 on another node), or
- its heartbeat is older than ``STALE_AFTER_SECONDS`` (another host whose process we cannot see).
A stale lock is reported (who held it, since when) and replaced; a live one is left alone.

Claiming and taking over happen under an exclusive ``fcntl.flock`` on ``lock.guard`` beside the lock (never
deleted, so every worker locks the same inode; the kernel releases it if the holder dies): read, judge
stale, delete and claim are one step, so of two workers that both saw a stale lock only the first takes
it; the second then reads the first one's live lock and stands back. (A plain read-delete-claim let the
second delete the first one's fresh lock and claim the cell too.)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOCK_FILE = "lock.json"
GUARD_FILE = "lock.guard"  # flock-ed around every claim and takeover
HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 600.0


def current_job_id() -> str:
    """The cluster job this process runs in (SLURM array jobs as ``JOB_TASK``; outside SLURM a torchrun
    run as ``torchrun-RUN_ID``), or ``""``."""
    array_job, task = os.environ.get("SLURM_ARRAY_JOB_ID"), os.environ.get("SLURM_ARRAY_TASK_ID")
    if array_job and task:
        return f"{array_job}_{task}"
    elastic = os.environ.get("TORCHELASTIC_RUN_ID", "")
    return os.environ.get("SLURM_JOB_ID", "") or (f"torchrun-{elastic}" if elastic else "")


def _count(variable: str) -> int:
    try:
        return int(os.environ.get(variable, "0"))
    except ValueError:
        return 0


def current_restart() -> int:
    """How often SLURM has requeued this job (``SLURM_RESTART_COUNT``; 0 outside SLURM or when unset)."""
    return _count("SLURM_RESTART_COUNT")


def current_elastic_restart() -> int:
    """How often torchrun has restarted this worker group (``TORCHELASTIC_RESTART_COUNT``; 0 outside)."""
    return _count("TORCHELASTIC_RESTART_COUNT")


@dataclass(frozen=True)
class LockHolder:
    host: str
    pid: int
    job_id: str
    started_at: str
    restart: int = 0
    elastic_restart: int = 0

    @classmethod
    def me(cls) -> LockHolder:
        return cls(socket.gethostname(), os.getpid(), current_job_id(),
                   datetime.now(UTC).isoformat(timespec="seconds"), current_restart(),
                   current_elastic_restart())

    def describe(self) -> str:
        job = f", job {self.job_id}" if self.job_id else ""
        return f"host {self.host}, pid {self.pid}{job}, since {self.started_at}"


@dataclass(frozen=True)
class LockState:
    """What a cell's lock file says: no lock, a live holder, or a stale one (and why)."""

    holder: LockHolder | None
    stale_reason: str = ""
    age_seconds: float = 0.0

    @property
    def held(self) -> bool:
        return self.holder is not None and not self.stale_reason


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_lock(folder: Path, now: float | None = None) -> LockState:
    """The state of ``folder``'s lock; an unreadable lock file counts as stale."""
    path = Path(folder) / LOCK_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        holder = LockHolder(str(data["host"]), int(data["pid"]), str(data.get("job_id", "")),
                            str(data.get("started_at", "")), int(data.get("restart", 0)),
                            int(data.get("elastic_restart", 0)))
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return LockState(None)
    except (ValueError, KeyError, TypeError, OSError):
        return LockState(LockHolder("?", 0, "", ""), "the lock file is unreadable")
    me = LockHolder.me()
    if holder.host == me.host and holder.pid != me.pid and not _process_exists(holder.pid):
        return LockState(holder, f"process {holder.pid} no longer runs on {holder.host}", age)
    if holder.job_id and holder.job_id == me.job_id and holder.restart < me.restart:
        return LockState(holder, f"job {holder.job_id} was restarted (requeued: restart {holder.restart} -> "
                                 f"{me.restart})", age)
    if holder.job_id and holder.job_id == me.job_id and (holder.restart, holder.elastic_restart) < (
            me.restart, me.elastic_restart):
        return LockState(holder, f"torchrun restarted the workers of job {holder.job_id} (restart "
                                 f"{holder.elastic_restart} -> {me.elastic_restart})", age)
    if age > STALE_AFTER_SECONDS:
        return LockState(holder, f"no heartbeat for {age / 60:.0f} min", age)
    return LockState(holder, "", age)


class CellBusy(RuntimeError):
    """The cell is being worked on by another worker (named in the message)."""

    def __init__(self, folder: Path, holder: LockHolder) -> None:
        super().__init__(f"{Path(folder).name} is in use by another worker ({holder.describe()})")
        self.folder, self.holder = Path(folder), holder


@contextlib.contextmanager
def _guarded(guard: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``guard`` for the duration of the block (waits for other holders)."""
    handle = os.open(guard, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the flock


class CellLock:
    """``with CellLock(folder, log):`` holds the cell or raises :class:`CellBusy`; a stale lock is logged
    and taken over. The lock is removed on exit (also on errors), the heartbeat stops."""

    def __init__(self, folder: Path, log: Any = print) -> None:
        self.path = Path(folder) / LOCK_FILE
        self.log = log
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __enter__(self) -> CellLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _guarded(self.path.parent / GUARD_FILE):
            if not self._claim():
                state = read_lock(self.path.parent)
                if state.held or state.holder is None:  # (None: released between our claim and read)
                    raise CellBusy(self.path.parent, state.holder or LockHolder("?", 0, "", ""))
                self.log(f"{self.path.parent.name}: stale lock ({state.holder.describe()}: "
                         f"{state.stale_reason}); taking the cell over")
                self.path.unlink(missing_ok=True)
                if not self._claim():  # only a worker that ignores the guard gets here
                    raise CellBusy(self.path.parent, read_lock(self.path.parent).holder
                                   or LockHolder("?", 0, "", ""))
        self._beat = threading.Thread(target=self._heartbeat, daemon=True)
        self._beat.start()
        return self

    def _claim(self) -> bool:
        try:
            handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(LockHolder.me().__dict__, out)
        return True

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                os.utime(self.path)
            except OSError:
                return

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=1)
        self.path.unlink(missing_ok=True)

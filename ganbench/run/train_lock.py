"""One training per run folder: ``ganbench train`` holds the run folder's lock while it trains.

Why: ``srun -n4 ganbench train --out runs/r1`` (four tasks, no torchrun) starts four processes that each
see no ``RANK`` and each think they are a single training; without a lock all four wrote one checkpoint.
With it the first task trains and the others stop at once, naming the holder. Under torchrun the ranks
are one training, so rank 0 alone holds the lock. A torchrun ``--max-restarts`` restart finds its
predecessor's lock stale (a dead process on this host, or a lower ``TORCHELASTIC_RESTART_COUNT`` in the
same job) and takes it over, see :mod:`ganbench.run.locks`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ganbench.run.locks import CellLock


@contextlib.contextmanager
def run_folder_lock(run_dir: Path, main_rank: bool = True, log=print) -> Iterator[None]:
    """Hold ``run_dir``'s lock (on the main rank) for the block; raises
    :class:`~ganbench.run.locks.CellBusy` when another training holds it."""
    if not main_rank:
        yield
        return
    with CellLock(run_dir, log):
        yield

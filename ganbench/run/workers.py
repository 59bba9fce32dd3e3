"""``--jobs N``: cells in N worker processes at once, each cell in a process of its own.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its workers dies (the OOM killer,
``kill -9``) the whole pool is broken and every cell still in it fails with ``BrokenProcessPool``. Here a
fresh ``spawn`` process runs each cell and sends its outcome back over a pipe; a process that ends without
one is reported as a failed cell (with its exit signal, an ``error.txt`` and its lock released), and the
other cells go on. Each of the N slots keeps its GPU (when several are visible) or gets 1/N of the CPU
threads, since N workers each taking every core oversubscribe them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ganbench.run.cells import Cell
from ganbench.run.locks import LOCK_FILE, read_lock
from ganbench.run.runner import ERROR_FILE, CellOutcome, Pipeline, run_cell

Log = Callable[[str], None]


def _cell_worker(conn: Connection, device: int | None, cpu_threads: int, cell: Cell, results_dir: Path,
                 catalog: Path, pipeline: Pipeline) -> None:
    """One cell in this process (pinned to ``device`` or ``cpu_threads``); its outcome goes to ``conn``."""
    if device is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(device)
    else:
        import torch

        torch.set_num_threads(cpu_threads)
    conn.send(run_cell(cell, results_dir, catalog, pipeline))
    conn.close()


@dataclass
class _Running:
    cell: Cell
    process: Any  # a multiprocessing Process
    conn: Connection
    slot: int


def _died(running: _Running, results_dir: Path) -> CellOutcome:
    """The outcome of a worker that ended without one: error.txt written, its lock released."""
    code = running.process.exitcode
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    error = (f"the worker process running this cell (pid {running.process.pid}) died ({how}) without a "
             "result, e.g. killed by the out-of-memory killer; resume with --resume")
    folder = running.cell.folder(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ERROR_FILE).write_text(error + "\n", encoding="utf-8")
    state = read_lock(folder)
    if state.holder is not None and state.holder.pid == running.process.pid:
        (folder / LOCK_FILE).unlink(missing_ok=True)
    return CellOutcome(running.cell, "failed", error=error)


def run_in_processes(cells: list[Cell], results_dir: Path, catalog: Path, pipeline: Pipeline, jobs: int,
                     log: Log) -> dict[str, CellOutcome]:
    """Run ``cells`` at most ``jobs`` at a time, one process per cell; one outcome per cell."""
    import torch

    context = multiprocessing.get_context("spawn")
    gpus = torch.cuda.device_count()
    cpu_threads = max(1, torch.get_num_threads() // jobs)
    log(f"running {len(cells)} cell(s), {jobs} at once" + (f" on {gpus} GPU(s)" if gpus else
                                                           f", {cpu_threads} CPU thread(s) each"))
    waiting, running, outcomes = list(cells), [], {}
    free_slots = list(range(jobs))
    while waiting or running:
        while waiting and free_slots:
            cell, slot = waiting.pop(0), free_slots.pop(0)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_cell_worker, args=(
                send, slot % gpus if gpus else None, cpu_threads, cell, results_dir, catalog, pipeline))
            process.start()
            send.close()
            running.append(_Running(cell, process, receive, slot))
        wait([r.process.sentinel for r in running] + [r.conn for r in running])
        for done in [r for r in running if r.conn.poll() or not r.process.is_alive()]:
            outcome = _receive(done, results_dir)
            running.remove(done)
            free_slots.append(done.slot)
            outcomes[done.cell.name] = outcome
            detail = outcome.error or outcome.warning
            log(f"{done.cell.name}: {outcome.status}" + (f" ({detail})" if detail else ""))
    return outcomes


def _receive(running: _Running, results_dir: Path) -> CellOutcome:
    """The outcome the worker sent, or (it died first) a failed one."""
    try:
        outcome = running.conn.recv() if running.conn.poll() else None
    except (EOFError, OSError):
        outcome = None
    running.process.join()
    running.conn.close()
    return outcome if outcome is not None else _died(running, results_dir)

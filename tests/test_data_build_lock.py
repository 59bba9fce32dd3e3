"""build_lock: two processes wanting the same stored file build it once; a read-only place takes no lock."""

import multiprocessing
import time
from pathlib import Path

from ganbench.data.build_lock import build_lock


def _build_once(directory: str) -> None:
    target = Path(directory) / "built.txt"
    with build_lock(Path(directory), log=lambda _: None):
        if target.is_file():
            return
        time.sleep(0.5)  # long enough that the other process arrives while this one builds
        with open(Path(directory).parent / "builds.log", "a") as log:
            log.write("built\n")
        Path(directory).mkdir(exist_ok=True)
        target.write_text("done")


def test_two_processes_build_the_stored_file_once(tmp_path):
    directory = tmp_path / "store" / "KEY"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_build_once, args=(str(directory),)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert (tmp_path / "store" / "builds.log").read_text() == "built\n"


def test_without_a_writable_place_the_build_runs_unlocked(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    ran = []
    with build_lock(blocker / "sub" / "KEY", log=lambda _: None):  # its parent cannot be made
        ran.append(True)
    assert ran == [True]

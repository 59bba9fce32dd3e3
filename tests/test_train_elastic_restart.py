"""A real elastic restart: ``torchrun --max-restarts 1 ... ganbench train --resume-if-checkpoint`` (gloo,
CPU, tiny sizes) whose rank 0 is SIGKILLed once a checkpoint exists. torchrun restarts the worker group,
the new rank 0 takes its dead predecessor's run-folder lock over, and training resumes from the checkpoint
to a complete run folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _train_helpers import make_tiny_catalog
from test_train_distributed import REPO, _write_config

from ganbench.train.logging import read_log
from ganbench.train.runs import load_run

STAGE1, STAGE2, CHECKPOINT_EVERY = 400, 10, 10


def _descendants(root: int) -> list[int]:
    """Every live process below ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def _first_rank0(torchrun: subprocess.Popen, run_dir: Path, deadline: float) -> int:
    """The pid of the first attempt's rank 0 once the run folder holds a checkpoint."""
    while time.monotonic() < deadline:
        assert torchrun.poll() is None, "torchrun ended before a checkpoint was written"
        if (run_dir / "checkpoint.pt").is_file():
            for pid in _descendants(torchrun.pid):
                env = _environ(pid)
                if env.get("RANK") == "0" and env.get("TORCHELASTIC_RESTART_COUNT") == "0":
                    return pid
        time.sleep(0.05)
    raise AssertionError("no checkpoint and rank 0 within the time limit")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="finds the worker through /proc")
def test_torchrun_restarts_a_killed_rank_and_resumes_from_the_checkpoint(tmp_path: Path) -> None:
    catalog = make_tiny_catalog(tmp_path / "catalog", n=12)
    config, run_dir = _write_config(tmp_path / "run.toml", catalog), tmp_path / "run"
    env = os.environ | {"PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                        "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "--max-restarts", "1", "-m", "ganbench", "train", "--config", str(config),
               "--out", str(run_dir), "--resume-if-checkpoint", "--set", f"train.stage1_steps={STAGE1}",
               "--set", f"train.stage2_steps={STAGE2}", "--set", f"train.checkpoint_every={CHECKPOINT_EVERY}"]
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        torchrun = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
        try:
            victim = _first_rank0(torchrun, run_dir, time.monotonic() + 180)
            os.kill(victim, signal.SIGKILL)
            killed_at = load_run(run_dir).step  # the checkpoint the restart resumes from (or a later one)
            returncode = torchrun.wait(timeout=300)
        finally:
            if torchrun.poll() is None:
                torchrun.kill()
                torchrun.wait()
    stdout_text, stderr_text = out.read_text(), err.read_text()
    assert returncode == 0, stderr_text[-3000:]
    assert 0 < killed_at < STAGE1 + STAGE2, "the kill must land mid-training"
    starts = [int(line.rsplit("from step ", 1)[1].split()[0]) for line in stdout_text.splitlines()
              if "from step " in line]
    assert starts[0] == 0 and len(starts) == 2, stdout_text[-3000:]
    assert starts[1] >= killed_at and starts[1] % CHECKPOINT_EVERY == 0  # resumed, not restarted from 0
    assert "stale" in stdout_text + stderr_text  # the dead rank 0's lock, taken over
    assert json.loads((run_dir / "done.json").read_text())["step"] == STAGE1 + STAGE2
    assert load_run(run_dir).finished
    assert [row["step"] for row in read_log(run_dir)] == list(range(1, STAGE1 + STAGE2 + 1))
    assert not (run_dir / "lock.json").exists()  # released at the end

"""Where a result came from: the code's git commit (and whether its tree had changes), the date, the exact
command, the hardware, the precision, the versions and the wall time of the process.

Written into every ``metrics.json`` (``provenance``) and, by ``ganbench run``, into ``run_summary.json``;
the report shows both (:mod:`ganbench.report.provenance`). Choices (ours): the commit is that of the
checkout ganbench is imported from (not of the working directory), found with ``git`` when it is on the
PATH, else null with the reason; "dirty" counts changes to the tracked code only (the packages and
pyproject.toml: a committed results folder being rewritten by the run, or an edited doc, does not make the
code dirty); the CPU model comes from /proc/cpuinfo (lscpu's source) or,
elsewhere, :func:`platform.processor`; the wall time is that of the whole process (on Linux from its
start time in /proc, so a ``ganbench run`` counts its catalog, training, evaluation and calibration).
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ganbench.version import __version__

SOURCE_DIR = Path(__file__).resolve().parent.parent
IMPORTED_AT = time.time()  # the fallback start of the process where /proc is not available
GIT_TIMEOUT_S = 10
PACKAGES = ("ganbench", "torch", "torch-fidelity", "numpy")
CODE_PATHS = ("ganbench", "restgan", "baselines", "colorspace", "pyproject.toml")  # what "dirty" looks at


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(SOURCE_DIR.parent), *args], capture_output=True, text=True,
                          timeout=GIT_TIMEOUT_S, check=True)
    return done.stdout.strip()


@lru_cache(maxsize=1)
def git_state() -> dict:
    """``{"commit", "dirty"}`` of the checkout ganbench runs from, or ``{"commit": None, "why"}``."""
    try:
        commit = _git("rev-parse", "HEAD")
        code = [path for path in CODE_PATHS if (SOURCE_DIR.parent / path).exists()]
        dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", *code))
    except (OSError, subprocess.SubprocessError) as error:
        reason = "not a git checkout" if isinstance(error, subprocess.CalledProcessError) else str(error)
        return {"commit": None, "dirty": None, "why": reason}
    return {"commit": commit, "dirty": dirty}


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (what lscpu prints as "Model name")."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.split(":")[0].strip() in ("model name", "Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def gpu_name(device: str) -> str | None:
    """The CUDA device's name when ``device`` is a CUDA device, else None."""
    if not str(device).startswith("cuda"):
        return None
    import torch

    return torch.cuda.get_device_name(torch.device(device))


def process_seconds() -> float:
    """Wall seconds since this process started (Linux: from /proc; elsewhere: since ganbench was imported)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return max(0.0, time.time() - (boot + ticks / os.sysconf("SC_CLK_TCK")))
    except (OSError, ValueError, IndexError, StopIteration):
        return time.time() - IMPORTED_AT


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = __version__ if package == "ganbench" else "not installed"
    return found


def provenance(device: str | None = None, precision: str | None = None) -> dict:
    """The provenance block of the module doc, for work done on ``device`` in ``precision`` (None: the
    caller does not know one, e.g. ``ganbench run``, whose cells record their own)."""
    return {
        "git": git_state(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "",
        "cpu": cpu_model(),
        "cpu_cores": os.cpu_count(),
        "gpu": gpu_name(device) if device is not None else None,
        "device": str(device) if device is not None else None,
        "precision": precision,
        "versions": versions(),
        "wall_seconds": round(process_seconds(), 1),
    }

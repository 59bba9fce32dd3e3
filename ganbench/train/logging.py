"""Scalar logs of a run: ``log.jsonl`` (one object per logged step) and ``log.csv`` (long format:
step, phase, name, value), plus TensorBoard when it is installed and the experiment tracker
(:mod:`ganbench.train.tracking`) when ``train.tracker`` names one. On resume, rows after the checkpoint's
step are dropped so the logs read as one uninterrupted run."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

CSV_HEADER = ["step", "phase", "name", "value"]


def _truncate(path: Path, keep, header: bool) -> None:
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = lines[1:] if header else lines
    kept = (lines[:1] if header else []) + [line for line in body if line.strip() and keep(line)]
    path.write_text("".join(kept), encoding="utf-8")


class ScalarLog:
    """Appends scalars to the run's log files."""

    def __init__(self, run_dir: Path, resume_step: int | None = None, tracker: Any = None) -> None:
        self.jsonl_path, self.csv_path = run_dir / "log.jsonl", run_dir / "log.csv"
        if resume_step is not None:
            _truncate(self.jsonl_path, lambda line: json.loads(line)["step"] <= resume_step, header=False)
            _truncate(self.csv_path, lambda line: int(line.split(",", 1)[0]) <= resume_step, header=True)
        else:
            self.jsonl_path.unlink(missing_ok=True)
            self.csv_path.unlink(missing_ok=True)
        new_csv = not self.csv_path.exists()
        self._jsonl = self.jsonl_path.open("a", encoding="utf-8")
        self._csv_file = self.csv_path.open("a", encoding="utf-8", newline="")
        self._csv = csv.writer(self._csv_file)
        if new_csv:
            self._csv.writerow(CSV_HEADER)
        self._tensorboard = _tensorboard_writer(run_dir / "tensorboard")
        self._tracker = tracker  # a ganbench.train.tracking tracker, or None

    def write(self, step: int, phase: str, scalars: dict[str, float]) -> None:
        self._jsonl.write(json.dumps({"step": step, "phase": phase, **scalars}) + "\n")
        for name, value in scalars.items():
            self._csv.writerow([step, phase, name, repr(float(value))])
            if self._tensorboard is not None:
                self._tensorboard.add_scalar(f"{phase}/{name}", value, step)
        if self._tracker is not None:
            self._tracker.log_scalars(step, phase, scalars)
        self._jsonl.flush()
        self._csv_file.flush()

    def image(self, path: Path) -> Path:
        """Hand a sample grid written at ``path`` to the tracker; returns ``path``."""
        if self._tracker is not None:
            self._tracker.log_image(path)
        return path

    def close(self, finished: bool = True) -> None:
        self._jsonl.close()
        self._csv_file.close()
        if self._tensorboard is not None:
            self._tensorboard.close()
        if self._tracker is not None:
            self._tracker.close(finished)


def _tensorboard_writer(folder: Path):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(folder))


def read_log(run_dir: Path) -> list[dict]:
    """The records of ``log.jsonl``."""
    path = Path(run_dir) / "log.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

"""What SLURM says about the cell jobs ``ganbench run --launcher slurm`` submitted (``ganbench status``).

Asks ``sacct`` (accounting: knows finished jobs too) or, without it, ``squeue`` (live jobs only: a job it
does not list has left the queue). Job ids are the ones recorded in each cell's ``job.json`` (array tasks
as ``JOB_TASK``). Nothing here writes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

# Job states after which the job will not run the cell again (``COMPLETED`` too: a job that completed
# without finishing its cell is gone as well). Others (PENDING, RUNNING, REQUEUED, SUSPENDED, ...) are live.
ENDED = ("BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED", "NODE_FAIL", "OUT_OF_MEMORY",
         "PREEMPTED", "REVOKED", "TIMEOUT")
LEFT_QUEUE = "LEFT_QUEUE"  # squeue only: no longer listed
TIMEOUT_S = 30.0
_ARRAY = re.compile(r"^(?P<job>\d+)_\[(?P<tasks>[^\]]+)\]$")


@dataclass(frozen=True)
class SchedulerReport:
    """``states``: job id -> scheduler state; ``tool``: the command asked ("" when none was); ``note``:
    why the scheduler was not asked or what went wrong asking it."""

    tool: str = ""
    states: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def ended(self, job_id: str) -> bool:
        return self.states.get(job_id, "") in (*ENDED, LEFT_QUEUE)


def ask_scheduler(job_ids: list[str], timeout_s: float = TIMEOUT_S) -> SchedulerReport:
    """The SLURM state of each job in ``job_ids`` (``sacct`` first, then ``squeue``)."""
    if not job_ids:
        return SchedulerReport()
    if shutil.which("sacct"):
        return _ask("sacct", ["sacct", "--jobs", ",".join(job_ids), "--allocations", "--noheader",
                              "--parsable2", "--format", "JobID,State"], job_ids, timeout_s)
    if shutil.which("squeue"):
        report = _ask("squeue", ["squeue", "--jobs", ",".join(job_ids), "--noheader", "--format", "%i|%T"],
                      job_ids, timeout_s)
        if report.note:
            return report
        return SchedulerReport("squeue", {job: report.states.get(job, LEFT_QUEUE) for job in job_ids})
    return SchedulerReport(note="SLURM was not asked: neither sacct nor squeue is on PATH")


def _ask(tool: str, command: list[str], job_ids: list[str], timeout_s: float) -> SchedulerReport:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return SchedulerReport(tool, note=f"asking {tool} failed: {error}")
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return SchedulerReport(tool, note=f"{tool} exited with status {done.returncode}"
                                          + (f": {lines[-1]}" if lines else ""))
    states = parse_states(done.stdout)
    return SchedulerReport(tool, {job: states[job] for job in job_ids if job in states})


def parse_states(text: str) -> dict[str, str]:
    """``JOBID|STATE`` lines (sacct ``--parsable2``, squeue ``%i|%T``) -> {job id: state}. Steps
    (``123.batch``) are skipped, ``CANCELLED by 1000`` is ``CANCELLED``, pending array ranges
    (``123_[0-3,7%2]``) are expanded to their tasks."""
    states: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) < 2 or not parts[0] or "." in parts[0] or not parts[1].split():
            continue
        job, state = parts[0], parts[1].split()[0].rstrip("+")
        for one in _expand(job):
            states[one] = state
    return states


def _expand(job: str) -> list[str]:
    match = _ARRAY.match(job)
    if not match:
        return [job]
    tasks: list[str] = []
    for piece in match["tasks"].split("%")[0].split(","):
        first, _, last = piece.partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            tasks += [f"{match['job']}_{task}" for task in range(int(first), int(last or first) + 1)]
    return tasks

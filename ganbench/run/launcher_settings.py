"""The ``--launcher`` / ``--jobs`` choice of ``ganbench run``, checked against the experiment's [launcher].

The [launcher] table itself is a section of the settings tree (``ganbench.config.schema.LauncherConfig``),
validated with the rest of the experiment file; here only the choice on the command line is checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from ganbench.config.schema import SLURM_ONLY, LauncherConfig

LAUNCHERS = ("local", "submitit-local", "slurm")


class LauncherError(ValueError):
    """A bad ``--launcher`` / ``--jobs`` choice."""


def check_launcher_choice(launcher: str | None, jobs: int, given: Iterable[str], where: str) -> str:
    """The launcher to use; SLURM settings (``given``: the [launcher] keys the file sets) need
    ``--launcher slurm`` (or an explicit ``local`` choice)."""
    chosen = launcher or "local"
    if chosen not in LAUNCHERS:
        raise LauncherError(f"--launcher {chosen}: unknown launcher; expected one of {', '.join(LAUNCHERS)}")
    if jobs < 1:
        raise LauncherError(f"--jobs {jobs}: must be at least 1")
    if jobs > 1 and chosen != "local":
        raise LauncherError(f"--jobs {jobs} applies to --launcher local; {chosen} runs every cell as its own "
                            "job (limit them with launcher.array_parallelism)")
    slurm_keys = [key for key in given if key in SLURM_ONLY]
    if launcher is None and slurm_keys:
        raise LauncherError(f"{where}: [launcher] sets SLURM options ({', '.join(slurm_keys)}) but "
                            "no --launcher slurm was given; pass --launcher slurm to submit, or --launcher "
                            "local to run here without them")
    return chosen


def check_launcher_resources(launcher: str, settings: LauncherConfig) -> None:
    """The [launcher] resources ``launcher`` can provide: more than one node needs SLURM (submitit's local
    executor runs one node), submitit tasks (``tasks_per_node``) need a submitit launcher."""
    if settings.nodes > 1 and launcher != "slurm":
        raise LauncherError(f"launcher.nodes = {settings.nodes} needs --launcher slurm: --launcher "
                            f"{launcher} runs a cell on this one machine; set nodes = 1 (tasks_per_node = N "
                            "emulates N ranks here with --launcher submitit-local)")
    if settings.tasks_per_node > 1 and launcher == "local":
        raise LauncherError(f"launcher.tasks_per_node = {settings.tasks_per_node} needs --launcher "
                            "submitit-local or slurm: --launcher local trains each cell in one process "
                            "(set gpus_per_node > 1 and tasks_per_node = 0 to train through torchrun)")

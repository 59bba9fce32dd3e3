"""The ``[launcher]`` table of an experiment file and the ``--launcher`` choice, validated.

Every key maps to a submitit executor parameter (``ganbench.run.launchers``)::

    [launcher]
    partition = "gpu"          # slurm_partition
    account = "my-project"     # slurm_account
    nodes = 1                  # one node per cell (multi-node cells: run torchrun yourself)
    gpus_per_node = 4          # > 1: the cell trains through torchrun, one process per GPU
    cpus_per_task = 16
    mem_gb = 64
    timeout_min = 2880         # the job's time limit; on expiry it is requeued and resumes
    array_parallelism = 8      # at most this many cells of the job array at once
    sbatch = { qos = "high", constraint = "a100" }   # extra #SBATCH flags

``partition``, ``account``, ``nodes``, ``mem_gb``, ``array_parallelism`` and ``sbatch`` are SLURM-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

LAUNCHERS = ("local", "submitit-local", "slurm")
SLURM_ONLY = ("partition", "account", "nodes", "mem_gb", "array_parallelism", "sbatch")


class LauncherError(ValueError):
    """A bad ``--launcher`` / ``--jobs`` choice or ``[launcher]`` table."""


@dataclass(frozen=True)
class LauncherSettings:
    partition: str = ""
    account: str = ""
    nodes: int = 1
    gpus_per_node: int = 0
    cpus_per_task: int = 0
    mem_gb: int = 0
    timeout_min: int = 60 * 24
    array_parallelism: int = 0
    sbatch: dict[str, str | int] = field(default_factory=dict)
    given: tuple[str, ...] = ()  # the keys the file set

    @property
    def slurm_keys(self) -> list[str]:
        return [key for key in self.given if key in SLURM_ONLY]


def parse_launcher_table(table: Any, where: str) -> LauncherSettings:
    """``[launcher]`` -> settings; every key and type checked, one line per problem."""
    if table is None:
        return LauncherSettings()
    if not isinstance(table, Mapping):
        raise LauncherError(f"{where}: 'launcher' must be a table ([launcher]), got {type(table).__name__}")
    from ganbench.run.experiment import check_keys

    names = [f.name for f in fields(LauncherSettings) if f.name != "given"]
    check_keys(table, names, where, "launcher.")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "sbatch":
            if not isinstance(value, Mapping) or not all(
                    isinstance(v, str | int) and not isinstance(v, bool) for v in value.values()):
                raise LauncherError(f"{where}: launcher.sbatch must be a table of #SBATCH flags "
                                    f"(e.g. {{ qos = \"high\" }}), got {value!r}")
            values[key] = dict(value)
        elif key in ("partition", "account"):
            if not isinstance(value, str):
                raise LauncherError(f"{where}: launcher.{key} must be a string, got {value!r}")
            values[key] = value
        else:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise LauncherError(f"{where}: launcher.{key} must be a whole number >= 0, got {value!r}")
            values[key] = value
    if values.get("nodes", 1) != 1:
        raise LauncherError(f"{where}: launcher.nodes = {values['nodes']}: a cell runs on one node (up to "
                            "gpus_per_node GPUs through torchrun); for multi-node training run `torchrun "
                            "--nnodes N ... -m ganbench train` yourself")
    return LauncherSettings(**values, given=tuple(table))


def check_launcher_choice(launcher: str | None, jobs: int, settings: LauncherSettings, where: str) -> str:
    """The launcher to use; SLURM settings need ``--launcher slurm`` (or an explicit ``local`` choice)."""
    chosen = launcher or "local"
    if chosen not in LAUNCHERS:
        raise LauncherError(f"--launcher {chosen}: unknown launcher; expected one of {', '.join(LAUNCHERS)}")
    if jobs < 1:
        raise LauncherError(f"--jobs {jobs}: must be at least 1")
    if jobs > 1 and chosen != "local":
        raise LauncherError(f"--jobs {jobs} applies to --launcher local; {chosen} runs every cell as its own "
                            "job (limit them with launcher.array_parallelism)")
    if launcher is None and settings.slurm_keys:
        raise LauncherError(f"{where}: [launcher] sets SLURM options ({', '.join(settings.slurm_keys)}) but "
                            "no --launcher slurm was given; pass --launcher slurm to submit, or --launcher "
                            "local to run here without them")
    return chosen

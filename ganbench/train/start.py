"""What ``ganbench train`` does once its options are parsed: the run's settings from the layers the
command names, then training (joining and leaving the torchrun process group around it).

The CLI only parses, calls these and prints; a user-facing failure is a ``ValueError`` (config,
catalog, registry or run folder), which the CLI prints.
"""

from __future__ import annotations

from pathlib import Path

from ganbench.config import RunConfig, load_config
from ganbench.config.profiles import CPU_DEFAULTS, CPU_PROFILE_NAME
from ganbench.train.distributed import teardown_distributed
from ganbench.train.runs import CONFIG, train_run


def training_settings(out_dir: str | Path, config_file: str | Path | None, overrides: tuple[str, ...] = (),
                      model_name: str | None = None, catalog: str | None = None,
                      resume: bool = False) -> tuple[RunConfig, bool]:
    """The validated settings of ``ganbench train`` and whether they start from the CPU-scale defaults.

    Layers, later winning: ``config_file`` (with ``resume`` and no file: the run's own config.toml; with
    neither: the CPU-scale defaults), then ``--model`` / ``--catalog``, then every ``--set``."""
    if config_file is None and resume and (Path(out_dir) / CONFIG).is_file():
        config_file = Path(out_dir) / CONFIG
    named = {"model.name": (model_name, f"--model {model_name}")} if model_name else {}
    named |= {"data.catalog": (catalog, f"--catalog {catalog}")} if catalog else {}
    defaults = CPU_DEFAULTS if config_file is None else None
    config = load_config(config_file, overrides, named=named, defaults=defaults,
                         defaults_name=CPU_PROFILE_NAME)
    return config, defaults is not None


def train_in_group(config: RunConfig, out_dir: str | Path, resume: bool = False) -> Path:
    """:func:`train_run`, then leave the torchrun process group (waiting for every rank when training
    finished; at once when it failed)."""
    try:
        run_dir = train_run(config, out_dir, resume=resume)
        teardown_distributed(wait_for_all=True)
        return run_dir
    finally:
        teardown_distributed()

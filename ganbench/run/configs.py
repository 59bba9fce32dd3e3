"""Each cell's run configuration: the experiment's layers of overrides resolved and validated by the
config system, so a bad key stops the experiment before any work and names where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganbench.config import RunConfig
from ganbench.config.validate import build_run_config
from ganbench.run.cells import Cell
from ganbench.run.experiment import Experiment, ExperimentError


def resolve_config(experiment: Experiment, cell: Cell, catalog_dir: Path) -> RunConfig:
    """The validated run config of ``cell``; an error names the experiment file and the table the bad
    key came from."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    layers = [("[config]", experiment.overrides), (f"[model_config.{cell.model}]",
                                                    experiment.model_overrides.get(cell.model, {}))]
    variant = next(v for v in experiment.variants if v.name == cell.variant)
    layers.append((f"[variants.{variant.name}]", variant.overrides))
    layers.append(("the experiment's catalog, model and seed", {
        "data.catalog": str(catalog_dir), "model.name": cell.model, "train.seed": cell.seed}))
    for origin, overrides in layers:
        for key, value in overrides.items():
            _set(values, key, value)
            origins[key] = origin
    return build_run_config(values, str(experiment.path or "<experiment>"), origins)


def _set(values: dict[str, Any], key: str, value: Any) -> None:
    table = values
    parts = key.split(".")
    for part in parts[:-1]:
        table = table.setdefault(part, {})
        if not isinstance(table, dict):
            raise ExperimentError(f"run-config key {key!r}: '{part}' is a value, not a table")
    table[parts[-1]] = value

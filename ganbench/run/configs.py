"""Each cell's settings: the experiment's tables with the cell's overrides, validated by the settings
tree, so a bad key stops the experiment before any work and names the table it came from."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ganbench.config import ExperimentConfig, RunConfig, flatten
from ganbench.config.loader import apply_overrides
from ganbench.config.schema import RUN_SECTIONS
from ganbench.config.validate import ProblemList, build_run_config
from ganbench.run.cells import Cell


def resolve_config(tables: dict[str, Any], run: ExperimentConfig, cell: Cell, catalog_dir: Path,
                   problems: ProblemList) -> RunConfig:
    """The settings of ``cell``: the experiment file's run sections (``tables``), then its [run]
    overrides for the cell's model and variant, then the cell's catalog, model and seed. Problems go
    to ``problems`` (the caller reports every cell's at once)."""
    values = {name: copy.deepcopy(tables[name]) for name in RUN_SECTIONS if name in tables}
    layers = [(f"[run.model_config.{cell.model}]", run.model_config.get(cell.model, {}))]
    variant = run.variants.get(cell.variant)
    if variant is not None:
        layers.append((f"[run.variants.{cell.variant}]", variant.config))
    layers.append(("the experiment's catalog, model and seed", {
        "data": {"catalog": str(catalog_dir)}, "model": {"name": cell.model}, "train": {"seed": cell.seed}}))
    origins = apply_overrides(values, [(key, value, origin) for origin, table in layers
                                       for key, value in flatten(table).items()])
    cell_problems = ProblemList(problems.source, origins)
    config = build_run_config(values, problems.source, origins, problems=cell_problems)
    problems.lines += [line for line in cell_problems.lines if line not in problems.lines]
    return config

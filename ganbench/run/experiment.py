"""The experiment file: a settings tree whose [run] table says which cells to run.

An experiment file has the sections of a run's settings plus [run] (and [launcher], reserved)::

    [run]
    name = "quick"                        # the report title (default: the file's name)
    description = "..."                   # optional, one paragraph
    models = ["stackgan-bow", "restgan"]  # registered model names
    seeds = [0, 1, 2]                     # one training run per seed
    proposed = "restgan"                  # optional: the model the report compares with the others

    [run.catalog]                         # how data.catalog is made when it holds no catalog yet
    synthesise = { n = 800, seed = 0 }    # or: import = { format = "fashion-product-images", src = "DIR" }
                                          # neither: data.catalog must be an existing catalog

    [run.model_config.restgan]            # dotted overrides for one model only
    model.options.colour_model = true

    [run.variants.no-colour-model]        # ablation variants; without any, one variant "default"
    models = ["restgan"]                  # optional: the models this variant applies to
    config = { model.options.colour_model = false }

    [data]                                # the run sections, as in a run's config.toml
    catalog = "catalogs/quick"            # default: RESULTS/catalog
    stage1_size = 32
    [train]
    stage1_steps = 300
    [model.options]                       # options every model of the experiment gets
    gf_dim = 32
    [eval]
    n_samples = 200
    reference = "train"                   # FID/KID reference images: train | test | heldout (val + test)
    net = { epochs = 8, width = 16 }
    [report]
    streams = [["women's black pants", "petite", "capri"]]

``model.name`` and ``train.seed`` are set for each cell from ``run.models`` and ``run.seeds``. Every key
of the file and of every cell is validated before any work; all problems are reported together.
Relative paths are read relative to the current directory (``make run`` runs from the repository root).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench.config import ConfigError, RunConfig
from ganbench.config.loader import read_toml
from ganbench.config.validate import ProblemList, build_run_config
from ganbench.run.cells import Cell, plan_cells
from ganbench.run.configs import resolve_config

TRAINING_TABLES = ("data", "model", "train")


class ExperimentError(ConfigError):
    """An experiment that cannot be run as written; the message names the file and the key."""


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: its settings tree, where its catalog lives and every resolved cell."""

    name: str
    path: Path | None
    config: RunConfig
    catalog_dir: Path
    cells: tuple[Cell, ...]
    raw: dict[str, Any] = field(default_factory=dict)


def load_experiment(path: str | Path, results_dir: str | Path | None = None) -> Experiment:
    """Read and validate an experiment file; ``results_dir`` is where a default catalog folder goes."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"experiment file {path} does not exist (expected a TOML file)")
    try:
        raw = read_toml(path)
    except ConfigError as error:
        raise ExperimentError(str(error)) from None
    return experiment_from_dict(raw, source=path, results_dir=results_dir)


def experiment_from_dict(raw: Mapping[str, Any], source: Path | None = None,
                         results_dir: str | Path | None = None) -> Experiment:
    """Validate the parsed TOML of an experiment file and every cell it plans; raises one
    :class:`ExperimentError` listing every problem (``source`` names the file in it)."""
    where = str(source) if source else "<experiment>"
    problems = ProblemList(where)
    config = build_run_config(dict(raw), where, experiment=True, problems=problems)
    default_dir = Path(results_dir) / "catalog" if results_dir is not None else Path("catalog")
    catalog_dir = Path(config.data.catalog) if config.data.catalog else default_dir
    tables = {name: raw[name] for name in TRAINING_TABLES if isinstance(raw.get(name), Mapping)}
    cells = tuple(Cell(cell.model, cell.variant, cell.seed, cell.overrides,
                       resolve_config(dict(raw), config.run, cell, catalog_dir, problems))
                  for cell in plan_cells(config.run, tables))
    _raise(problems)
    name = config.run.name or (source.stem if source else "experiment")
    config = dataclasses.replace(config, run=dataclasses.replace(config.run, name=name))
    return Experiment(name, source, config, catalog_dir, cells, dict(raw))


def _raise(problems: ProblemList) -> None:
    try:
        problems.raise_if_any()
    except ConfigError as error:
        raise ExperimentError(str(error)) from None

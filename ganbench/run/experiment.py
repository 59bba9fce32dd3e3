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
of the file and of every cell is validated before any work, each cell's settings once (by
:func:`ganbench.config.layered_config`); all problems are reported together.
Relative paths are read relative to the current directory (``make run`` runs from the repository root).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench.config import (
    ConfigError,
    ExperimentConfig,
    RunConfig,
    build_run_config,
    flatten,
    layered_config,
)
from ganbench.config.loader import Layer, read_toml
from ganbench.config.validate import ProblemList
from ganbench.report.results import DEFAULT_VARIANT
from ganbench.run.cells import Cell

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
                       layered_config(raw, cell_layers(config.run, cell, catalog_dir), problems))
                  for cell in plan_cells(config.run, tables))
    try:
        problems.raise_if_any()
    except ConfigError as error:
        raise ExperimentError(str(error)) from None
    name = config.run.name or (source.stem if source else "experiment")
    config = config.model_copy(update={"run": config.run.model_copy(update={"name": name})})
    return Experiment(name, source, config, catalog_dir, cells, dict(raw))


def plan_cells(run: ExperimentConfig, training_tables: dict[str, Any]) -> list[Cell]:
    """Every cell in run order: models in the experiment's order, then variants, then seeds.

    ``training_tables`` are the experiment file's own [data], [model] and [train] tables. A cell's
    ``overrides`` merges, later winning: those tables, the model's [run.model_config.M], then the
    variant's config (so an ablation always gets the last word)."""
    base = {key: value for key, value in flatten(training_tables).items() if key != "data.catalog"}
    variants = run.variants or {DEFAULT_VARIANT: None}
    cells = []
    for model in run.models:
        for name, variant in variants.items():
            if variant is not None and not variant.applies_to(model):
                continue
            overrides = {**base, **flatten(run.per_model.get(model, {})),
                         **flatten(variant.config if variant is not None else {})}
            cells.extend(Cell(model, name, seed, overrides) for seed in run.seeds)
    return cells


def cell_layers(run: ExperimentConfig, cell: Cell, catalog_dir: Path) -> list[Layer]:
    """What a cell sets over the experiment file's run sections, in order, each named for the errors:
    its model's [run.model_config.M], its variant's config, then its catalog, model and seed."""
    layers: list[Layer] = [(f"[run.model_config.{cell.model}]", flatten(run.per_model.get(cell.model, {})))]
    variant = run.variants.get(cell.variant)
    if variant is not None:
        layers.append((f"[run.variants.{cell.variant}]", flatten(variant.config)))
    layers.append(("the experiment's catalog, model and seed", {
        "data.catalog": str(catalog_dir), "model.name": cell.model, "train.seed": cell.seed}))
    return layers

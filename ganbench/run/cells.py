"""Plan an experiment's cells: one training + evaluation per (model, variant, seed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.config import ExperimentConfig, RunConfig, flatten
from ganbench.report.results import DEFAULT_VARIANT, cell_name


@dataclass(frozen=True)
class Cell:
    """One (model, variant, seed) of an experiment, the dotted overrides it adds to the experiment's
    settings and, once resolved, its validated settings.

    ``overrides`` merges, later winning: the experiment's [data], [model] and [train] tables, the
    model's [run.model_config.M], then the variant's config (so an ablation always gets the last word).
    A resumed cell must have the same overrides as when it started.
    """

    model: str
    variant: str
    seed: int
    overrides: dict[str, Any]
    config: RunConfig | None = None

    @property
    def name(self) -> str:
        return cell_name(self.model, self.variant, self.seed)

    def folder(self, results_dir: Path) -> Path:
        return Path(results_dir) / "cells" / self.name

    def describe(self) -> dict[str, Any]:
        return {"model": self.model, "variant": self.variant, "seed": self.seed,
                "overrides": dict(sorted(self.overrides.items()))}


def plan_cells(run: ExperimentConfig, training_tables: dict[str, Any]) -> list[Cell]:
    """Every cell in run order: models in the experiment's order, then variants, then seeds.

    ``training_tables`` are the experiment file's own [data], [model] and [train] tables."""
    base = {key: value for key, value in flatten(training_tables).items() if key != "data.catalog"}
    variants = run.variants or {DEFAULT_VARIANT: None}
    cells = []
    for model in run.models:
        for name, variant in variants.items():
            if variant is not None and not variant.applies_to(model):
                continue
            overrides = {**base, **flatten(run.model_config.get(model, {})),
                         **flatten(variant.config if variant is not None else {})}
            cells.extend(Cell(model, name, seed, overrides) for seed in run.seeds)
    return cells

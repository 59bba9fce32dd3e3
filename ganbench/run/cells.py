"""Plan an experiment's cells: one training + evaluation per (model, variant, seed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.report.results import cell_name
from ganbench.run.experiment import Experiment


@dataclass(frozen=True)
class Cell:
    """One (model, variant, seed) of an experiment and the run-config overrides it trains with.

    ``overrides`` merges, later winning: the experiment's [config], the model's [model_config.M],
    then the variant's config (so an ablation always gets the last word).
    """

    model: str
    variant: str
    seed: int
    overrides: dict[str, Any]

    @property
    def name(self) -> str:
        return cell_name(self.model, self.variant, self.seed)

    def folder(self, results_dir: Path) -> Path:
        return Path(results_dir) / "cells" / self.name

    def describe(self) -> dict[str, Any]:
        return {"model": self.model, "variant": self.variant, "seed": self.seed,
                "overrides": dict(sorted(self.overrides.items()))}


def plan_cells(experiment: Experiment) -> list[Cell]:
    """Every cell in run order: models in file order, then variants, then seeds."""
    cells = []
    for model in experiment.models:
        for variant in experiment.variants:
            if not variant.applies_to(model):
                continue
            overrides = {**experiment.overrides, **experiment.model_overrides.get(model, {}),
                         **variant.overrides}
            cells.extend(Cell(model, variant.name, seed, overrides) for seed in experiment.seeds)
    return cells

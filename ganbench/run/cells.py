"""An experiment's cell: one training + evaluation per (model, variant, seed); planned and given its
settings by :mod:`ganbench.run.experiment`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.config import RunConfig
from ganbench.report.results import cell_name


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

"""[run]: what `ganbench run` runs (experiment files only): models, seeds, the proposed model, how the
catalog is made, per-model overrides and ablation variants."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ganbench.config.checks import Problems, at_least


@dataclass
class SynthesisRecipe:
    """[run.catalog.synthesise]: render ``n`` synthetic items from ``seed``."""

    n: int = 0
    """Items to render (at least 8)."""
    seed: int = 0
    """Seed of the renderer: an item depends only on (seed, index)."""

    def check(self) -> Problems:
        problems = [("n", f"must be at least 8 items, got {self.n}")] if self.n < 8 else []
        return problems + at_least(self, ("seed",), 0)


@dataclass
class ImportRecipe:
    """[run.catalog.import]: import the catalog at ``src`` written in ``format``."""

    format: str = ""
    """Importer: "fashion-product-images" or "csv" (see `ganbench data import --help`)."""
    src: str = ""
    """The folder (or file) to import from."""

    def check(self) -> Problems:
        return [(key, "is required") for key in ("format", "src") if not getattr(self, key)]


@dataclass
class CatalogRecipe:
    """[run.catalog]: how `ganbench run` makes ``data.catalog`` when that folder holds no catalog yet.

    At most one of ``synthesise`` / ``import``; with neither, ``data.catalog`` must be an existing catalog.
    """

    synthesise: SynthesisRecipe | None = None
    """Render a synthetic catalog: {n, seed}."""
    import_: ImportRecipe | None = field(default=None, metadata={"key": "import"})
    """Import a real catalog: {format, src}."""

    def check(self) -> Problems:
        if self.synthesise is not None and self.import_ is not None:
            return [("import", "cannot be given together with synthesise: the catalog comes from one")]
        return []

    def describe(self, folder: str) -> str:
        if self.synthesise is not None:
            return f"synthetic catalog (n={self.synthesise.n}, seed={self.synthesise.seed}) at {folder}"
        if self.import_ is not None:
            return f"{self.import_.format} import of {self.import_.src} at {folder}"
        return f"existing catalog at {folder}"


@dataclass
class VariantConfig:
    """[run.variants.NAME]: an ablation, a set of dotted overrides (``config``) for ``models`` (all if
    empty)."""

    models: list[str] = field(default_factory=list)
    """The models this variant applies to (empty: every model of run.models)."""
    description: str = ""
    """One line for the report."""
    config: dict[str, Any] = field(default_factory=dict)
    """Dotted overrides of the cell's settings, e.g. { model.options.colour_model = false }."""

    def applies_to(self, model: str) -> bool:
        return not self.models or model in self.models


@dataclass
class ExperimentConfig:
    """[run]: the cells of an experiment, one training run per (model, variant, seed).

    ``proposed`` names the model the report compares with the best of the others ("" = no comparison).
    ``model_config.M`` holds dotted overrides for model M only; ``variants`` the ablations (none: one
    variant named "default"). ``name`` defaults to the experiment file's name.
    """

    name: str = ""
    """The experiment's name, the report's title (default: the file's name)."""
    description: str = ""
    """One paragraph for the report."""
    models: list[str] = field(default_factory=list)
    """Registered models to train (`ganbench models`); required."""
    seeds: list[int] = field(default_factory=lambda: [0])
    """One training run per seed (train.seed of the cell)."""
    proposed: str = ""
    """The model the report compares with the best of the others ("" : no comparison row)."""
    catalog: CatalogRecipe = field(default_factory=CatalogRecipe)
    """How data.catalog is made when it holds no catalog yet."""
    model_config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per model: dotted overrides for that model's cells only."""
    variants: dict[str, VariantConfig] = field(default_factory=dict)
    """Ablation variants by name (none: one variant, "default")."""

    def check(self) -> Problems:
        problems: Problems = []
        if len(set(self.models)) != len(self.models) or not all(self.models):
            problems.append(("models", f"must list distinct model names, got {self.models}"))
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            problems.append(("seeds", f"must be a non-empty list of distinct integers, got {self.seeds}"))
        named = [("proposed", self.proposed)] if self.proposed else []
        named += [(f"model_config.{m}", m) for m in self.model_config]
        named += [(f"variants.{v}.models", m) for v, spec in self.variants.items() for m in spec.models]
        problems += [(key, self._not_a_model(model)) for key, model in named if model not in self.models]
        problems += [(f"variants.{name}", "a variant name may not contain '__' or '/'")
                     for name in self.variants if "__" in name or "/" in name]
        return problems

    def _not_a_model(self, name: str) -> str:
        near = difflib.get_close_matches(name, self.models, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return f"names {name!r}, which is not in run.models {self.models}{hint}"

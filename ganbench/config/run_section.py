"""[run]: what `ganbench run` runs (experiment files only): models, seeds, the proposed model, how the
catalog is made, per-model overrides and ablation variants."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ganbench.config.fields import Section


class SynthesisRecipe(Section):
    """[run.catalog.synthesise]: render ``n`` synthetic items from ``seed``."""

    n: int = Field(ge=8)
    """Items to render (at least 8)."""
    seed: int = Field(0, ge=0)
    """Seed of the renderer: an item depends only on (seed, index)."""


class ImportRecipe(Section):
    """[run.catalog.import]: import the catalog at ``src`` written in ``format``."""

    format: str = Field(min_length=1)
    """Importer: "fashion-product-images" or "csv" (see `ganbench data import --help`)."""
    src: str = Field(min_length=1)
    """The folder (or file) to import from."""


class CatalogRecipe(Section):
    """[run.catalog]: how `ganbench run` makes ``data.catalog`` when that folder holds no catalog yet.

    At most one of ``synthesise`` / ``import``; with neither, ``data.catalog`` must be an existing catalog.
    """

    synthesise: SynthesisRecipe | None = None
    """Render a synthetic catalog: {n, seed}."""
    import_: ImportRecipe | None = Field(None, alias="import")
    """Import a real catalog: {format, src}."""

    @model_validator(mode="after")
    def _one_source(self) -> CatalogRecipe:
        if self.synthesise is not None and self.import_ is not None:
            raise ValueError("takes synthesise or import, not both: the catalog comes from one")
        return self

    def describe(self, folder: str) -> str:
        if self.synthesise is not None:
            return f"synthetic catalog (n={self.synthesise.n}, seed={self.synthesise.seed}) at {folder}"
        if self.import_ is not None:
            return f"{self.import_.format} import of {self.import_.src} at {folder}"
        return f"existing catalog at {folder}"


class VariantConfig(Section):
    """[run.variants.NAME]: an ablation, a set of dotted overrides (``config``) for ``models`` (all if
    empty)."""

    models: list[str] = Field(default_factory=list)
    """The models this variant applies to (empty: every model of run.models)."""
    description: str = ""
    """One line for the report."""
    config: dict[str, Any] = Field(default_factory=dict)
    """Dotted overrides of the cell's settings, e.g. { model.options.colour_model = false }."""

    def applies_to(self, model: str) -> bool:
        return not self.models or model in self.models


def _not_a_model(name: str, models: list[str]) -> str | None:
    """Why ``name`` cannot be named here (None when it is one of ``models``)."""
    if name in models:
        return None
    near = difflib.get_close_matches(name, models, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"names {name!r}, which is not in run.models {models}{hint}"


class ExperimentConfig(Section):
    """[run]: the cells of an experiment, one training run per (model, variant, seed).

    ``proposed`` names the model the report compares with the best of the others ("" = no comparison).
    ``model_config.M`` holds dotted overrides for model M only; ``variants`` the ablations (none: one
    variant named "default"). ``name`` defaults to the experiment file's name.
    """

    name: str = ""
    """The experiment's name, the report's title (default: the file's name)."""
    description: str = ""
    """One paragraph for the report."""
    models: list[str] = Field(default_factory=list)
    """Registered models to train (`ganbench models`); required."""
    seeds: list[int] = Field(default_factory=lambda: [0])
    """One training run per seed (train.seed of the cell)."""
    proposed: str = ""
    """The model the report compares with the best of the others ("" : no comparison row)."""
    catalog: CatalogRecipe = Field(default_factory=CatalogRecipe)
    """How data.catalog is made when it holds no catalog yet."""
    per_model: dict[str, dict[str, Any]] = Field(default_factory=dict, alias="model_config")
    """Per model: dotted overrides for that model's cells only ([run.model_config.MODEL])."""
    variants: dict[str, VariantConfig] = Field(default_factory=dict)
    """Ablation variants by name (none: one variant, "default")."""

    @field_validator("models")
    @classmethod
    def _distinct_models(cls, models: list[str]) -> list[str]:
        if len(set(models)) != len(models) or not all(models):
            raise ValueError("must list distinct model names")
        return models

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int]) -> list[int]:
        if not seeds or len(set(seeds)) != len(seeds):
            raise ValueError("must be a non-empty list of distinct integers")
        return seeds

    @field_validator("proposed")
    @classmethod
    def _proposed_is_run(cls, proposed: str, info: ValidationInfo) -> str:
        problem = _not_a_model(proposed, info.data.get("models", [proposed])) if proposed else None
        if problem:
            raise ValueError(problem)
        return proposed

    @field_validator("per_model")
    @classmethod
    def _overrides_name_run_models(cls, per_model: dict, info: ValidationInfo) -> dict:
        problems = [_not_a_model(m, info.data.get("models", [m])) for m in per_model]
        if any(problems):
            raise ValueError("; ".join(p for p in problems if p))
        return per_model

    @field_validator("variants")
    @classmethod
    def _variants_are_valid(cls, variants: dict[str, VariantConfig], info: ValidationInfo) -> dict:
        models = info.data.get("models")
        problems = [f"variant {name!r} may not contain '__' or '/' in its name"
                    for name in variants if "__" in name or "/" in name]
        problems += [f"variant {name!r} {_not_a_model(m, models)}" for name, spec in variants.items()
                     for m in spec.models if models is not None and _not_a_model(m, models)]
        if problems:
            raise ValueError("; ".join(problems))
        return variants

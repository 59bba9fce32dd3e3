"""The real steps of a cell, wired for :func:`ganbench.run.runner.run_experiment`: the data layer
synthesises or imports the catalog, the training harness trains, the evaluation evaluates and
:mod:`ganbench.run.media` draws the report's images."""

from __future__ import annotations

import json
from pathlib import Path

from ganbench.config import EvalConfig, RunConfig
from ganbench.config.run_section import CatalogRecipe
from ganbench.data.catalog import Catalog
from ganbench.data.importers import import_catalog
from ganbench.data.synth import synthesise
from ganbench.eval.evaluate import evaluate_run
from ganbench.report.results import CALIBRATION_DIR
from ganbench.run.experiment import ExperimentError
from ganbench.run.media import render_media
from ganbench.run.runner import METRICS_FILE, Pipeline
from ganbench.train.runs import train_run


def real_pipeline(write_report: bool = True) -> Pipeline:
    from ganbench.report.build import write_report as report

    return Pipeline(prepare_catalog=prepare_catalog, train=train_run, evaluate=evaluate, render=render,
                    write_report=report if write_report else None, calibrate=calibrate)


def prepare_catalog(recipe: CatalogRecipe, folder: Path) -> Path:
    """The catalog folder: reused when it already holds what the experiment asks for, else made."""
    if recipe.synthesise is None and recipe.import_ is None:
        Catalog.open(folder)
        return folder
    manifest_file = folder / "manifest.json"
    if manifest_file.is_file():
        _check_reusable(json.loads(manifest_file.read_text(encoding="utf-8")), recipe, folder)
        print(f"catalog: reusing {recipe.describe(str(folder))}")
        return folder
    print(f"catalog: making {recipe.describe(str(folder))}")
    if recipe.synthesise is not None:
        synthesise(folder, n=recipe.synthesise.n, seed=recipe.synthesise.seed)
    else:
        _, report = import_catalog(Path(recipe.import_.src), recipe.import_.format, folder)
        print(report.summary())
    return folder


def _check_reusable(manifest: dict, recipe: CatalogRecipe, folder: Path) -> None:
    synthesis = recipe.synthesise
    wanted = "synthetic" if synthesis is not None else recipe.import_.format
    found = manifest.get("source")
    same = found == wanted and (synthesis is None or (
        manifest.get("seed") == synthesis.seed and manifest.get("counts", {}).get("read") == synthesis.n))
    if not same:
        raise ExperimentError(
            f"catalog folder {folder} holds another catalog (source {found}, "
            f"seed {manifest.get('seed')}, {manifest.get('counts', {}).get('read')} items read) than the "
            f"experiment asks for ({recipe.describe(str(folder))}); delete it or set data.catalog to "
            "another folder")


def evaluate(run_dir: Path, catalog: Path, config: RunConfig) -> dict:
    return evaluate_run(run_dir, Catalog.open(catalog), config.eval)


def calibrate(results_dir: Path, catalog: Path, settings: EvalConfig) -> list[Path]:
    """The report's calibration rows (``real images``, ``mean image``) at the models' image size, once per
    experiment: reused while the catalog, lookup table, evaluation settings and image size are unchanged."""
    import colorspace
    from ganbench.eval.calibration import SOURCES, cached_baseline

    size = _evaluated_image_size(results_dir)
    if size is None:
        print("calibration: no evaluated cell yet, so no image size to draw the calibration rows at")
        return []
    lookup = colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")
    opened, written = Catalog.open(catalog), []
    for name in SOURCES:
        out = results_dir / CALIBRATION_DIR / f"{name}.json"
        cached_baseline(name, out, opened, lookup, settings, size)
        written.append(out)
    return written


def _evaluated_image_size(results_dir: Path) -> int | None:
    """The image size the cells were evaluated at (that of the first finished cell by name)."""
    for metrics_file in sorted((results_dir / "cells").glob(f"*/{METRICS_FILE}")):
        size = json.loads(metrics_file.read_text(encoding="utf-8")).get("settings", {}).get("image_size")
        if size:
            return int(size)
    return None


def render(run_dir: Path, media_dir: Path, config: RunConfig) -> Path:
    return render_media(run_dir, media_dir, config.report, device=config.eval.device)

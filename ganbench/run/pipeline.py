"""The real steps of a cell, wired for :func:`ganbench.run.runner.run_experiment`: the data layer
synthesises or imports the catalog, the training harness trains, the evaluation evaluates and
:mod:`ganbench.run.media` draws the report's images."""

from __future__ import annotations

import json
from pathlib import Path

from ganbench.config import RunConfig
from ganbench.data.catalog import Catalog
from ganbench.data.importers import import_catalog
from ganbench.data.synth import synthesise
from ganbench.eval.evaluate import EvalSettings as EvalRunSettings
from ganbench.eval.evaluate import evaluate_run
from ganbench.report.results import CALIBRATION_DIR
from ganbench.run.configs import resolve_config
from ganbench.run.experiment import CatalogSource, EvalSettings, ExperimentError, ReportSettings
from ganbench.run.media import render_media
from ganbench.run.runner import METRICS_FILE, Pipeline
from ganbench.train.precision import resolve_device
from ganbench.train.runs import train_run

SOURCE_NAMES = {"synthesise": "synthetic"}


def real_pipeline(write_report: bool = True) -> Pipeline:
    from ganbench.report.build import write_report as report

    return Pipeline(prepare_catalog=prepare_catalog, resolve_config=resolve_config, train=train,
                    evaluate=evaluate, render=render, write_report=report if write_report else None,
                    calibrate=calibrate)


def prepare_catalog(source: CatalogSource) -> Path:
    """The catalog folder: reused when it already holds what the experiment asks for, else made."""
    if source.kind == "path":
        Catalog.open(source.dir)
        return source.dir
    manifest_file = source.dir / "manifest.json"
    if manifest_file.is_file():
        _check_reusable(json.loads(manifest_file.read_text(encoding="utf-8")), source)
        print(f"catalog: reusing {source.describe()}")
        return source.dir
    print(f"catalog: making {source.describe()}")
    if source.kind == "synthesise":
        synthesise(source.dir, n=source.n, seed=source.seed)
    else:
        _, report = import_catalog(source.src, source.format, source.dir)
        print(report.summary())
    return source.dir


def _check_reusable(manifest: dict, source: CatalogSource) -> None:
    wanted = SOURCE_NAMES.get(source.kind, source.format)
    found = manifest.get("source")
    same = found == wanted and (source.kind != "synthesise" or (
        manifest.get("seed") == source.seed and manifest.get("counts", {}).get("read") == source.n))
    if not same:
        raise ExperimentError(
            f"catalog folder {source.dir} holds another catalog (source {found}, "
            f"seed {manifest.get('seed')}, {manifest.get('counts', {}).get('read')} items read) than the "
            f"experiment asks for "
            f"({source.describe()}); delete it or set catalog.dir to another folder")


def train(config: RunConfig, run_dir: Path, resume: bool) -> Path:
    return train_run(config, run_dir, resume=resume)


def _eval_settings(settings: EvalSettings) -> EvalRunSettings:
    """The evaluation's settings from the experiment's [eval], on CUDA when there is one."""
    weights = str(settings.inception_weights) if settings.inception_weights else None
    return EvalRunSettings(n_samples=settings.n_samples, seed=settings.seed, inception_weights=weights,
                           device=str(resolve_device("auto")), reference=settings.reference,
                           **({"eval_net": settings.net} if settings.net is not None else {}))


def evaluate(run_dir: Path, catalog: Path, settings: EvalSettings) -> dict:
    """Evaluate on CUDA when there is one (the evaluation's own default is the CPU)."""
    options = _eval_settings(settings)
    return evaluate_run(run_dir, Catalog.open(catalog), n_samples=options.n_samples, seed=options.seed,
                        inception_weights=options.inception_weights, settings=options)


def calibrate(results_dir: Path, catalog: Path, settings: EvalSettings) -> list[Path]:
    """The report's calibration rows (``real images``, ``mean image``) at the models' image size, once per
    experiment: reused while the catalog, lookup table, evaluation settings and image size are unchanged."""
    import colorspace
    from ganbench.eval.calibration import SOURCES, cached_baseline

    size = _evaluated_image_size(results_dir)
    if size is None:
        print("calibration: no evaluated cell yet, so no image size to draw the calibration rows at")
        return []
    opened, lookup, options = Catalog.open(catalog), colorspace.default_lookup(), _eval_settings(settings)
    written = []
    for name in SOURCES:
        out = results_dir / CALIBRATION_DIR / f"{name}.json"
        cached_baseline(name, out, opened, lookup, options, size)
        written.append(out)
    return written


def _evaluated_image_size(results_dir: Path) -> int | None:
    """The image size the cells were evaluated at (that of the first finished cell by name)."""
    for metrics_file in sorted((results_dir / "cells").glob(f"*/{METRICS_FILE}")):
        size = json.loads(metrics_file.read_text(encoding="utf-8")).get("settings", {}).get("image_size")
        if size:
            return int(size)
    return None


def render(run_dir: Path, media_dir: Path, settings: ReportSettings) -> Path:
    return render_media(run_dir, media_dir, settings, device=str(resolve_device("auto")))


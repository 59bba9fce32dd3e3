"""``ganbench.evaluate``: the metrics dict ``ganbench eval`` writes, from Python.

One of: a run folder (as ``ganbench eval RUN``: its catalog and its recorded [eval] settings unless given),
a :class:`~ganbench.api.generator.Generator` with a ``catalog`` (e.g. a pretrained model on a catalog
with its vocabulary), or ``images=`` a folder or CSV manifest of images made by any model with a
``catalog`` (as ``ganbench eval --images``; layout in :mod:`ganbench.eval.image_folder`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import colorspace
from ganbench.api.generator import Generator, _run_folder
from ganbench.config import EvalConfig, flatten
from ganbench.config.loader import load_section
from ganbench.eval.evaluate import evaluate_model, evaluate_run, write_metrics
from ganbench.eval.image_folder import evaluate_images
from ganbench.train.runs import CONFIG, read_run_config


def _settings(given: EvalConfig | Mapping | None, config_file: Path | None) -> EvalConfig:
    """``given`` as is (an EvalConfig), or its [eval] keys over the [eval] table of ``config_file`` (a
    run's config.toml; None: the defaults), validated as ``ganbench eval --set`` is."""
    if isinstance(given, EvalConfig):
        return given
    flat = flatten(dict(given or {}))
    named = {f"eval.{key}": (value, f"settings[{key!r}]") for key, value in flat.items()}
    return load_section("eval", config_file, named=named)


def _open(catalog: Any, what: str):
    from ganbench.data.catalog import Catalog

    if catalog is None:
        raise ValueError(f"catalog: {what} needs the catalog folder whose test query streams to score")
    return Catalog.open(catalog) if isinstance(catalog, str | Path) else catalog


def evaluate(source: str | Path | Generator | None = None, *, images: str | Path | None = None,
             catalog: str | Path | None = None, settings: EvalConfig | Mapping | None = None,
             out: str | Path | None = None, log: Callable[[str], None] | None = None) -> dict:
    """The metrics dict of ``source`` (a run folder or a Generator) or of ``images`` (module doc);
    ``settings`` an EvalConfig or a mapping of [eval] keys; writes ``out`` (a metrics.json) when given.
    Quiet unless ``log`` is given."""
    log = log or (lambda line: None)
    if (source is None) == (images is None):
        raise ValueError("evaluate: give a run folder or Generator, or images=FOLDER, not both or neither")
    if images is not None:
        chosen = _settings(settings, None)
        metrics = evaluate_images(images, _open(catalog, "images="), _lookup(chosen), chosen, log)
    elif isinstance(source, Generator):
        stored = source.run.run_dir / CONFIG
        chosen = _settings(settings, stored if stored.is_file() else None)
        opened = _open(catalog, "a Generator")
        metrics = evaluate_model(source.run.model, opened, _lookup(chosen), chosen, log)
    else:
        folder = _run_folder(Path(source))
        if not (folder / CONFIG).is_file():
            raise ValueError(f"{source} is not a run folder: {CONFIG} is missing (give a folder written by "
                             "`ganbench train --out` or a cell of `ganbench run`)")
        chosen = _settings(settings, folder / CONFIG)
        run_catalog = catalog or read_run_config(folder).data.catalog
        return evaluate_run(folder, _open(run_catalog, "a run"), chosen, out, log=log)
    if out is not None:
        write_metrics(metrics, out)
    return metrics


def _lookup(settings: EvalConfig):
    return colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")

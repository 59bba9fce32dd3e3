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
from ganbench.config import EvalConfig, RunConfig, build_run_config, config_as_dict
from ganbench.eval.evaluate import evaluate_model, evaluate_run, write_metrics
from ganbench.eval.image_folder import evaluate_images
from ganbench.train.runs import read_run_config


def _settings(given: EvalConfig | Mapping | None, base: EvalConfig) -> EvalConfig:
    """``given`` as is (an EvalConfig), or its [eval] keys over ``base`` (a mapping), or ``base``."""
    if isinstance(given, EvalConfig):
        return given
    if given is None:
        return base
    values = config_as_dict(RunConfig(eval=base), ("eval",))
    values["eval"] = _merged(values["eval"], dict(given))
    return build_run_config(values, "ganbench.evaluate(settings=...)").eval


def _merged(base: dict, given: dict) -> dict:
    out = dict(base)
    for key, value in given.items():
        out[key] = _merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), dict) \
            else value
    return out


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
        chosen = _settings(settings, EvalConfig())
        metrics = evaluate_images(images, _open(catalog, "images="), _lookup(chosen), chosen, log)
    elif isinstance(source, Generator):
        chosen = _settings(settings, source.run.config.eval)
        metrics = evaluate_model(source.run.model, _open(catalog, "a Generator"), _lookup(chosen), chosen, log)
    else:
        folder = _run_folder(Path(source))
        chosen = _settings(settings, read_run_config(folder).eval)
        run_catalog = catalog or read_run_config(folder).data.catalog
        return evaluate_run(folder, _open(run_catalog, "a run"), chosen, out, log=log)
    if out is not None:
        write_metrics(metrics, out)
    return metrics


def _lookup(settings: EvalConfig):
    return colorspace.open_lookup(settings.colour_lookup, setting="eval.colour_lookup")

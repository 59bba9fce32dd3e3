"""Calibration rows: where "real" and "broken" lie on every metric, scored by the same code as a model.

- ``real`` (row ``real images``): each stream's images are the catalog's own photo of the stream's item
  at every step. What real photos score on IS, attribute accuracy, colour error and retrieval (the
  expected ceiling; a generator can pass it where the classifier finds its images easier than photos);
  its FID/KID compare two disjoint sets of real photos (the drawn test items against a reference without
  them: see :mod:`ganbench.eval.reference`), the floor a generator can hope for. A catalog holds one
  photo per item, so there is no refinement sequence: its refinement metrics are n/a.
- ``mean-image`` (row ``mean image``): the mean train photo for every step of every query, the floor of
  a generator that ignores its text. It never changes, so its ``refinement_score`` is 0.

Both write the same ``metrics.json`` as a model, plus ``baseline`` {name, row, description} in place of
``run``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.config import EvalConfig
from ganbench.eval.baseline_names import DESCRIPTIONS, ROW_NAMES
from ganbench.eval.evalnet import file_hash
from ganbench.eval.evaluate import evaluate_source
from ganbench.eval.features import catalog_images_at

CALIBRATION_FORMAT = "ganbench-calibration/1"
MEAN_CHUNK = 256


class BaselineError(ValueError):
    """An unknown calibration baseline name."""


class _CalibrationSource:
    """What calibration sources share: no text conditioning (the diagnostic is null for them)."""

    def conditioning(self, texts: list[list[str]]) -> None:
        return None


class RealImages(_CalibrationSource):
    """Image source: the catalog photo of each stream's item, repeated for every step."""

    refines = False
    shows_catalog_photos = True

    def __init__(self, catalog: Any, image_size: int) -> None:
        self.catalog, self.image_size = catalog, int(image_size)

    def draw(self, steps: list[list[str]], items: np.ndarray, seed: int) -> list[torch.Tensor]:
        photos = catalog_images_at(self.catalog, self.image_size, items)
        return [photo[None].repeat(len(s), 1, 1, 1) for photo, s in zip(photos, steps, strict=True)]


class MeanImage(_CalibrationSource):
    """Image source: the mean train photo (uint8) for every step of every stream."""

    refines = True
    shows_catalog_photos = False

    def __init__(self, catalog: Any, image_size: int) -> None:
        train = np.asarray(catalog.indices("train"), dtype=np.int64)
        if len(train) == 0:
            raise ValueError(f"catalog {catalog.root} has no train item to average")
        total = torch.zeros(3, image_size, image_size, dtype=torch.float64)
        for start in range(0, len(train), MEAN_CHUNK):
            total += catalog_images_at(catalog, image_size, train[start:start + MEAN_CHUNK]).double().sum(0)
        self.image = (total / len(train)).round().clamp(0, 255).to(torch.uint8)

    def draw(self, steps: list[list[str]], items: np.ndarray, seed: int) -> list[torch.Tensor]:
        return [self.image[None].repeat(len(s), 1, 1, 1) for s in steps]


SOURCES = {"real": RealImages, "mean-image": MeanImage}


def check_baseline(name: str) -> str:
    if name not in SOURCES:
        raise BaselineError(f"unknown baseline {name!r}; expected one of: {', '.join(SOURCES)}")
    return name


def evaluate_baseline(
    name: str, catalog: Any, lookup: Any, settings: EvalConfig, image_size: int | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """metrics.json of calibration baseline ``name`` at ``image_size`` px (default: the eval net's input
    size; give the models' output size so the rows compare like with like)."""
    size = int(image_size or settings.net.image_size)
    source = SOURCES[check_baseline(name)](catalog, size)
    log(f"eval: calibration row '{ROW_NAMES[name]}' ({DESCRIPTIONS[name]}) at {size} px")
    metrics = evaluate_source(source, catalog, lookup, settings, log)
    metrics["baseline"] = {"name": name, "row": ROW_NAMES[name], "description": DESCRIPTIONS[name]}
    return metrics


def calibration_key(catalog_hash: str, lookup_hash: str, settings: EvalConfig, image_size: int) -> str:
    """Hash of everything a calibration row depends on (catalog, lookup table, evaluation settings that
    change numbers, image size); the device and batch size do not enter it."""
    fields = {k: v for k, v in settings.model_dump().items() if k not in ("device", "batch_size")}
    weights = settings.inception_weights
    fields["inception_weights"] = file_hash(Path(weights)) if weights is not None else None
    blob = {"format": CALIBRATION_FORMAT, "catalog": catalog_hash, "lookup": lookup_hash,
            "size": int(image_size), "settings": fields}
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def cached_baseline(
    name: str, out: Path, catalog: Any, lookup: Any, settings: EvalConfig, image_size: int,
    log: Callable[[str], None] = print,
) -> dict:
    """``out`` (a metrics.json) when it was made with the same :func:`calibration_key`, else evaluate the
    baseline and write it there."""
    from ganbench.eval.evaluate import write_metrics

    key = calibration_key(catalog.hash, str(getattr(lookup, "hash", "")), settings, image_size)
    if out.is_file():
        stored = json.loads(out.read_text(encoding="utf-8"))
        if stored.get("baseline", {}).get("key") == key:
            log(f"calibration: reusing {out}")
            return stored
    metrics = evaluate_baseline(name, catalog, lookup, settings, image_size, log)
    metrics["baseline"]["key"] = key
    write_metrics(metrics, out)
    return metrics

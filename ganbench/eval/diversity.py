"""Diversity of a conditional generator: does it draw different images for different noise?

One call, :func:`diversity_metrics`, adds to ``metrics.json`` (each a ``metric_entry``):

- ``query_diversity``: per-query feature spread over noise / real photos' spread for the same labels
  (:mod:`ganbench.eval.query_diversity`; draws: :mod:`ganbench.eval.diversity_samples`); no direction
  (1 = as varied as real photos);
- ``seed_pixel_difference`` / ``real_pixel_difference``: "seeds differ by", mean absolute pixel difference
  (0..1) between draws of one query, and between two train photos sharing all labels (descriptive);
- ``improved_precision`` / ``improved_recall`` (:mod:`ganbench.eval.precision_recall`);
- ``intra_fid`` (per type) and ``intra_fid_mean`` (:mod:`ganbench.eval.intra_fid`).

All on the evaluation network's pooled features, whatever ``fid_features`` says. What was done (streams
scored, back-off levels, N) goes to ``settings.diversity``, ``settings.prc`` and ``settings.intra_fid``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ganbench.config import EvalConfig
from ganbench.eval.attributes import LabelSpace
from ganbench.eval.diversity_samples import DrawPlan, StreamDraws, collect_draws
from ganbench.eval.features import catalog_images_at
from ganbench.eval.generation import EvaluationStreams, GeneratedSet, ImageSource
from ganbench.eval.intra_fid import HEAD, intra_fid, undefined_intra_fid
from ganbench.eval.precision_recall import PRC_ROUNDS, precision_recall
from ganbench.eval.query_diversity import (
    MAX_GROUP_PHOTOS,
    RealGroup,
    RealGroups,
    diversity_ratio,
    mean_pairwise_distance,
    mean_pixel_difference,
    pair_pixel_entry,
    real_pixel_difference,
)
from ganbench.eval.reference import ReferencePlan
from ganbench.eval.uncertainty import bootstrap_mean, metric_entry

HELDOUT = ("val", "test")  # the real-images row's draws come from here, never from the train pool


@dataclass
class DiversityResult:
    """Metric entries for ``metrics.json``, what goes under ``settings``, warnings, and the seconds spent."""

    metrics: dict
    settings: dict
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class EvaluationView:
    """What the evaluation already holds that the diversity metrics read."""

    streams: EvaluationStreams
    generated: GeneratedSet
    asked: np.ndarray  # (n_streams, n_heads) what each full query asks for
    plan: ReferencePlan
    all_features: torch.Tensor  # pooled features of every catalog image
    extractor: Any


def _labels(catalog: Any, space: LabelSpace, indices: np.ndarray) -> np.ndarray:
    return space.label_matrix([catalog.items[int(i)] for i in indices])


def _query_diversity(source: ImageSource, catalog: Any, space: LabelSpace, settings: EvalConfig,
                     view: EvaluationView) -> tuple[dict, dict]:
    """``query_diversity`` and ``seed_pixel_difference`` entries, and what was done."""
    train = np.asarray(catalog.indices("train"), dtype=np.int64)
    groups = RealGroups(_labels(catalog, space, train), view.all_features[train].numpy(), list(space.heads),
                        settings.seed)
    n_test = view.streams.n_test
    per_stream = [groups.group(view.asked[i]) for i in range(n_test)]
    heldout = np.sort(np.concatenate([np.asarray(catalog.indices(s), dtype=np.int64) for s in HELDOUT]))
    plan = DrawPlan(view.streams, view.generated, [g.key for g in per_stream],
                    _labels(catalog, space, heldout), heldout, settings.diversity_samples,
                    settings.diversity_streams, settings.seed, settings.batch_size, settings.device)
    draws = collect_draws(source, plan, list(space.heads), view.extractor)
    spreads = np.array([mean_pairwise_distance(f) for f in draws.features])
    real = np.array([per_stream[s].spread for s in draws.streams])
    seed, rounds = settings.seed, settings.bootstrap_rounds
    metrics = {"query_diversity": diversity_ratio(spreads, real, seed, rounds),
               "seed_pixel_difference": bootstrap_mean(
                   np.array([mean_pixel_difference(images) for images in draws.images]), seed, rounds)}
    return metrics, _diversity_settings(draws, [per_stream[s] for s in draws.streams], space, real)


def _diversity_settings(draws: StreamDraws, groups: list[RealGroup], space: LabelSpace,
                        real: np.ndarray) -> dict:
    """What ``settings.diversity`` records: the draws, the real groups and their back-off levels."""
    levels = Counter("+".join(space.heads[j] for j, _ in g.key) or "whole pool" for g in groups)
    sizes = [len(g.members) for g in groups]
    return {"draws": draws.origin, "streams_scored": int(len(draws.streams)),
            "extra_streams_drawn": draws.extra, "draws_per_stream": sorted({len(f) for f in draws.features}),
            "real_pool": "train split",
            "real_group_photos_median": float(np.median(sizes)) if sizes else None,
            "real_group_photos_capped_at": MAX_GROUP_PHOTOS,
            "real_feature_spread_mean": float(real.mean()) if len(real) else None,
            "real_group_levels": dict(levels.most_common())}


def _real_pixels(catalog: Any, space: LabelSpace, size: int, settings: EvalConfig) -> dict:
    """``real_pixel_difference``: pairs of train photos sharing all labels."""
    train = np.asarray(catalog.indices("train"), dtype=np.int64)
    pairs = real_pixel_difference(_labels(catalog, space, train), settings.seed)
    if len(pairs) == 0:
        return {"real_pixel_difference": metric_entry(None, None, 0, "bootstrap")}
    images = catalog_images_at(catalog, size, train[pairs.ravel()])
    return {"real_pixel_difference": pair_pixel_entry(images[0::2], images[1::2], settings.seed,
                                                      settings.bootstrap_rounds)}


def _intra_fid(catalog: Any, space: LabelSpace, settings: EvalConfig,
               view: EvaluationView) -> tuple[dict, dict]:
    if HEAD not in space.heads:
        return undefined_intra_fid()
    column = space.heads.index(HEAD)
    chosen = torch.from_numpy(view.plan.generated)
    real_class = _labels(catalog, space, view.plan.reference)[:, column]
    return intra_fid(view.generated.final_pooled[chosen], view.asked[view.plan.generated, column],
                     view.all_features[torch.from_numpy(view.plan.reference)], real_class,
                     space.classes[HEAD], settings.seed)


def _per_pass(view: EvaluationView) -> list[torch.Tensor]:
    """The pooled features of FID's drawn images, one set per evaluation pass."""
    positions = view.plan.generated
    passes = positions // view.streams.n_test
    return [view.generated.final_pooled[torch.from_numpy(positions[passes == p])] for p in np.unique(passes)]


def diversity_metrics(source: ImageSource, catalog: Any, space: LabelSpace, settings: EvalConfig,
                      view: EvaluationView) -> DiversityResult:
    """Every diversity metric of the module doc for one evaluation."""
    start = time.perf_counter()
    metrics, diversity = _query_diversity(source, catalog, space, settings, view)
    metrics.update(_real_pixels(catalog, space, int(view.generated.final_images.shape[-1]), settings))
    prc = precision_recall(_per_pass(view), view.all_features[torch.from_numpy(view.plan.reference)],
                           settings.prc_k, settings.seed)
    metrics.update(prc)
    intra, counts = _intra_fid(catalog, space, settings, view)
    metrics.update(intra)
    dimension = int(view.all_features.shape[1])
    warnings = [f"intra-FID class {name!r} has {c['generated']} generated and {c['reference']} reference "
                f"images in {dimension}-d features: fewer than the dimension, so its FID is biased up"
                for name, c in counts.items() if min(c["generated"], c["reference"]) < dimension]
    prc_settings = {"k": settings.prc_k, "n_per_side": prc["improved_precision"]["n"], "rounds": PRC_ROUNDS,
                    "generated": "one pass per round", "features": "evaluation network (pooled)"}
    return DiversityResult(metrics, {"diversity": diversity, "prc": prc_settings, "intra_fid": counts},
                           warnings, time.perf_counter() - start)

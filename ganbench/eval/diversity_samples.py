"""The draws per-query diversity compares: several images of one test query stream, each with other noise.

Where they come from (our choices; ``[eval] diversity_samples`` = m, ``diversity_streams`` = s):

- the evaluation's own passes, when there are at least m (``n_samples`` = 3 passes): every test stream,
  one draw per pass (each pass has its own batch seeds), at no extra cost;
- otherwise (one pass, as in quick.toml) a seeded subset of s test streams (all when unset) gets m - passes
  extra draws each, seeded apart from the passes' (``SeedSequence([seed, DIVERSITY_TAG])``); they cost
  s x (m - passes) generated streams: 200 at the defaults, about 2/3 of a 300-stream pass;
- a source that shows the catalog's own photos (the ``real images`` row) would repeat one photo per
  stream, so its draws are instead min(m, group size) distinct held-out (val + test) photos sharing the
  query's real group (:class:`ganbench.eval.query_diversity.RealGroups`), asked of the source as the
  items to draw; a query whose group has fewer than two held-out photos is not scored for it. Its
  ``query_diversity`` is therefore ~1 by measurement (held-out against train photos of the same labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ganbench.eval.generation import EvaluationStreams, GeneratedSet, ImageSource, generate_and_extract
from ganbench.eval.query_diversity import matches

DIVERSITY_TAG = 0x646976  # "div": keeps the extra draws' seeds apart from the passes'


@dataclass
class StreamDraws:
    """Per scored test stream (``streams``: its index among the test streams), its draws' pooled features
    (m_i, D) and final images (m_i, 3, H, W); ``origin`` says where they came from, ``extra`` how many
    streams were drawn for them."""

    streams: np.ndarray
    features: list[np.ndarray]
    images: list[torch.Tensor]
    origin: str
    extra: int


@dataclass(frozen=True)
class DrawPlan:
    """What :func:`collect_draws` needs besides the source: the evaluation's streams and drawn set, the
    real groups of each test stream, the held-out labels and catalog indices, and the settings."""

    streams: EvaluationStreams
    generated: GeneratedSet
    group_keys: list[tuple]  # per test stream: the RealGroup key
    heldout_labels: np.ndarray
    heldout_items: np.ndarray
    samples: int
    subset: int | None
    seed: int
    batch_size: int
    device: str


def scored_streams(plan: DrawPlan) -> np.ndarray:
    """Every test stream when the passes give enough draws, else a seeded subset of ``plan.subset``
    of them (all when unset), sorted."""
    return scored_stream_indices(plan.streams.n_test, plan.streams.passes, plan.samples, plan.subset,
                                 plan.seed)


def scored_stream_indices(n_test: int, passes: int, samples: int, subset: int | None, seed: int
                          ) -> np.ndarray:
    """:func:`scored_streams` from the numbers alone (the image-folder schedule needs it before drawing)."""
    if passes >= samples or subset is None or subset >= n_test:
        return np.arange(n_test)
    return np.sort(np.random.default_rng([seed, DIVERSITY_TAG]).choice(n_test, subset, replace=False))


def extra_seed(seed: int) -> int:
    return int(np.random.SeedSequence([int(seed), DIVERSITY_TAG]).generate_state(1)[0])


def _draw(source: ImageSource, plan: DrawPlan, steps: list, items: np.ndarray, heads: list[str],
          extractor: Any) -> GeneratedSet:
    streams = EvaluationStreams(steps, np.asarray(items, dtype=np.int64), 1, len(steps), None)
    return generate_and_extract(source, streams, heads, extractor, extra_seed(plan.seed), plan.batch_size,
                                plan.device)


def collect_draws(source: ImageSource, plan: DrawPlan, heads: list[str], extractor: Any) -> StreamDraws:
    """The draws of every scored stream (see the module doc)."""
    passes, n_test = plan.streams.passes, plan.streams.n_test
    if source.shows_catalog_photos:
        return _photo_draws(source, plan, heads, extractor)
    chosen = scored_streams(plan)
    if passes >= plan.samples:
        rows = [chosen + p * n_test for p in range(passes)]
        return _gather(chosen, plan.generated, rows, None, [], f"{passes} passes", 0)
    repeats = plan.samples - passes
    steps = [plan.streams.steps[i] for i in chosen] * repeats  # draw-major; every row has its own noise
    extra = _draw(source, plan, steps, np.tile(plan.streams.items[chosen], repeats), heads, extractor)
    rows = [chosen + p * n_test for p in range(passes)]
    extra_rows = [np.arange(len(chosen)) + r * len(chosen) for r in range(repeats)]
    return _gather(chosen, plan.generated, rows, extra, extra_rows,
                   f"{passes} pass(es) + {repeats} extra draw(s) of {len(chosen)} streams", len(steps))


def _gather(chosen: np.ndarray, generated: GeneratedSet, rows: list[np.ndarray], extra: GeneratedSet | None,
            extra_rows: list[np.ndarray], origin: str, n_extra: int) -> StreamDraws:
    """Per chosen stream, the features and images at its ``rows`` of the passes and of the extra draws."""
    features, images = [], []
    for k in range(len(chosen)):
        at = [int(r[k]) for r in rows]
        parts_f, parts_i = [generated.final_pooled[at].numpy()], [generated.final_images[at]]
        if extra is not None:
            more = [int(r[k]) for r in extra_rows]
            parts_f.append(extra.final_pooled[more].numpy())
            parts_i.append(extra.final_images[more])
        features.append(np.concatenate(parts_f))
        images.append(torch.cat(parts_i))
    return StreamDraws(chosen, features, images, origin, n_extra)


def _photo_draws(source: ImageSource, plan: DrawPlan, heads: list[str], extractor: Any) -> StreamDraws:
    """Distinct held-out photos of each scored stream's real group, drawn through the source."""
    rng = np.random.default_rng([plan.seed, DIVERSITY_TAG, 1])
    chosen, picked = [], []
    for stream in scored_streams(plan):
        members = np.flatnonzero(matches(plan.heldout_labels, plan.group_keys[stream]))
        if len(members) >= 2:
            chosen.append(stream)
            drawn = rng.choice(members, min(plan.samples, len(members)), replace=False)
            picked.append(plan.heldout_items[drawn])
    if not chosen:
        return StreamDraws(np.zeros(0, dtype=np.int64), [], [], "held-out catalog photos", 0)
    steps = [plan.streams.steps[s] for s, items in zip(chosen, picked, strict=True) for _ in items]
    drawn = _draw(source, plan, steps, np.concatenate(picked), heads, extractor)
    ends = np.cumsum([len(items) for items in picked])
    features = [drawn.final_pooled[e - len(p):e].numpy() for p, e in zip(picked, ends, strict=True)]
    images = [drawn.final_images[e - len(p):e] for p, e in zip(picked, ends, strict=True)]
    return StreamDraws(np.asarray(chosen), features, images, "held-out catalog photos", len(steps))


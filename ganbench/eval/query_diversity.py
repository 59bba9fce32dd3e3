"""Per-query diversity: how much a generator's images of one query vary with the noise, against real photos.

For each scored query the *generated spread* is the mean pairwise Euclidean distance between the
evaluation network's pooled features of several draws of that query with different noise; the *real
spread* is the same mean over the train photos that share the query's labels. ``query_diversity`` is the
mean generated spread over the scored queries divided by the mean real spread over the same queries (our
choice: a ratio of means, since a mean of per-query ratios is inflated by the small real groups whose
spread happens to be small). 1 = as varied as real photos of the same labels; 0 = the noise is ignored;
above 1 = more varied than real photos (noise, not necessarily better). Spread: bootstrap over queries.

Real groups (our choices): the pool is the train split (the largest, as for retrieval). A query's group is
the train photos whose labels equal what the query asks for on the heads in :data:`PRIORITY` order
(type, gender, colour cluster, fit, length; a head the query does not ask about is not constrained).
When that group has fewer than :data:`MIN_PHOTOS` photos, or its photos are all identical (no spread to
compare with), the last constrained head is dropped (length first, then fit, colour, gender, type) until
it has; at worst the group is the whole pool. The level used per query is recorded.

"Seeds differ by" (descriptive, no direction): the mean absolute pixel difference (in /255) between draws
of one query, averaged over queries, and the same for pairs of train photos sharing all labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.spatial.distance import pdist

from ganbench.eval.attributes import ATTRIBUTES, UNKNOWN
from ganbench.eval.uncertainty import bootstrap_mean, bootstrap_statistic, metric_entry

PRIORITY = ATTRIBUTES  # heads kept longest first: type, gender, colour, fit, length
MIN_PHOTOS = 2
MAX_GROUP_PHOTOS = 200  # a seeded subset of a larger group (19,900 pairs) estimates its spread
MAX_PIXEL_PAIRS = 500

GroupKey = tuple[tuple[int, int], ...]  # ((label column, class), ...) the group is constrained on


def mean_pairwise_distance(features: np.ndarray) -> float:
    """Mean Euclidean distance over the distinct pairs of rows; NaN with fewer than two rows."""
    features = np.asarray(features, dtype=np.float64)
    return float(pdist(features).mean()) if len(features) >= 2 else float("nan")


def mean_pixel_difference(images: torch.Tensor) -> float:
    """Mean absolute pixel difference (0..1) over the distinct pairs of uint8 images (m, 3, H, W)."""
    if len(images) < 2:
        return float("nan")
    flat = images.reshape(len(images), -1).to(torch.int16)
    pairs = torch.combinations(torch.arange(len(images)), 2)
    return float((flat[pairs[:, 0]] - flat[pairs[:, 1]]).abs().float().mean() / 255.0)


def matches(labels: np.ndarray, key: GroupKey) -> np.ndarray:
    """Rows of ``labels`` (N, n_heads) that hold every (column, class) of ``key``."""
    chosen = np.ones(len(labels), dtype=bool)
    for column, value in key:
        chosen &= labels[:, column] == value
    return chosen


@dataclass(frozen=True)
class RealGroup:
    """A query's real group: its constraints, its pool rows and its spread in pooled features."""

    key: GroupKey
    members: np.ndarray
    spread: float


class RealGroups:
    """Train photos grouped by the labels a query asks for, backing off as the module doc says."""

    def __init__(self, labels: np.ndarray, features: np.ndarray, heads: Sequence[str], seed: int) -> None:
        self.labels, self.features = np.asarray(labels), np.asarray(features, dtype=np.float64)
        self.order = [heads.index(h) for h in PRIORITY if h in heads] + [
            j for j, h in enumerate(heads) if h not in PRIORITY]
        self.seed, self._cache = seed, {}

    def _group(self, key: GroupKey) -> RealGroup:
        if key not in self._cache:
            members = np.flatnonzero(matches(self.labels, key))
            shown = members
            if len(members) > MAX_GROUP_PHOTOS:
                rng = np.random.default_rng([self.seed, *np.ravel(key)])
                shown = np.sort(rng.choice(members, MAX_GROUP_PHOTOS, replace=False))
            self._cache[key] = RealGroup(key, members, mean_pairwise_distance(self.features[shown]))
        return self._cache[key]

    def group(self, asked: np.ndarray) -> RealGroup:
        """The finest group of ``asked`` (n_heads,; -1 = not asked) with >= 2 photos and a spread."""
        constrained = [(j, int(asked[j])) for j in self.order if asked[j] != UNKNOWN]
        for depth in range(len(constrained), -1, -1):
            group = self._group(tuple(constrained[:depth]))
            if len(group.members) >= MIN_PHOTOS and group.spread > 0:
                return group
        return self._group(())  # the whole pool, whatever it holds


def diversity_ratio(generated_spreads: np.ndarray, real_spreads: np.ndarray, seed: int, rounds: int) -> dict:
    """``query_diversity``: mean generated spread / mean real spread over the queries where both are
    defined, with a bootstrap over those queries."""
    generated_spreads, real_spreads = np.asarray(generated_spreads), np.asarray(real_spreads)
    scored = np.isfinite(generated_spreads) & np.isfinite(real_spreads) & (real_spreads > 0)
    top, bottom = generated_spreads[scored], real_spreads[scored]
    if not scored.any():
        return metric_entry(None, None, 0, "bootstrap")
    return bootstrap_statistic(int(scored.sum()), lambda idx: top[idx].mean() / bottom[idx].mean(), seed,
                               rounds)


def real_pixel_difference(labels: np.ndarray, seed: int, max_pairs: int = MAX_PIXEL_PAIRS) -> np.ndarray:
    """Up to ``max_pairs`` (first, second) row pairs of photos sharing all labels: a group (of >= 2
    photos) chosen uniformly, then two distinct members; an empty (0, 2) array when no group has two."""
    _, group_of, counts = np.unique(labels, axis=0, return_inverse=True, return_counts=True)
    group_of = np.ravel(group_of)
    groups = [np.flatnonzero(group_of == g) for g in np.flatnonzero(counts >= 2)]
    if not groups:
        return np.zeros((0, 2), dtype=np.int64)
    rng = np.random.default_rng(seed)
    picks = [rng.choice(groups[rng.integers(len(groups))], 2, replace=False) for _ in range(max_pairs)]
    return np.asarray(picks, dtype=np.int64)


def pair_pixel_entry(first: torch.Tensor, second: torch.Tensor, seed: int, rounds: int) -> dict:
    """Mean absolute pixel difference (0..1) of image pairs (first[i], second[i]), bootstrap over pairs."""
    if len(first) == 0:
        return metric_entry(None, None, 0, "bootstrap")
    per_pair = (first.to(torch.int16) - second.to(torch.int16)).abs().float().mean(dim=(1, 2, 3)) / 255.0
    return bootstrap_mean(per_pair.numpy().astype(np.float64), seed, rounds)

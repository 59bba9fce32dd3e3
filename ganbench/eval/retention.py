"""Refinement: what happens to the image when the shopper adds a word to the query.

For each stream and each step t >= 2, compared with step t-1 (predictions of the evaluation network):
- retention: every classified attribute the new words do *not* touch keeps its predicted class;
- response: every attribute the new words *do* touch is predicted as the requested class, counted only
  where the previous image did **not** already show the requested value (did the image change to what
  was asked?). An image that never changes therefore scores 0, never "responds by luck". The older
  figure, which counts every touched step, is kept as ``response_rate_raw``;
- ``refinement_score``: the harmonic mean of ``retention_rate`` and ``response_rate`` (0 when either is 0),
  so neither a static image (retention 1, response 0) nor one that redraws everything wins;
- step feature distance: L2 distance between the pooled classifier features of the two images (the
  image should change only as much as the request needs).
Rates pool all (stream, step, attribute) observations; spreads bootstrap whole streams (observations of
one stream are not independent). A rate with no qualifying observation is undefined: ``mean`` null (shown
as n/a), never 0 or 1. Our choice where the paper is silent: "touch" means the parsed value of the
attribute for the whole prefix changed when the words were added.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganbench.eval.attributes import UNKNOWN, Requests
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_statistic, metric_entry

RATE_NAMES = ("retention_rate", "response_rate", "response_rate_raw", "refinement_score",
              "step_feature_distance")
TABLE_NAMES = ("retention_by_attribute", "response_by_attribute")


def _pooled_ratio(hits: np.ndarray, counts: np.ndarray, idx: np.ndarray) -> float:
    total = counts[idx].sum()
    return float(hits[idx].sum() / total) if total else float("nan")


def ratio_over_streams(hits: np.ndarray, counts: np.ndarray, seed: int, rounds: int) -> dict:
    """sum(hits) / sum(counts) over streams, bootstrapped over streams that have observations."""
    keep = counts > 0
    hits, counts = hits[keep], counts[keep]
    entry = bootstrap_statistic(len(counts), lambda idx: _pooled_ratio(hits, counts, idx), seed, rounds)
    entry["n"] = int(counts.sum())
    return entry


def harmonic_mean(a: float, b: float) -> float:
    """2ab / (a + b); 0 when both are 0; NaN when either is undefined (NaN)."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return float("nan")
    return 0.0 if a + b == 0 else float(2 * a * b / (a + b))


def _refinement_score(retained: tuple[np.ndarray, np.ndarray], responded: tuple[np.ndarray, np.ndarray],
                      seed: int, rounds: int) -> dict:
    """Harmonic mean of the two pooled rates, both resampled with the same streams in each round."""
    if retained[1].sum() == 0 or responded[1].sum() == 0:
        return metric_entry(None, None, 0, "bootstrap")
    keep = (retained[1] + responded[1]) > 0
    retained, responded = (retained[0][keep], retained[1][keep]), (responded[0][keep], responded[1][keep])

    def score(idx: np.ndarray) -> float:
        return harmonic_mean(_pooled_ratio(*retained, idx), _pooled_ratio(*responded, idx))

    entry = bootstrap_statistic(int(keep.sum()), score, seed, rounds)
    entry["n"] = int(retained[1].sum() + responded[1].sum())
    return entry


def refinement_metrics(
    predicted: np.ndarray,
    pooled: np.ndarray,
    requests: Requests,
    heads: Sequence[str],
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
) -> dict:
    """``retention_rate``, ``response_rate`` (+ ``_raw``), ``refinement_score``, ``step_feature_distance``
    and the per-attribute splits of retention and response.

    ``predicted`` (n_streams, max_steps, n_heads) predicted classes, ``pooled`` (n_streams, max_steps, D)
    pooled features, both padded past each stream's end.
    """
    steps = np.arange(predicted.shape[1])[None, :]
    valid = (steps >= 1) & (steps < requests.n_steps[:, None])  # (S, T): steps with a predecessor
    same = predicted[:, 1:] == predicted[:, :-1]  # (S, T-1, H)
    asked = requests.labels[:, 1:]
    untouched = ~requests.touched[:, 1:] & valid[:, 1:, None]
    answerable = requests.touched[:, 1:] & valid[:, 1:, None] & (asked != UNKNOWN)
    not_shown_before = answerable & (predicted[:, :-1] != asked)
    responded = predicted[:, 1:] == asked
    distance = np.linalg.norm(pooled[:, 1:] - pooled[:, :-1], axis=-1) * valid[:, 1:]

    def counts(hit: np.ndarray, mask: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        return (hit & mask).sum(axis=axes), mask.sum(axis=axes)

    def rate(hit: np.ndarray, mask: np.ndarray, axes: tuple[int, ...]) -> dict:
        return ratio_over_streams(*counts(hit, mask, axes), seed, rounds)

    retention, response = counts(same, untouched, (1, 2)), counts(responded, not_shown_before, (1, 2))
    metrics = {
        "retention_rate": ratio_over_streams(*retention, seed, rounds),
        "response_rate": ratio_over_streams(*response, seed, rounds),
        "response_rate_raw": rate(responded, answerable, (1, 2)),
        "refinement_score": _refinement_score(retention, response, seed, rounds),
        "step_feature_distance": ratio_over_streams(
            distance.sum(axis=1), valid[:, 1:].sum(axis=1), seed, rounds
        ),
    }
    metrics["retention_by_attribute"] = {
        h: rate(same[..., j], untouched[..., j], (1,)) for j, h in enumerate(heads)
    }
    metrics["response_by_attribute"] = {
        h: rate(responded[..., j], not_shown_before[..., j], (1,)) for j, h in enumerate(heads)
    }
    return metrics


def undefined_refinement(heads: Sequence[str]) -> dict:
    """Every refinement metric as undefined (n/a): for image sources that draw no refinement sequence."""
    empty = metric_entry(None, None, 0, "bootstrap")
    out: dict = {name: dict(empty) for name in RATE_NAMES}
    out.update({name: {h: dict(empty) for h in heads} for name in TABLE_NAMES})
    return out

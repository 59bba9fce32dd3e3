"""Refinement retention: what happens to the image when the shopper adds a word to the query.

For each stream and each step t >= 2, compared with step t-1 (predictions of the evaluation network):
- retention: every classified attribute the new words do *not* touch keeps its predicted class;
- response: every attribute the new words *do* touch is predicted as the requested class (only where
  the requested value is a class of that head);
- step feature distance: L2 distance between the pooled classifier features of the two images (the
  image should change only as much as the request needs).
Rates pool all (stream, step, attribute) observations; spreads bootstrap whole streams (observations of
one stream are not independent). Our choice where the paper is silent: "touch" means the parsed value
of the attribute for the whole prefix changed when the words were added.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganbench.eval.attributes import UNKNOWN, Requests
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_statistic


def _ratio_over_streams(hits: np.ndarray, counts: np.ndarray, seed: int, rounds: int) -> dict:
    """sum(hits) / sum(counts) over streams, bootstrapped over streams that have observations."""
    keep = counts > 0
    hits, counts = hits[keep], counts[keep]

    def ratio(idx: np.ndarray) -> float:
        total = counts[idx].sum()
        return float(hits[idx].sum() / total) if total else float("nan")

    entry = bootstrap_statistic(len(counts), ratio, seed, rounds)
    entry["n"] = int(counts.sum())
    return entry


def refinement_metrics(
    predicted: np.ndarray,
    pooled: np.ndarray,
    requests: Requests,
    heads: Sequence[str],
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
) -> dict:
    """``retention_rate``, ``response_rate``, ``step_feature_distance`` and their per-attribute splits.

    ``predicted`` (n_streams, max_steps, n_heads) predicted classes, ``pooled`` (n_streams, max_steps, D)
    pooled features, both padded past each stream's end.
    """
    steps = np.arange(predicted.shape[1])[None, :]
    valid = (steps >= 1) & (steps < requests.n_steps[:, None])  # (S, T): steps with a predecessor
    same = predicted[:, 1:] == predicted[:, :-1]  # (S, T-1, H)
    untouched = ~requests.touched[:, 1:] & valid[:, 1:, None]
    answerable = requests.touched[:, 1:] & valid[:, 1:, None] & (requests.labels[:, 1:] != UNKNOWN)
    responded = predicted[:, 1:] == requests.labels[:, 1:]
    distance = np.linalg.norm(pooled[:, 1:] - pooled[:, :-1], axis=-1) * valid[:, 1:]

    def rate(hit: np.ndarray, mask: np.ndarray, axes: tuple[int, ...]) -> dict:
        return _ratio_over_streams((hit & mask).sum(axis=axes), mask.sum(axis=axes), seed, rounds)

    metrics = {
        "retention_rate": rate(same, untouched, (1, 2)),
        "response_rate": rate(responded, answerable, (1, 2)),
        "step_feature_distance": _ratio_over_streams(
            distance.sum(axis=1), valid[:, 1:].sum(axis=1), seed, rounds
        ),
    }
    metrics["retention_by_attribute"] = {
        h: rate(same[..., j], untouched[..., j], (1,)) for j, h in enumerate(heads)
    }
    metrics["response_by_attribute"] = {
        h: rate(responded[..., j], answerable[..., j], (1,)) for j, h in enumerate(heads)
    }
    return metrics

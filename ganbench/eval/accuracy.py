"""Attribute accuracy: the share of generated images whose predicted class is the one the query asked for.

Scored per head on the final image of each query stream, over the streams whose full query names a
value of that head (a query that does not mention fit is not scored on fit). Spread: bootstrap.
The majority-class rate is the accuracy's floor for a generator that ignores its text: the share of the
same scored streams that ask for the most requested class (a model that always draws that class scores
it), exact, with the class named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ganbench.eval.attributes import UNKNOWN
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_mean, metric_entry

MAJORITY_METRIC = "majority_rate"


def attribute_accuracy(
    predicted: np.ndarray,
    requested: np.ndarray,
    heads: Sequence[str],
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
) -> dict[str, dict]:
    """Per head: accuracy of ``predicted`` (N, n_heads) against ``requested`` (N, n_heads; -1 = not asked)."""
    if predicted.shape != requested.shape or predicted.shape[1:] != (len(heads),):
        raise ValueError(
            f"predicted {predicted.shape} and requested {requested.shape} must both be "
            f"(n_images, {len(heads)})"
        )
    out = {}
    for j, head in enumerate(heads):
        asked = requested[:, j] != UNKNOWN
        out[head] = bootstrap_mean(
            (predicted[asked, j] == requested[asked, j]).astype(np.float64), seed, rounds
        )
    return out


def majority_rate(requested: np.ndarray, classes: Mapping[str, Sequence[str]]) -> dict[str, dict]:
    """Per head of ``classes`` (head order = the columns of ``requested``, -1 = not asked): the share of
    the asking streams that ask for the most requested class, as an exact ``metric_entry`` plus
    ``"class"``; heads no stream asks about get a ``None`` mean."""
    heads = list(classes)
    if requested.ndim != 2 or requested.shape[1] != len(heads):
        raise ValueError(f"requested {requested.shape} must be (n_streams, {len(heads)})")
    out = {}
    for j, head in enumerate(heads):
        asked = requested[requested[:, j] != UNKNOWN, j]
        if asked.size == 0:
            out[head] = metric_entry(None, None, 0, "exact") | {"class": None}
            continue
        counts = np.bincount(asked, minlength=len(classes[head]))
        top = int(counts.argmax())
        out[head] = metric_entry(counts[top] / asked.size, None, asked.size, "exact") | {
            "class": classes[head][top]}
    return out

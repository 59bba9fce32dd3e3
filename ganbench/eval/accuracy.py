"""Attribute accuracy: the share of generated images whose predicted class is the one the query asked for.

Scored per head on the final image of each query stream, over the streams whose full query names a
value of that head (a query that does not mention fit is not scored on fit). Spread: bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganbench.eval.attributes import UNKNOWN
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_mean


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

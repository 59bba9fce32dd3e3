"""Colour-term study figures over between-cluster pairs only: the figure comparable across models.

A model that reads colour words as their lookup-table cluster token gives every term of one cluster the
same vector, so every within-cluster pair sits at embedding distance 0 by construction, exactly where
CIEDE2000 is small too. That alone raises its Spearman rho and nearest-neighbour agreement over all pairs.
Over pairs whose terms lie in *different* clusters no model gets that for free:

- ``rho_between``: Spearman rho between CIEDE2000 and embedding distance over between-cluster pairs (no
  p-value: pairs within a cluster-structured vocabulary are not exchangeable, so shuffling terms gives
  no valid null, and a cluster-level permutation has too few clusters to be worth much);
- ``nn_between``: share of terms whose nearest term in another cluster is the same by CIEDE2000 and by
  embedding distance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import spearmanr


def between_cluster_mask(terms: Sequence[str], cluster_of: Mapping[str, int | None]) -> np.ndarray:
    """(n, n) bool: True where both terms have a cluster and the clusters differ."""
    clusters = np.array([-1 if cluster_of.get(t) is None else int(cluster_of[t]) for t in terms])
    known = clusters >= 0
    return (clusters[:, None] != clusters[None, :]) & known[:, None] & known[None, :]


def between_cluster_figures(matrices: Mapping, cluster_of: Mapping[str, int | None]) -> dict[str, float]:
    """``rho_between``, ``nn_between`` and ``between_pairs`` from a study's matrices ({"terms",
    "perceptual", "embedding"}, as ``colorspace.study.run_study`` returns)."""
    terms = list(matrices["terms"])
    perceptual = np.asarray(matrices["perceptual"], dtype=np.float64)
    embedding = np.asarray(matrices["embedding"], dtype=np.float64)
    mask = between_cluster_mask(terms, cluster_of)
    upper = np.triu(mask, k=1)
    pairs = int(upper.sum())
    if pairs < 3:
        return {"rho_between": math.nan, "nn_between": math.nan, "between_pairs": pairs}
    rho = float(spearmanr(perceptual[upper], embedding[upper]).statistic)
    return {"rho_between": rho, "nn_between": _nn_agreement(perceptual, embedding, mask),
            "between_pairs": pairs}


def _nn_agreement(perceptual: np.ndarray, embedding: np.ndarray, mask: np.ndarray) -> float:
    """Share of terms (with any other-cluster term) whose nearest other-cluster term agrees."""
    has_other = mask.any(axis=1)
    if not has_other.any():
        return math.nan
    by_de = np.where(mask, perceptual, np.inf).argmin(axis=1)
    by_embedding = np.where(mask, embedding, np.inf).argmin(axis=1)
    return float((by_de == by_embedding)[has_other].mean())

"""Cluster colour terms in CIELAB: k-means in Lab, or hierarchical linkage on CIEDE2000 distances.

Deterministic: k-means uses a fixed ``random_state``; cluster ids are numbered by each cluster's most
popular member (terms are given most popular first, or with explicit weights), so the same input always
gives the same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from colorspace.difference import pairwise_delta_e
from colorspace.vocabulary import ColourTerm

Method = Literal["average", "complete", "single", "kmeans"]
Naming = Literal["frequent", "central"]
LINKAGES = ("average", "complete", "single")


@dataclass(frozen=True)
class Cluster:
    """A group of colour terms: ``id``, mean Lab ``centroid``, display ``name`` and ``members``."""

    id: int
    centroid: tuple[float, float, float]
    name: str
    members: tuple[str, ...]


class ClusteringError(ValueError):
    """Raised for clustering parameters that do not fit the input."""


def _kmeans_labels(lab: np.ndarray, k: int, random_state: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=random_state).fit_predict(lab)


def _linkage_labels(lab: np.ndarray, method: str, k: int | None, max_de: float | None) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    tree = linkage(squareform(pairwise_delta_e(lab), checks=False), method=method)
    if k is not None:
        return fcluster(tree, t=k, criterion="maxclust")
    return fcluster(tree, t=max_de, criterion="distance")


def _check_parameters(n_terms: int, method: str, k: int | None, max_de: float | None) -> None:
    if method not in (*LINKAGES, "kmeans"):
        raise ClusteringError(f"method must be one of {', '.join((*LINKAGES, 'kmeans'))}, got {method!r}")
    if n_terms < 1:
        raise ClusteringError("no colour terms to cluster: expected at least one term")
    if method == "kmeans" and k is None:
        raise ClusteringError("k-means needs k (the number of clusters)")
    if (k is None) == (max_de is None) and method != "kmeans":
        raise ClusteringError("give exactly one of k (number of clusters) or max_de (a dE00 cut height)")
    if k is not None and not 1 <= k <= n_terms:
        raise ClusteringError(f"k must be between 1 and the number of terms ({n_terms}), got {k}")
    if max_de is not None and max_de <= 0:
        raise ClusteringError(f"max_de must be a positive CIEDE2000 distance, got {max_de}")


def _display_name(indices: np.ndarray, weights: np.ndarray, distances: np.ndarray, naming: str) -> int:
    """Index of the member that names the cluster: highest weight, or smallest summed dE00 (medoid)."""
    if naming == "frequent":
        return int(indices[np.argmax(weights[indices])])  # argmax takes the first (most popular) on ties
    return int(indices[np.argmin(distances[np.ix_(indices, indices)].sum(1))])


def cluster_terms(
    terms: Sequence[ColourTerm],
    method: Method = "average",
    k: int | None = None,
    max_de: float | None = None,
    weights: Sequence[float] | None = None,
    naming: Naming = "frequent",
    random_state: int = 0,
) -> list[Cluster]:
    """Cluster ``terms`` (most popular first) and return clusters numbered 0.. by most popular member.

    - ``method="kmeans"``: k-means on Lab coordinates (Euclidean, i.e. CIE76), ``k`` required.
    - ``method="average"`` (or "complete"/"single"): hierarchical linkage on the CIEDE2000 distance
      matrix, cut into ``k`` clusters or at height ``max_de``. With average linkage, ``max_de`` bounds the
      mean dE00 between any two groups that were merged; with complete linkage it is the largest dE00
      between any two members of a cluster.
    ``weights`` (popularity, default decreasing with position) choose the ``"frequent"`` display name;
    ``naming="central"`` names a cluster by its medoid (smallest summed dE00 to the other members).
    Centroids are the unweighted mean Lab of the members (our choice; the paper does not say).
    """
    _check_parameters(len(terms), method, k, max_de)
    lab = np.array([term.lab for term in terms], dtype=np.float64)
    weight = np.asarray(weights if weights is not None else -np.arange(len(terms)), dtype=np.float64)
    if weight.shape != (len(terms),):
        raise ClusteringError(f"weights must have one value per term ({len(terms)}), got {weight.shape}")
    if method == "kmeans":
        labels = _kmeans_labels(lab, k, random_state)
    else:
        labels = _linkage_labels(lab, method, k, max_de)
    distances = pairwise_delta_e(lab) if naming == "central" else np.zeros((0, 0))
    groups = [np.flatnonzero(labels == value) for value in np.unique(labels)]
    groups.sort(key=lambda idx: (-weight[idx].max(), int(idx[np.argmax(weight[idx])])))
    return [
        Cluster(
            id=cluster_id,
            centroid=tuple(float(v) for v in lab[idx].mean(0)),
            name=terms[_display_name(idx, weight, distances, naming)].name,
            members=tuple(terms[i].name for i in idx),
        )
        for cluster_id, idx in enumerate(groups)
    ]

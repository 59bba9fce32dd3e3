"""Retrieval for product discovery: does the generated image find products that match the query?

Each generated image (final step of its stream) retrieves its k nearest products of the gallery by
cosine similarity of the evaluation network's pooled features. The gallery is the catalog's train split
(what a shop has on offer; our choice), and the stream's own item is never retrieved (excluded should it
be in the gallery). A retrieved product is relevant when it has every attribute value the query asks for
(colour compared by lookup-table cluster).

- ``precision_at_k`` = relevant retrieved / min(k, relevant products in the gallery): 1 is reachable
  for every query, however few products match it (the raw share has a ceiling of relevant / k);
- ``precision_at_k_raw`` = relevant retrieved / k.
Queries that ask for no classified attribute, or have no relevant product in the gallery, are not scored.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.eval.attributes import UNKNOWN
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_mean

NO_EXCLUSION = -1


def nearest_products(
    queries: torch.Tensor, gallery: torch.Tensor, k: int, exclude: np.ndarray | None = None
) -> np.ndarray:
    """(N, k) gallery indices by falling cosine similarity; ``exclude[i]`` (a gallery index, or -1) is
    never returned for query i."""
    limit = len(gallery) - (0 if exclude is None or (np.asarray(exclude) < 0).all() else 1)
    if k < 1 or k > limit:
        raise ValueError(f"k must be between 1 and the gallery size {limit}, got {k}")
    q = torch.nn.functional.normalize(queries.double(), dim=1)
    g = torch.nn.functional.normalize(gallery.double(), dim=1)
    similarity = q @ g.T
    if exclude is not None:
        rows = np.flatnonzero(np.asarray(exclude) >= 0)
        similarity[rows, np.asarray(exclude)[rows]] = -torch.inf
    return torch.topk(similarity, k, dim=1).indices.numpy()


def precision_at_k(
    queries: torch.Tensor,
    gallery: torch.Tensor,
    gallery_labels: np.ndarray,
    requested: np.ndarray,
    k: int,
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
    exclude: np.ndarray | None = None,
) -> dict[str, dict]:
    """``{"precision_at_k", "precision_at_k_raw"}``: means with their bootstrap spread over queries."""
    neighbours = nearest_products(queries, gallery, k, exclude)
    asked = requested != UNKNOWN  # (N, H)
    matches = ((gallery_labels[None] == requested[:, None, :]) | ~asked[:, None, :]).all(axis=2)  # (N, G)
    if exclude is not None:
        rows = np.flatnonzero(np.asarray(exclude) >= 0)
        matches[rows, np.asarray(exclude)[rows]] = False
    hits = np.take_along_axis(matches, neighbours, axis=1).sum(axis=1).astype(np.float64)
    relevant = matches.sum(axis=1)
    scored = asked.any(axis=1) & (relevant > 0)
    normalised = np.where(scored, hits / np.maximum(np.minimum(k, relevant), 1), np.nan)
    raw = np.where(scored, hits / k, np.nan)
    return {
        "precision_at_k": bootstrap_mean(normalised, seed, rounds),
        "precision_at_k_raw": bootstrap_mean(raw, seed, rounds),
    }

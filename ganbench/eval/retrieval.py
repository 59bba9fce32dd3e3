"""Retrieval for product discovery: does the generated image find products that match the query?

Each generated image (final step of its stream) retrieves its k nearest real catalog products by
cosine similarity of the evaluation network's pooled features; a retrieved product is relevant when
it has every attribute value the query asks for (colour compared by lookup-table cluster). The gallery
is the whole catalog (all splits: it is what the shop sells; our choice). precision@k = share of
relevant products among the k; queries that ask for no classified attribute are not scored.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.config import EvalConfig
from ganbench.eval.attributes import UNKNOWN
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_mean

DEFAULT_K = EvalConfig.k  # the setting's one default


def nearest_products(queries: torch.Tensor, gallery: torch.Tensor, k: int) -> np.ndarray:
    """(N, k) gallery indices by falling cosine similarity."""
    if k < 1 or k > len(gallery):
        raise ValueError(f"k must be between 1 and the gallery size {len(gallery)}, got {k}")
    q = torch.nn.functional.normalize(queries.double(), dim=1)
    g = torch.nn.functional.normalize(gallery.double(), dim=1)
    return torch.topk(q @ g.T, k, dim=1).indices.numpy()


def precision_at_k(
    queries: torch.Tensor,
    gallery: torch.Tensor,
    gallery_labels: np.ndarray,
    requested: np.ndarray,
    k: int,
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
) -> dict:
    """Mean precision@k with its bootstrap spread over queries."""
    neighbours = nearest_products(queries, gallery, k)
    asked = requested != UNKNOWN  # (N, H)
    retrieved = gallery_labels[neighbours]  # (N, k, H)
    relevant = ((retrieved == requested[:, None, :]) | ~asked[:, None, :]).all(axis=2)
    per_query = np.where(asked.any(axis=1), relevant.mean(axis=1), np.nan)
    return bootstrap_mean(per_query, seed, rounds)

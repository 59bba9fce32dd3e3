"""The vector a model gives each colour term, as the model reads it: what colour-term studies compare
with CIEDE2000 (``ganbench colors study --run`` and the report's study, through the run's stored media).

A model whose text policy turns colour words into cluster tokens reads every term of a cluster as that
cluster's token, so those terms share one vector; any other model reads the term's words (a multi-word
term is the mean of its words' vectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colorspace.study import VectorCoverage, vectors_for_terms
from ganbench.data.batches import colour_token
from ganbench.models.base import GanModel


@dataclass
class TermVectors:
    """Vectors per colour term, which terms got one, and ``source``: "cluster token" or "word"."""

    vectors: dict[str, np.ndarray]
    coverage: VectorCoverage
    source: str


def colour_term_vectors(model: GanModel, terms: Sequence[str] | None = None) -> TermVectors | None:
    """The model's vector for each of ``terms`` (default: its lookup table's terms); ``None`` when the
    model has no word embeddings."""
    embeddings, lookup = model.token_embeddings(), model.context.lookup
    if embeddings is None:
        return None
    tokens, matrix = embeddings
    rows = matrix.detach().float().cpu().numpy()
    by_token = {token: rows[i] for i, token in enumerate(tokens)}
    terms = list(terms if terms is not None else (lookup.terms if lookup is not None else []))
    if not (model.text_policy().colour_tokens and lookup is not None):
        vectors, coverage = vectors_for_terms(by_token, terms)
        return TermVectors(vectors, coverage, "word")
    vectors: dict[str, np.ndarray] = {}
    for term in terms:
        cluster = lookup.cluster_of(term)
        if cluster is not None and colour_token(cluster) in by_token:
            vectors[term] = np.asarray(by_token[colour_token(cluster)], dtype=np.float64)
    missing = [term for term in terms if term not in vectors]
    return TermVectors(vectors, VectorCoverage(list(vectors), [], missing), "cluster token")

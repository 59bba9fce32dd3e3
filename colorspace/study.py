"""Colour-term embedding study: do embedding distances follow perceptual (CIEDE2000) distances?

Given a vector per colour term (from a word-vector text file, or from a trained text encoder) and a Lab
per term, we compare cosine distances between embeddings with CIEDE2000 between Lab values:
- Spearman rho over all term pairs, with a permutation (Mantel) p-value: term labels of the embedding
  matrix are shuffled ``n_permutations`` times with a seeded generator;
- nearest-neighbour agreement: the share of terms whose nearest term is the same in both spaces, and the
  mean overlap of the k nearest neighbours;
- per-term outliers: each term's own Spearman rho between its two distance rows (low = outlier).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr

from colorspace.difference import pairwise_delta_e
from colorspace.vocabulary import normalise_name


class StudyInputError(ValueError):
    """Raised for word vectors or terms the study cannot use."""


@dataclass(frozen=True)
class VectorCoverage:
    """Which terms got a vector: directly, by averaging their words' vectors, or not at all."""

    direct: list[str]
    averaged: list[str]
    missing: list[str]


def read_word_vectors(path: str | Path, terms: Sequence[str]) -> tuple[dict[str, np.ndarray], VectorCoverage]:
    """Vectors for ``terms`` from a text file of lines ``word v1 v2 ...`` (GloVe/word2vec text format).

    Multi-word terms are looked up as written with ``_`` or ``-`` ("navy_blue") and otherwise averaged
    from their words' vectors. Only the needed words are kept, so large files stream through.
    A first line of two integers (word2vec header) is skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise StudyInputError(f"word-vector file not found: {path}")
    wanted = {normalise_name(t) for t in terms}
    wanted |= {w for t in wanted for w in t.split(" ")}
    found: dict[str, np.ndarray] = {}
    dimension = None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue
            word = normalise_name(parts[0])
            if word not in wanted or word in found or len(parts) < 2:
                continue
            try:
                vector = np.array(parts[1:], dtype=np.float64)
            except ValueError as error:
                message = f"{path}:{number}: expected 'word v1 v2 ...' with numbers ({error})"
                raise StudyInputError(message) from error
            if dimension is not None and len(vector) != dimension:
                message = f"{path}:{number}: {len(vector)} numbers, but earlier lines had {dimension}"
                raise StudyInputError(message)
            dimension = len(vector)
            found[word] = vector
    return vectors_for_terms(found, terms)


def vectors_for_terms(word_vectors: Mapping[str, np.ndarray],
                      terms: Sequence[str]) -> tuple[dict[str, np.ndarray], VectorCoverage]:  # fmt: skip
    """Pick or average (multi-word terms) vectors for ``terms`` from a word -> vector mapping."""
    vectors = {normalise_name(w): np.asarray(v, dtype=np.float64) for w, v in word_vectors.items()}
    out, direct, averaged, missing = {}, [], [], []
    for term in (normalise_name(t) for t in terms):
        words = term.split(" ")
        if term in vectors:
            out[term] = vectors[term]
            direct.append(term)
        elif len(words) > 1 and all(w in vectors for w in words):
            out[term] = np.mean([vectors[w] for w in words], axis=0)
            averaged.append(term)
        else:
            missing.append(term)
    return out, VectorCoverage(direct, averaged, missing)


def cosine_distances(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if (norms == 0).any():
        raise StudyInputError("a term has an all-zero vector; cosine distance is undefined for it")
    unit = matrix / norms
    return np.clip(1.0 - unit @ unit.T, 0.0, 2.0)


def mantel_spearman(a: np.ndarray, b: np.ndarray, n_permutations: int, seed: int) -> tuple[float, float]:
    """Spearman rho between the upper triangles of two distance matrices and its one-sided permutation
    p-value (share of label shuffles of ``b`` reaching at least the observed rho, with +1 smoothing)."""
    upper = np.triu_indices(len(a), k=1)
    ranks_a = rankdata(a[upper])
    ranks_a = (ranks_a - ranks_a.mean()) / ranks_a.std()
    rank_matrix = np.zeros_like(b, dtype=np.float64)
    rank_matrix[upper] = rankdata(b[upper])
    rank_matrix += rank_matrix.T

    def rho_of(order: np.ndarray) -> float:
        values = rank_matrix[np.ix_(order, order)][upper]
        return float(np.mean(ranks_a * (values - values.mean()) / values.std()))

    observed = rho_of(np.arange(len(a)))
    rng = np.random.default_rng(seed)
    hits = sum(rho_of(rng.permutation(len(a))) >= observed for _ in range(n_permutations))
    return observed, (hits + 1) / (n_permutations + 1)


def _neighbours(distances: np.ndarray, k: int) -> np.ndarray:
    masked = distances + np.diag(np.full(len(distances), np.inf))
    return np.argsort(masked, axis=1, kind="stable")[:, :k]


@dataclass(frozen=True)
class StudyResult:
    n_terms: int
    spearman_rho: float
    p_value: float
    n_permutations: int
    nn_agreement: float
    knn_overlap: float
    k: int
    coverage: VectorCoverage


def run_study(vectors: Mapping[str, np.ndarray], term_labs: Mapping[str, Sequence[float]],
              cluster_of: Mapping[str, int] | None = None, n_permutations: int = 1000, seed: int = 0,
              k: int = 5, coverage: VectorCoverage | None = None,
              ) -> tuple[StudyResult, pd.DataFrame, dict[str, np.ndarray]]:  # fmt: skip
    """Compare embeddings with CIEDE2000 over the terms having both; returns (summary, per-term table,
    {"terms", "perceptual", "embedding"} matrices for plotting). ``coverage`` is reported as given."""
    terms = [t for t in term_labs if t in vectors]
    if coverage is None:
        coverage = VectorCoverage(list(terms), [], [t for t in term_labs if t not in vectors])
    if len(terms) < 4:
        raise StudyInputError(f"need vectors for at least 4 colour terms, got {len(terms)}")
    perceptual = pairwise_delta_e(np.array([term_labs[t] for t in terms]))
    embedding = cosine_distances(np.stack([vectors[t] for t in terms]))
    rho, p_value = mantel_spearman(perceptual, embedding, n_permutations, seed)
    k = min(k, len(terms) - 1)
    nn_lab, nn_emb = _neighbours(perceptual, k), _neighbours(embedding, k)
    overlap = np.array([len(set(a) & set(b)) / k for a, b in zip(nn_lab, nn_emb, strict=True)])
    rows = []
    for i, term in enumerate(terms):
        others = np.arange(len(terms)) != i
        row_rho = spearmanr(perceptual[i, others], embedding[i, others]).statistic
        rows.append({"term": term, "cluster_id": (cluster_of or {}).get(term), "row_spearman": row_rho,
                     "nearest_by_de00": terms[nn_lab[i, 0]], "nearest_by_embedding": terms[nn_emb[i, 0]],
                     "nn_agree": bool(nn_lab[i, 0] == nn_emb[i, 0]),
                     f"knn{k}_overlap": overlap[i]})  # fmt: skip
    table = pd.DataFrame(rows).sort_values("row_spearman", ignore_index=True)
    summary = StudyResult(len(terms), rho, p_value, n_permutations, float(table["nn_agree"].mean()),
                          float(overlap.mean()), k, coverage)  # fmt: skip
    return summary, table, {"terms": terms, "perceptual": perceptual, "embedding": embedding}


def write_study(out_dir: str | Path, summary: StudyResult, table: pd.DataFrame, matrices: dict,
                term_labs: Mapping[str, Sequence[float]], clusters: Sequence,
                cluster_of: Mapping[str, int]) -> list[Path]:  # fmt: skip
    """Write ``terms.csv``, ``summary.json`` and the four plots; returns the written paths."""
    from colorspace import plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "terms.csv", index=False, float_format="%.4f")
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=1) + "\n")
    terms = matrices["terms"]
    order = sorted(range(len(terms)), key=lambda i: (cluster_of.get(terms[i], 10**6), i))
    ordered = [terms[i] for i in order]
    upper = np.triu_indices(len(terms), k=1)
    labs = np.array([term_labs[t] for t in terms])
    studied = [c for c in clusters if any(m in set(terms) for m in c.members)]
    return [
        out / "terms.csv", out / "summary.json",
        plots.distance_scatter(matrices["perceptual"][upper], matrices["embedding"][upper],
                               out / "distance_scatter.png", summary.spearman_rho),
        plots.swatch_grid(studied, term_labs, out / "cluster_swatches.png", title="studied clusters"),
        plots.ab_scatter(terms, labs, [cluster_of.get(t, 0) for t in terms], out / "ab_scatter.png"),
        plots.distance_heatmaps(ordered, matrices["perceptual"][np.ix_(order, order)],
                                matrices["embedding"][np.ix_(order, order)], out / "heatmaps.png"),
    ]  # fmt: skip

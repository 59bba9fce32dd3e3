"""Plots of colour terms: swatch grids per cluster, Lab a*b* scatter, distance scatter and heatmaps.

Matplotlib with the Agg backend (no display needed). Every function writes one PNG and returns its path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from colorspace.cluster import Cluster
from colorspace.convert import lab_to_srgb


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rgb(lab: Sequence[float]) -> np.ndarray:
    return lab_to_srgb(np.asarray(lab, dtype=np.float64))


def _text_colour(lab: Sequence[float]) -> str:
    return "black" if lab[0] > 55 else "white"


def swatch_grid(clusters: Sequence[Cluster], term_labs: Mapping[str, Sequence[float]], path: str | Path,
                title: str = "", max_columns: int = 10, dpi: int = 80) -> Path:  # fmt: skip
    """One row per cluster: its centroid swatch, then a swatch per member term, named."""
    plt = _pyplot()
    columns = min(max_columns, max(len(c.members) for c in clusters)) + 1
    rows = sum(-(-len(c.members) // (columns - 1)) for c in clusters)
    fig, ax = plt.subplots(figsize=(1.25 * columns, 0.42 * rows + 0.5), dpi=dpi)
    row = 0
    for cluster in clusters:
        chunks = [cluster.members[i : i + columns - 1] for i in range(0, len(cluster.members), columns - 1)]
        for chunk_index, chunk in enumerate(chunks):
            y = rows - row - 1
            if chunk_index == 0:
                ax.add_patch(plt.Rectangle((0, y + 0.05), 0.95, 0.9, color=_rgb(cluster.centroid), ec="0.3"))
                ax.text(0.475, y + 0.5, f"{cluster.id}: {cluster.name}", ha="center", va="center",
                        fontsize=6.5, fontweight="bold", color=_text_colour(cluster.centroid))  # fmt: skip
            for j, member in enumerate(chunk, start=1):
                lab = term_labs[member]
                ax.add_patch(plt.Rectangle((j + 0.05, y + 0.1), 0.9, 0.8, color=_rgb(lab)))
                ax.text(j + 0.5, y + 0.5, member, ha="center", va="center", fontsize=6.5,
                        color=_text_colour(lab))
            row += 1
    ax.set_xlim(0, columns)
    ax.set_ylim(0, rows)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return _save(fig, path)


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def ab_scatter(terms: Sequence[str], labs: np.ndarray, cluster_ids: Sequence[int], path: str | Path) -> Path:
    """Terms in the a*b* plane, dots filled with their own colour, edge coloured by cluster, labelled."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 7), dpi=90)
    palette = plt.get_cmap("tab20")
    for term, lab, cid in zip(terms, labs, cluster_ids, strict=True):
        ax.scatter(lab[1], lab[2], s=70, color=_rgb(lab), edgecolors=[palette(cid % 20)], linewidths=2)
        ax.annotate(term, (lab[1], lab[2]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xlabel("a*")
    ax.set_ylabel("b*")
    ax.set_title("colour terms in CIELAB a*b* (edge colour = cluster)")
    return _save(fig, path)


def distance_scatter(perceptual: np.ndarray, embedding: np.ndarray, path: str | Path, rho: float) -> Path:
    """Pairwise CIEDE2000 against embedding cosine distance, one dot per term pair."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=90)
    ax.scatter(perceptual, embedding, s=4, alpha=0.35, color="tab:blue", lw=0)
    ax.set_xlabel("CIEDE2000 between the terms' Lab values")
    ax.set_ylabel("cosine distance between embeddings")
    ax.set_title(f"term pairs (Spearman rho = {rho:.3f})")
    return _save(fig, path)


def distance_heatmaps(terms: Sequence[str], perceptual: np.ndarray, embedding: np.ndarray,
                      path: str | Path) -> Path:  # fmt: skip
    """Side-by-side heatmaps of the two distance matrices, terms in the given (cluster) order."""
    import seaborn as sns

    plt = _pyplot()
    size = max(6.0, 0.14 * len(terms) + 2)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size, size), dpi=80)
    for ax, matrix, title in ((axes[0], perceptual, "CIEDE2000"), (axes[1], embedding, "cosine distance")):
        sns.heatmap(matrix, ax=ax, xticklabels=terms, yticklabels=terms, cmap="viridis", square=True,
                    cbar_kws={"shrink": 0.6})  # fmt: skip
        ax.set_title(title)
        ax.tick_params(labelsize=5)
    return _save(fig, path)

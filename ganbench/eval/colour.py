"""Colour fidelity: how far the generated garment's colour is from the colour term the query asked for.

For each generated image whose query names a colour term, CIEDE2000 between the term's CIELAB value
(from the colour vocabulary the catalog uses) and ``colorspace.dominant_colour`` of the image, which
finds the garment against the white background itself. Reported as mean, median and the share within
5 and within 10 dE00, overall and per colour cluster of the lookup table; spreads by bootstrap.
Our choice: images larger than 64 px are resized (antialiased) to 64 px before the dominant colour is
taken; a garment's colour survives that and it is 16x cheaper at 256 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ganbench.eval.attributes import UNKNOWN
from ganbench.eval.features import resize_images
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, bootstrap_mean, bootstrap_statistic

THRESHOLDS = (5, 10)
COLOUR_IMAGE_SIZE = 64


def term_labs(lookup: Any) -> dict[str, np.ndarray]:
    """CIELAB of each colour term: the lookup table's values, completed by colorspace's default vocabulary."""
    from colorspace import load_vocabulary

    labs = {name: np.asarray(term.lab, dtype=np.float64) for name, term in load_vocabulary("default").items()}
    for name in getattr(lookup, "terms", None) or []:
        lab = lookup.term_lab(name) if hasattr(lookup, "term_lab") else None
        if lab is not None:
            labs[name] = np.asarray(lab, dtype=np.float64)
    return labs


def dominant_labs(images: torch.Tensor) -> np.ndarray:
    """(N, 3) CIELAB dominant colour of uint8 images (N, 3, H, W), measured at most 64 px wide."""
    from colorspace import dominant_colour

    if len(images) == 0:
        return np.zeros((0, 3))
    if images.shape[-1] > COLOUR_IMAGE_SIZE:
        images = resize_images(images, COLOUR_IMAGE_SIZE)
    labs = [dominant_colour(image.permute(1, 2, 0).numpy()) for image in images]
    return np.asarray(labs, dtype=np.float64)


def colour_differences(
    images: torch.Tensor, terms: Sequence[str | None], labs: dict[str, np.ndarray]
) -> np.ndarray:
    """dE00 per image between its dominant colour and its requested term; NaN where no known term."""
    from colorspace import delta_e

    wanted = [i for i, term in enumerate(terms) if term is not None and term in labs]
    out = np.full(len(terms), np.nan)
    if wanted:
        found = dominant_labs(images[wanted])
        target = np.stack([labs[terms[i]] for i in wanted])
        out[wanted] = np.asarray(delta_e(found, target, method="ciede2000"), dtype=np.float64)
    return out


def _summary(differences: np.ndarray, seed: int, rounds: int) -> dict[str, dict]:
    known = differences[np.isfinite(differences)]
    return {
        "mean": bootstrap_mean(known, seed, rounds),
        "median": bootstrap_statistic(len(known), lambda idx: float(np.median(known[idx])), seed, rounds),
        **{f"within_{t}": bootstrap_mean((known <= t).astype(np.float64), seed, rounds) for t in THRESHOLDS},
    }


def colour_fidelity(
    differences: np.ndarray,
    clusters: np.ndarray,
    cluster_names: Sequence[str],
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
) -> dict:
    """``colour_de00_*`` metrics from per-image differences and requested cluster ids (-1 unknown).

    Per cluster (clusters that were asked for only): ``colour_de00_by_cluster`` {name: mean dE00} and
    ``colour_de00_within_5_by_cluster``, ``colour_de00_within_10_by_cluster``.
    """
    overall = _summary(differences, seed, rounds)
    metrics = {f"colour_de00_{key}": entry for key, entry in overall.items()}
    per_cluster = {}
    for cluster, name in enumerate(cluster_names):
        chosen = (clusters == cluster) & np.isfinite(differences)
        if chosen.any():
            per_cluster[name] = _summary(differences[chosen], seed, rounds)
    metrics["colour_de00_by_cluster"] = {name: entry["mean"] for name, entry in per_cluster.items()}
    for t in THRESHOLDS:
        metrics[f"colour_de00_within_{t}_by_cluster"] = {n: e[f"within_{t}"] for n, e in per_cluster.items()}
    return metrics


def unclustered_count(differences: np.ndarray, clusters: np.ndarray) -> int:
    """Images scored for colour whose requested term has no cluster (not in any per-cluster figure)."""
    return int(((clusters == UNKNOWN) & np.isfinite(differences)).sum())

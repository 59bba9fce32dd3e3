"""Intra-FID per garment type (Miyato and Koyama, ICLR 2018): FID within each class of the ``type`` head.

For each type (pants / jeans / shorts) FID compares the drawn images whose query asks for that type with
the reference images of that type (FID's own sets, :mod:`ganbench.eval.reference`, on the evaluation
network's pooled features, computed by :func:`ganbench.eval.fid.fid_entry`). ``intra_fid`` holds one entry
per type, its ``n`` the generated images of that type (the reference count is in ``settings.intra_fid``);
``intra_fid_mean`` is the mean over the types, null unless every type has a value (our choice: a mean
over fewer types would not compare across rows), its std the root of the summed variances over the
number of types (independent classes).

FID is biased upward at small N, and each class holds only a share of the images (about 100 of a
300-stream pass): compare rows only at equal N, and never with the pooled ``fid``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.eval.fid import fid_entry, fid_statistics
from ganbench.eval.uncertainty import metric_entry

HEAD = "type"
METRIC, MEAN_METRIC = "intra_fid", "intra_fid_mean"


def intra_fid(generated: torch.Tensor, generated_class: np.ndarray, real: torch.Tensor,
              real_class: np.ndarray, classes: tuple[str, ...], seed: int) -> tuple[dict, dict]:
    """(metrics, counts): ``{intra_fid: {class: entry}, intra_fid_mean: entry}`` from generated features
    with the class each query asked for and real features with their true class (-1: none), and per class
    ``{"generated": n, "reference": n}``."""
    per_class, counts = {}, {}
    for c, name in enumerate(classes):
        fake, ref = generated[torch.from_numpy(generated_class == c)], real[torch.from_numpy(real_class == c)]
        counts[name] = {"generated": len(fake), "reference": len(ref)}
        per_class[name] = (fid_entry(fake, fid_statistics(ref), seed) if min(len(fake), len(ref)) >= 2
                           else metric_entry(None, None, len(fake), "bootstrap"))
    return {METRIC: per_class, MEAN_METRIC: _mean_entry(list(per_class.values()))}, counts


def undefined_intra_fid() -> tuple[dict, dict]:
    """A catalog without a ``type`` head: no classes, a null mean."""
    return {METRIC: {}, MEAN_METRIC: metric_entry(None, None, 0, "bootstrap")}, {}


def _mean_entry(entries: list[dict]) -> dict:
    n = sum(int(e["n"]) for e in entries)
    if not entries or any(e["mean"] is None for e in entries):
        return metric_entry(None, None, n, "bootstrap")
    stds = [e["std"] for e in entries]
    std = math.sqrt(sum(s**2 for s in stds)) / len(entries) if all(s is not None for s in stds) else None
    return metric_entry(float(np.mean([e["mean"] for e in entries])), std, n, "bootstrap")

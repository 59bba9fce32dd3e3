"""Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019) on the evaluation network's features.

Each set's manifold is the union of balls around its points reaching each point's k-th nearest neighbour
in the same set; precision is the share of generated images inside the real manifold (realism), recall
the share of real images inside the generated manifold (coverage: a generator that ignores its noise
covers little). Precision alone rewards a collapsed generator whose one image sits amid the real
features: on the synthetic catalog the mean-image calibration row scores 100% (its recall 0%), so read
precision beside recall. The computation is torch-fidelity's own (``prc_features_to_metric``, which
``calculate_metrics(prc=True)`` calls after extracting features), applied to the pooled features the
evaluation already holds: no image is re-extracted and no VGG16 is ever loaded.

Our choices: the sets are FID's (the drawn images against the reference set, see
:mod:`ganbench.eval.reference`), k = ``[eval] prc_k`` (3, the paper's), and both sides hold the same N
images, N = one pass's drawn images (at most the test streams): the radii shrink as a set grows, so
unequal sizes would tilt precision against recall, and a larger N lowers both (measured on the synthetic
catalog: restgan 95% / 7.5% at N = 300, 70% / 1.4% at N = 900), so every row, the real-images row that
draws each test photo once included, compares at the same N. Each of :data:`PRC_ROUNDS` rounds takes the
next pass's images and a seeded random N of the reference; ``mean`` and ``std`` are over the rounds
(spread ``subsets``; one round and no std when one pass and the reference already hold N each).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch_fidelity.metric_prc import KEY_METRIC_PRECISION, KEY_METRIC_RECALL, prc_features_to_metric

from ganbench.eval.uncertainty import metric_entry

PRC_ROUNDS = 10
PRECISION, RECALL = "improved_precision", "improved_recall"


def _subset(features: torch.Tensor, n: int, rng: np.random.Generator) -> torch.Tensor:
    if len(features) == n:
        return features
    return features[torch.from_numpy(np.sort(rng.choice(len(features), n, replace=False)))]


def precision_recall(generated: torch.Tensor | Sequence[torch.Tensor], real: torch.Tensor, k: int, seed: int,
                     rounds: int = PRC_ROUNDS) -> dict[str, dict]:
    """``{improved_precision, improved_recall}`` entries of ``generated`` (one feature set, or one per
    evaluation pass: round r takes set r mod their number) against ``real``; ``n`` = N images per side.
    Undefined (null) when a side holds k or fewer images (no k-th neighbour)."""
    sets = [generated] if torch.is_tensor(generated) else list(generated)
    n = min(len(real), *(len(g) for g in sets))
    if n <= k:
        return {name: metric_entry(None, None, n, "subsets") for name in (PRECISION, RECALL)}
    sets, real = [g.detach().cpu().float() for g in sets], real.detach().cpu().float()
    rng = np.random.default_rng(seed)
    rounds = rounds if len(sets) > 1 or max(len(real), len(sets[0])) > n else 1
    values = np.array([_one_round(_subset(sets[r % len(sets)], n, rng), _subset(real, n, rng), k)
                       for r in range(rounds)])
    std = values.std(axis=0) if rounds > 1 else (None, None)
    return {PRECISION: metric_entry(values[:, 0].mean(), std[0], n, "subsets"),
            RECALL: metric_entry(values[:, 1].mean(), std[1], n, "subsets")}


def _one_round(generated: torch.Tensor, real: torch.Tensor, k: int) -> tuple[float, float]:
    out = prc_features_to_metric(generated, real, prc_neighborhood=k, save_cpu_ram=False, verbose=False)
    return float(out[KEY_METRIC_PRECISION]), float(out[KEY_METRIC_RECALL])

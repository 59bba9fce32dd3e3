"""FID: torch-fidelity's value, an exact symmetric form of it, and FID at an equal sample size.

FID is biased by the number of drawn images (16.5 at n=300 vs 6.6 at n=900 on same-distribution data),
so rows that draw different numbers (a model: 3 passes over the test streams; the real-images row: each
test photo once) are compared at one N (``eval.fid_samples``, default one per test stream):
:func:`equal_n_fid_entry` is the mean FID over floor(n / N) disjoint seeded subsets of exactly N drawn
images (:func:`fid_subsets`); its std is the bootstrap spread of one N-image FID. The subsets' FIDs use
the symmetric form below, equal to torch-fidelity's (tested), whose d x d non-symmetric eigenproblem
would cost over a minute per subset for Inception features. KID is unbiased in n and stays on all images.

The headline FID is torch-fidelity's (``fid_features_to_statistics`` + ``fid_statistics_to_metric``),
which takes the eigenvalues of the non-symmetric d x d product of the two covariances: over a minute
for Inception's 2048-d features on 2 busy cores. The bootstrap that gives FID its spread recomputes FID
many times against the same real statistics, so it uses the equivalent symmetric eigenproblem of the
smaller side (tested equal to torch-fidelity's value):

    tr sqrt(S_r S_g) = sum sqrt(eig(R S_g R)),            R = S_r^(1/2)         (d x d, when n > d)
                     = sum sqrt(eig(X S_r X^T / (n-1)))   X = centred samples   (n x n, when n <= d)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch_fidelity.metric_fid import KEY_METRIC_FID, fid_features_to_statistics, fid_statistics_to_metric

from ganbench.eval.uncertainty import bootstrap_statistic, metric_entry

FID_BOOTSTRAP_ROUNDS = 10


def fid_statistics(features: torch.Tensor) -> dict[str, np.ndarray]:
    """torch-fidelity's FID statistics (mean, covariance) in float64."""
    return fid_features_to_statistics(features.detach().cpu().double())


def frechet_distance(stats_1: dict, stats_2: dict) -> float:
    """torch-fidelity's Fréchet distance between two sets of statistics."""
    return float(fid_statistics_to_metric(stats_1, stats_2, verbose=False)[KEY_METRIC_FID])


@dataclass
class ReferenceStatistics:
    """Real-set statistics prepared for repeated FIDs: mean, covariance, its trace and (lazily) its root."""

    mu: np.ndarray
    sigma: np.ndarray
    _root: np.ndarray | None = None

    @classmethod
    def of(cls, stats: dict[str, np.ndarray]) -> ReferenceStatistics:
        return cls(mu=np.asarray(stats["mu"], np.float64), sigma=np.asarray(stats["sigma"], np.float64))

    @property
    def root(self) -> np.ndarray:
        if self._root is None:
            values, vectors = np.linalg.eigh(self.sigma)
            self._root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
        return self._root


def symmetric_frechet(features: np.ndarray, reference: ReferenceStatistics) -> float:
    """FID of the samples ``features`` (n, d) against ``reference``, via a symmetric eigenproblem."""
    n, d = features.shape
    mu = features.mean(axis=0)
    centred = features - mu
    if n > d:
        sigma = centred.T @ centred / (n - 1)
        product = reference.root @ sigma @ reference.root
        trace_sigma = float(np.trace(sigma))
    else:
        product = centred @ reference.sigma @ centred.T / (n - 1)
        trace_sigma = float((centred**2).sum() / (n - 1))
    eigenvalues = np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0, None)
    diff = mu - reference.mu
    return float(diff @ diff + np.trace(reference.sigma) + trace_sigma - 2 * np.sqrt(eigenvalues).sum())


def fid_entry(
    generated: torch.Tensor, real_stats: dict, seed: int, rounds: int = FID_BOOTSTRAP_ROUNDS
) -> dict:
    """torch-fidelity's FID of ``generated`` against ``real_stats``; std: bootstrap of generated samples."""
    n = len(generated)
    if n < 2:
        return metric_entry(None, None, n, "bootstrap")
    features = generated.detach().cpu().double().numpy()
    reference = ReferenceStatistics.of(real_stats)
    entry = bootstrap_statistic(n, lambda idx: symmetric_frechet(features[idx], reference), seed, rounds)
    entry["mean"] = frechet_distance(fid_statistics(generated), real_stats)
    return entry


def fid_subsets(n_drawn: int, per_subset: int, seed: int) -> list[np.ndarray]:
    """floor(n_drawn / per_subset) disjoint seeded subsets (sorted positions) of ``per_subset`` images;
    one subset of all ``n_drawn`` when there are fewer than ``per_subset``."""
    if n_drawn <= per_subset:
        return [np.arange(n_drawn)]
    order = np.random.default_rng(seed).permutation(n_drawn)
    count = n_drawn // per_subset
    return [np.sort(order[i * per_subset:(i + 1) * per_subset]) for i in range(count)]


def equal_n_fid_entry(generated: torch.Tensor, subsets: list[np.ndarray], real_stats: dict, seed: int,
                      rounds: int = FID_BOOTSTRAP_ROUNDS) -> dict:
    """Mean FID of the ``subsets`` of ``generated`` against ``real_stats``; std: bootstrap of the first
    subset's FID; ``n``: the subset size (see the module doc)."""
    n = len(subsets[0])
    if n < 2:
        return metric_entry(None, None, n, "bootstrap")
    features = generated.detach().cpu().double().numpy()
    reference = ReferenceStatistics.of(real_stats)
    first = features[subsets[0]]
    entry = bootstrap_statistic(n, lambda idx: symmetric_frechet(first[idx], reference), seed, rounds)
    entry["mean"] = float(np.mean([symmetric_frechet(features[s], reference) for s in subsets]))
    return entry

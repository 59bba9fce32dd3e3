"""FID: torch-fidelity's value, and an exact symmetric form of it for the bootstrap spread.

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

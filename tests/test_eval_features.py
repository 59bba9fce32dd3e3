"""Distribution metrics from precomputed features: FID, IS, KID, and the bootstrap spreads."""

import itertools

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

from ganbench.eval.features import (
    ImageTensorDataset,
    inception_score,
    is_split_count,
    kid_entry,
    resize_images,
)
from ganbench.eval.fid import (
    ReferenceStatistics,
    fid_entry,
    fid_statistics,
    frechet_distance,
    symmetric_frechet,
)
from ganbench.eval.uncertainty import bootstrap_mean, bootstrap_statistic, metric_entry


def _features(n=400, d=16, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).normal(size=(n, d)))


def test_fid_of_a_set_against_itself_is_zero():
    features = _features()
    stats = fid_statistics(features)
    assert abs(frechet_distance(stats, stats)) < 1e-6


def test_fid_grows_with_the_perturbation():
    features = _features()
    real = fid_statistics(features)
    noise = _features(seed=1)
    fids = [frechet_distance(fid_statistics(features + scale * noise), real) for scale in (0.1, 0.5, 1.0)]
    shifted = frechet_distance(fid_statistics(features + 0.5), real)
    assert 0 < fids[0] < fids[1] < fids[2]
    assert shifted == pytest.approx(16 * 0.25, rel=1e-6)  # a mean shift of 0.5 in 16 dimensions


def _reference_fid(a: np.ndarray, b: np.ndarray) -> float:
    """Independent FID: scipy's matrix square root instead of torch-fidelity's eigenvalues."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def test_fid_matches_an_independent_scipy_computation():
    a = _features(seed=2)
    b = _features(seed=3) * 1.5 + 0.3
    ours = frechet_distance(fid_statistics(a), fid_statistics(b))
    assert ours == pytest.approx(_reference_fid(a.numpy(), b.numpy()), rel=1e-6)


@pytest.mark.parametrize("n", [6, 400])  # fewer and more samples than feature dimensions
def test_the_symmetric_form_used_for_the_bootstrap_equals_torch_fidelity(n):
    real = _features(seed=8) * 0.7
    generated = _features(n=n, seed=9) + 0.2
    expected = frechet_distance(fid_statistics(generated), fid_statistics(real))
    ours = symmetric_frechet(generated.numpy(), ReferenceStatistics.of(fid_statistics(real)))
    assert ours == pytest.approx(expected, rel=1e-6)


def test_fid_entry_carries_a_bootstrap_spread():
    real = fid_statistics(_features(seed=4))
    generated = _features(n=120, seed=5) + 1.0
    entry = fid_entry(generated.float(), real, seed=0, rounds=300)
    assert entry["spread"] == "bootstrap" and entry["n"] == 120
    # oracle: scipy's bootstrap of the scipy FID (the real side's statistics held fixed, as in fid_entry)
    real_features = _features(seed=4).numpy()
    rows = generated.numpy()
    reference = scipy.stats.bootstrap(
        (np.arange(120),), lambda idx: _reference_fid(rows[idx], real_features), n_resamples=300,
        vectorized=False, random_state=np.random.default_rng(1)).standard_error
    assert entry["mean"] == pytest.approx(_reference_fid(rows, real_features), rel=1e-4)
    assert entry["std"] == pytest.approx(reference, rel=0.25)  # two 300-round Monte Carlo estimates


def test_inception_score_is_the_class_count_for_confident_balanced_predictions():
    n_classes, n = 5, 500
    logits = torch.full((n, n_classes), -50.0)
    logits[torch.arange(n), torch.arange(n) % n_classes] = 50.0
    entry = inception_score(logits, seed=0, splits=1)
    assert entry["mean"] == pytest.approx(n_classes, rel=1e-6)
    assert entry["spread"] == "isc_splits"


def test_inception_score_is_one_for_constant_predictions():
    logits = torch.zeros(200, 4)
    logits[:, 2] = 30.0
    entry = inception_score(logits, seed=0)
    assert entry["mean"] == pytest.approx(1.0, abs=1e-9) and entry["std"] == pytest.approx(0.0, abs=1e-9)


def test_inception_score_uses_fewer_splits_rather_than_splits_under_fifty_images():
    assert [is_split_count(n) for n in (2, 49, 50, 120, 200, 499, 500, 5000)] == [1, 1, 1, 2, 4, 9, 10, 10]
    logits = torch.from_numpy(np.random.default_rng(1).normal(scale=3, size=(60, 6)))
    single = inception_score(logits, seed=0)  # 60 images: one split of 60, no spread
    assert single["std"] is None and single["n"] == 60 and single["mean"] > 1
    # splits of 6 images each are biased low against one split of all 60
    tiny = inception_score(logits, seed=0, splits=10, min_split_size=1)
    assert tiny["mean"] < single["mean"] and tiny["std"] > 0


def test_inception_score_splits_spread_is_positive_for_mixed_predictions():
    logits = torch.from_numpy(np.random.default_rng(0).normal(scale=3, size=(300, 6)))
    entry = inception_score(logits, seed=0)
    assert 1 < entry["mean"] < 6 and entry["std"] > 0 and entry["n"] == 300


def test_kid_is_near_zero_for_one_distribution_and_positive_for_a_shift():
    a, b = _features(seed=6).float(), _features(seed=7).float()
    same = kid_entry(a, b, seed=0, subsets=10, subset_size=200)
    shifted = kid_entry(a + 1.0, b, seed=0, subsets=10, subset_size=200)
    assert abs(same["mean"]) < 0.05
    assert shifted["mean"] > 10 * max(abs(same["mean"]), 1e-3)
    assert shifted["spread"] == "kid_subsets" and shifted["n"] == 200


def test_metrics_of_too_few_samples_are_none():
    assert inception_score(torch.zeros(1, 3), seed=0)["mean"] is None
    assert kid_entry(torch.zeros(1, 3), torch.zeros(5, 3), seed=0)["mean"] is None


def _exact_bootstrap_std_of_the_mean(values: np.ndarray) -> float:
    """Brute force: the std of the mean over every one of the n**n equally likely resamples."""
    n = len(values)
    means = [values[list(picks)].mean() for picks in itertools.product(range(n), repeat=n)]
    return float(np.std(means))


def test_exact_bootstrap_oracle_is_the_plug_in_standard_error():
    values = np.array([1.0, 0.0, 1.0, 1.0])
    # the bootstrap distribution of a mean has variance (population variance) / n
    assert _exact_bootstrap_std_of_the_mean(values) == pytest.approx(np.sqrt(values.var() / 4), rel=1e-12)


def test_bootstrap_mean_is_seeded_and_drops_nan():
    values = np.array([1.0, 0.0, 1.0, np.nan, 1.0])
    first, second = bootstrap_mean(values, seed=3), bootstrap_mean(values, seed=3)
    assert first == second
    assert first["mean"] == pytest.approx(0.75) and first["n"] == 4
    assert bootstrap_mean(np.array([np.nan]), seed=0) == metric_entry(None, None, 0, "bootstrap")


@pytest.mark.parametrize("values", [[1.0, 0.0, 1.0, 1.0], [2.0, 7.0, 3.5, 0.5, 11.0]])
def test_bootstrap_mean_std_converges_to_the_exact_bootstrap(values):
    values = np.array(values)
    exact = _exact_bootstrap_std_of_the_mean(values)  # 0.2165 for the first: sqrt(0.1875 / 4)
    entry = bootstrap_mean(values, seed=1, rounds=20_000)  # Monte Carlo error of the std about 0.5%
    assert entry["mean"] == pytest.approx(values.mean()) and entry["std"] == pytest.approx(exact, rel=0.03)


def test_bootstrap_statistic_resamples_indices_like_the_exact_bootstrap():
    values = np.array([2.0, 7.0, 3.5, 0.5, 11.0])
    entry = bootstrap_statistic(5, lambda idx: values[idx].mean(), seed=2, rounds=20_000)
    assert entry["mean"] == pytest.approx(values.mean())
    assert entry["std"] == pytest.approx(_exact_bootstrap_std_of_the_mean(values), rel=0.03)


def test_bootstrap_statistic_of_a_median_matches_scipy():
    values = np.random.default_rng(5).exponential(size=41)
    entry = bootstrap_statistic(41, lambda idx: float(np.median(values[idx])), seed=0, rounds=4000)
    reference = scipy.stats.bootstrap((values,), np.median, n_resamples=4000, vectorized=False,
                                      random_state=np.random.default_rng(1)).standard_error
    assert entry["mean"] == pytest.approx(np.median(values))
    assert entry["std"] == pytest.approx(reference, rel=0.1)  # two Monte Carlo estimates, ~2% error each


def test_bootstrap_statistic_of_a_constant_has_no_spread():
    entry = bootstrap_statistic(10, lambda idx: 3.0, seed=0, rounds=4)
    assert entry == {"mean": 3.0, "std": 0.0, "n": 10, "spread": "bootstrap"}


def test_metric_entry_rejects_an_unknown_spread():
    with pytest.raises(ValueError, match="spread"):
        metric_entry(1.0, 0.1, 3, "jackknife")


def test_image_dataset_is_plain_and_checks_dtype():
    images = torch.zeros(3, 3, 8, 8, dtype=torch.uint8)
    dataset = ImageTensorDataset(images)
    assert len(dataset) == 3 and torch.is_tensor(dataset[0])
    with pytest.raises(ValueError, match="uint8"):
        ImageTensorDataset(images.float())


def test_resize_images_keeps_uint8_and_flat_colours():
    images = torch.full((2, 3, 32, 32), 77, dtype=torch.uint8)
    out = resize_images(images, 16)
    assert out.dtype == torch.uint8 and out.shape == (2, 3, 16, 16) and bool((out == 77).all())

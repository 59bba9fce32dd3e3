"""Train/val/test splits: deterministic, stratified by type and gender, robust to tiny strata."""

from collections import Counter

import pytest

from ganbench.data.splits import assign_splits, split_counts


def _items(sizes: dict[tuple[str, str], int]) -> list[dict]:
    return [{"type": t, "gender": g} for (t, g), n in sizes.items() for _ in range(n)]


SIZES = {("pants", "men's"): 50, ("jeans", "women's"): 30, ("shorts", "unisex"): 20, ("jeans", "men's"): 1}


def test_splits_are_deterministic_and_seed_dependent():
    items = _items(SIZES)
    assert assign_splits(items, seed=3) == assign_splits(items, seed=3)
    assert assign_splits(items, seed=3) != assign_splits(items, seed=4)


def test_overall_shares_exact_and_each_stratum_proportional():
    items = _items(SIZES)
    splits = assign_splits(items, seed=0, fractions=(0.8, 0.1, 0.1))
    assert split_counts(splits) == {"train": 81, "val": 10, "test": 10}
    for stratum, n in SIZES.items():
        counts = Counter(
            s for item, s in zip(items, splits, strict=True) if (item["type"], item["gender"]) == stratum
        )
        assert sum(counts.values()) == n
        for name, share in (("train", 0.8), ("val", 0.1), ("test", 0.1)):
            assert abs(counts[name] - share * n) <= 1.0 + 1e-9, (stratum, name, counts)


def test_bad_fractions_rejected():
    with pytest.raises(ValueError, match="fractions"):
        assign_splits(_items(SIZES), fractions=(0.5, 0.2, 0.2))

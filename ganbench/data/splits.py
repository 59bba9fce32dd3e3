"""Deterministic train/val/test splits, stratified by garment type and gender.

Method (our choice; the paper is silent): items are shuffled with the seed, grouped by stratum
(type, gender; unknown values form their own stratum), and then walked in that order, giving each item
to the split that is furthest behind its target share ("largest deficit" apportionment). Every split
gets its exact overall share (to within one item), each stratum gets its share to within about one
item, and strata too small to divide (a single item) still land somewhere instead of failing as
``sklearn``'s stratified splitter does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SPLITS = ("train", "val", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


def stratum_of(item: dict) -> tuple[str, str]:
    return (str(item.get("type")), str(item.get("gender")))


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    shares = np.asarray(fractions, dtype=np.float64)
    if shares.shape != (3,) or (shares < 0).any() or not np.isclose(shares.sum(), 1.0):
        raise ValueError(f"split fractions must be three non-negative numbers summing to 1, got {fractions}")
    return shares


def assign_splits(
    items: Sequence[dict], seed: int = 0, fractions: Sequence[float] = DEFAULT_FRACTIONS
) -> list[str]:
    """The split name of each item (same order as ``items``); same items and seed -> same splits."""
    shares = _check_fractions(fractions)
    order = np.random.default_rng(seed).permutation(len(items))
    strata = [stratum_of(items[i]) for i in order]
    walk = [int(order[j]) for j in sorted(range(len(order)), key=lambda j: strata[j])]
    assigned = np.zeros(3)
    result = [""] * len(items)
    for position, index in enumerate(walk, start=1):
        choice = int(np.argmax(shares * position - assigned))
        assigned[choice] += 1
        result[index] = SPLITS[choice]
    return result


def split_counts(splits: Sequence[str]) -> dict[str, int]:
    return {name: sum(1 for s in splits if s == name) for name in SPLITS}

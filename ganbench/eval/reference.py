"""The real images FID and KID compare with: which split, and how the real-images row stays honest.

``[eval] reference`` (``--reference``; ``ganbench.config.EvalConfig.reference``) chooses the set:
``"train"``, ``"test"`` or ``"heldout"`` (val + test). The default is ``"train"``: the largest split (80%
of a catalog, so the feature covariance has the best chance of full rank), never the images the
real-images calibration row draws (those are the test items), and what the StackGAN-era papers compare
with. Its known cost: a model that memorises training
photos is rewarded; evaluate with ``reference = "heldout"`` to check for that.

When the drawn images are the catalog's own photos (the ``real images`` calibration row), the items drawn
are removed from the reference so no image is compared with itself. When that leaves fewer than two
images (``reference = "test"``: every test item is drawn), the drawn items are split into two disjoint
seeded halves, and FID/KID compare the first half's images with the second half's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

SPLITS_OF = {"train": ("train",), "test": ("test",), "heldout": ("val", "test")}  # [eval] reference values


class ReferenceError(ValueError):
    """A reference set FID/KID cannot use (unknown name, or fewer than two images)."""


def reference_indices(catalog: Any, name: str) -> np.ndarray:
    """Catalog indices of the reference set ``name`` (sorted)."""
    if name not in SPLITS_OF:
        raise ReferenceError(
            f"reference set {name!r} is unknown; expected one of {', '.join(SPLITS_OF)}"
        )
    parts = [np.asarray(catalog.indices(split), dtype=np.int64) for split in SPLITS_OF[name]]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class ReferencePlan:
    """``reference``: catalog indices of the real images; ``generated``: positions (in stream order) of
    the drawn images that enter FID/KID (all of them unless halves were needed); ``note``: what was done."""

    name: str
    reference: np.ndarray
    generated: np.ndarray
    note: str = ""

    def to_json(self) -> dict:
        return {"set": self.name, "n_images": int(len(self.reference)),
                "generated_images": int(len(self.generated)), "note": self.note}


def plan_reference(catalog: Any, name: str, stream_items: np.ndarray, shows_catalog_photos: bool,
                   seed: int) -> ReferencePlan:
    """The reference images and the drawn images FID/KID compare (see the module doc)."""
    chosen = reference_indices(catalog, name)
    if not shows_catalog_photos:
        return _checked(ReferencePlan(name, chosen, np.arange(len(stream_items))))
    # each photo once (repeats of one photo would fake a larger sample), never in the reference too
    drawn, first_position = np.unique(stream_items, return_index=True)
    rest = np.setdiff1d(chosen, drawn)
    if len(rest) >= 2:
        left_out = len(chosen) - len(rest)
        note = f"each drawn photo once; {left_out} drawn item(s) left out of the reference" if left_out else (
            "each drawn photo once")
        return _checked(ReferencePlan(name, rest, np.sort(first_position), note))
    order = np.random.default_rng(seed).permutation(len(drawn))
    first, second = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2:])
    plan = ReferencePlan(name, np.union1d(drawn[second], rest), np.sort(first_position[first]),
                         f"disjoint halves of the drawn items: {len(first)} drawn vs {len(second)} reference")
    return _checked(plan)


def _checked(plan: ReferencePlan) -> ReferencePlan:
    if len(plan.reference) < 2:
        raise ReferenceError(f"reference set {plan.name!r} has {len(plan.reference)} image(s); FID and KID "
                             "need at least 2 (choose another [eval] reference / --reference, or a larger "
                             "catalog)")
    if len(plan.generated) < 2:
        raise ReferenceError(f"only {len(plan.generated)} drawn image(s) left for FID/KID against reference "
                             f"{plan.name!r}; at least 2 are needed (evaluate more test streams)")
    return plan


def dimension_warnings(plan: ReferencePlan, dimension: int) -> list[str]:
    """A warning for each image set smaller than the feature dimension (rank-deficient covariance:
    FID is biased and unstable)."""
    sets = (("reference", len(plan.reference), f" ({plan.name})"), ("generated", len(plan.generated), ""))
    return [f"the {label} set{detail} has {n} images in {dimension}-d features, fewer than the dimension: "
            "its covariance is rank-deficient, so FID/KID are biased and noisy (use more images, a larger "
            "reference set, or a smaller feature layer)"
            for label, n, detail in sets if n < dimension]

"""Names of the calibration baselines and their report rows (no heavy imports: the report reads these)."""

from __future__ import annotations

ROW_NAMES = {"real": "real images", "mean-image": "mean image"}
DESCRIPTIONS = {
    "real": "the catalog's own photo of each test item at every step (ceiling; FID of disjoint real sets)",
    "mean-image": "the mean train photo for every query (floor: a generator that ignores its text)",
}

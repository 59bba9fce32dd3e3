"""Shared pieces of the synthetic-catalog tests: a reference item and pixel-difference measures."""

from __future__ import annotations

import numpy as np

from ganbench.data.standardise import composite_on_white, resize_rgba, standardise
from ganbench.data.synth.render import render_item

RENDER_SEED = 7

# A plain mid-olive pair of men's straight pants: every single-attribute variant is compared to it.
BASE_ITEM = {
    "id": "base", "title": "Ridgeway Men's Straight Olive Pants - Cotton Twill - 32W x 32L",
    "query": ["men's olive pants", "straight"], "type": "pants", "gender": "men's", "colour": "olive",
    "colour_lab": [55.0, 5.0, 20.0], "fit": "straight", "length": "full", "size_line": None, "details": [],
    "brand": "Ridgeway", "material": "cotton twill", "size_code": "32W x 32L", "split": None,
    "image": "images/base.png",
}  # fmt: skip


def variant(**changes: object) -> dict:
    return {**BASE_ITEM, **changes}


def render(item: dict) -> np.ndarray:
    """The photo of ``item`` with the fixed test jitter (RGBA 256 px)."""
    return render_item(item, np.random.default_rng(RENDER_SEED))


def as_model_input(rgba: np.ndarray, size: int = 64) -> np.ndarray:
    """What a model sees: standardised (crop, pad, resize) and composited on white, as int RGB."""
    return composite_on_white(resize_rgba(standardise(rgba), size)).astype(int)


def changed_fraction(a: np.ndarray, b: np.ndarray, threshold: int = 24) -> float:
    """Fraction of pixels where some channel differs by more than ``threshold`` levels."""
    return float(np.mean(np.abs(a[..., :3].astype(int) - b[..., :3].astype(int)).max(-1) > threshold))

"""Empirical grounding: each colour term's Lab as seen in products, beside its dictionary Lab.

For every term, the per-channel median of the dominant colours of the products whose colour is that
term, the dictionary value, and their CIEDE2000. Works from plain arrays (``ground_terms``), from item
dicts (``ground_items``) or from a catalog folder (``ground_catalog``: ``items.jsonl`` plus the cached
image/mask arrays when present, else ``images/ID.png`` with alpha as the mask). No ganbench import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from colorspace.difference import delta_e
from colorspace.dominant import dominant_colour
from colorspace.vocabulary import normalise_name

COLUMNS = ["term", "n_products", "dict_L", "dict_a", "dict_b", "product_L", "product_a", "product_b",
           "delta_e00"]  # fmt: skip


class CatalogReadError(ValueError):
    """Raised for a catalog folder that cannot be read."""


@dataclass
class GroundingCounts:
    """How many items were read, used, and skipped for which reason (nothing is dropped silently)."""

    read: int = 0
    kept: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def ground_terms(terms: Sequence[str], product_labs: np.ndarray,
                 dictionary: Mapping[str, Sequence[float]]) -> pd.DataFrame:  # fmt: skip
    """One row per term (most products first): median product Lab, dictionary Lab and their dE00.

    ``terms[i]`` is the colour term of product ``i`` and ``product_labs[i]`` its dominant Lab. Terms not
    in ``dictionary`` get NaN dictionary columns.
    """
    product_labs = np.asarray(product_labs, dtype=np.float64).reshape(-1, 3)
    if len(terms) != len(product_labs):
        raise ValueError(f"need one Lab per term: got {len(terms)} terms and {len(product_labs)} Lab rows")
    names = np.array([normalise_name(t) for t in terms])
    rows = []
    for term in pd.unique(names):
        median = np.median(product_labs[names == term], axis=0)
        known = dictionary.get(term)
        reference = np.asarray(known, float) if known is not None else np.full(3, np.nan)
        distance = float(delta_e(median, reference)) if known is not None else np.nan
        rows.append([term, int((names == term).sum()), *reference, *median, distance])
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["n_products", "term"], ascending=[False, True], ignore_index=True)


def ground_items(items: Iterable[Mapping], dictionary: Mapping[str, Sequence[float]],
                 lab_key: str = "dominant_lab") -> tuple[pd.DataFrame, GroundingCounts]:  # fmt: skip
    """Ground from item dicts that carry a ``colour`` term and a Lab under ``lab_key``."""
    counts, terms, labs = GroundingCounts(), [], []
    for item in items:
        counts.read += 1
        if not item.get("colour"):
            counts.skip("no colour term")
        elif item.get(lab_key) is None:
            counts.skip(f"no {lab_key}")
        else:
            terms.append(item["colour"])
            labs.append(item[lab_key])
            counts.kept += 1
    return ground_terms(terms, np.array(labs).reshape(-1, 3), dictionary), counts


def read_items(catalog: Path) -> list[dict]:
    path = Path(catalog) / "items.jsonl"
    if not path.is_file():
        raise CatalogReadError(f"{catalog} is not a catalog folder: {path.name} not found")
    with path.open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _cached_arrays(catalog: Path, size: int | None) -> tuple[np.ndarray, np.ndarray] | None:
    sizes = sorted(int(p.stem.split("_")[-1]) for p in (catalog / "cache").glob("images_*.npy"))
    chosen = size if size in sizes else (sizes[0] if sizes and size is None else None)
    if chosen is None or not (catalog / "cache" / f"masks_{chosen}.npy").is_file():
        return None
    return (np.load(catalog / "cache" / f"images_{chosen}.npy", mmap_mode="r"),
            np.load(catalog / "cache" / f"masks_{chosen}.npy", mmap_mode="r"))  # fmt: skip


def _png_dominant(catalog: Path, item: Mapping) -> np.ndarray | None:
    from PIL import Image

    path = catalog / item.get("image", f"images/{item.get('id')}.png")
    if not path.is_file():
        return None
    with Image.open(path) as image:
        return dominant_colour(np.asarray(image.convert("RGBA")))


def ground_catalog(catalog: str | Path, dictionary: Mapping[str, Sequence[float]],
                   image_size: int | None = None) -> tuple[pd.DataFrame, GroundingCounts]:  # fmt: skip
    """Ground the colour terms of a catalog folder; dominant colours from cached arrays (smallest size,
    or ``image_size``) with their masks when present, else from the RGBA PNGs."""
    catalog = Path(catalog)
    items = read_items(catalog)
    cached = _cached_arrays(catalog, image_size)
    if cached is not None and len(cached[0]) != len(items):
        raise CatalogReadError(f"{catalog}: cache holds {len(cached[0])} images but items.jsonl {len(items)}")
    enriched = []
    for index, item in enumerate(items):
        lab = None
        if item.get("colour"):
            if cached is not None:
                lab = dominant_colour(np.asarray(cached[0][index]), mask=np.asarray(cached[1][index]))
            else:
                lab = _png_dominant(catalog, item)
        enriched.append({**item, "dominant_lab": None if lab is None else lab.tolist()})
    return ground_items(enriched, dictionary)

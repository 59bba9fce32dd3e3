"""Synthetic items: each one drawn from its own random streams, derived from (seed, index).

Item ``i`` of a catalog depends only on the seed and ``i`` (never on how many items are made), and its
three streams are independent: attributes, text (title, brand, material, size code, query) and render
jitter (pose, shading, background). So text never changes the image, and a longer catalog starts
with the same items as a shorter one.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from colorspace import catalog_terms
from ganbench.data.synth.attributes import VisualAttributes, sample_attributes, with_paintable_colours
from ganbench.data.synth.render import render_item
from ganbench.data.synth.titles import describe

STREAMS = ("attributes", "text", "render")


def item_rngs(seed: int, index: int) -> dict[str, np.random.Generator]:
    """The independent random streams of item ``index`` under ``seed``."""
    children = np.random.SeedSequence([seed, index]).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def item_id(index: int) -> str:
    return f"synth-{index:06d}"


def to_item(index: int, garment: VisualAttributes, text: dict) -> dict:
    """The catalog item (fields as in docs/architecture.md; ``split`` is assigned by the catalog writer)."""
    visual = asdict(garment)
    return {
        "id": item_id(index), "title": text["title"], "query": text["query"], "type": visual["type"],
        "gender": visual["gender"], "colour": visual["colour"], "colour_lab": list(visual["colour_lab"]),
        "fit": visual["fit"], "length": visual["length"], "size_line": visual["size_line"],
        "details": list(visual["details"]), "brand": text["brand"], "material": text["material"],
        "size_code": text["size_code"], "split": None, "image": f"images/{item_id(index)}.png",
    }  # fmt: skip


def make_items(seed: int, indices: range | list[int]) -> list[dict]:
    """The items at ``indices`` of the catalog with ``seed``, in that order."""
    terms = tuple(catalog_terms())
    rngs = [item_rngs(seed, i) for i in indices]
    garments = with_paintable_colours([sample_attributes(r["attributes"], terms) for r in rngs])
    return [to_item(i, g, describe(g, r["text"])) for i, g, r in zip(indices, garments, rngs, strict=True)]


def render_at(seed: int, index: int, item: dict) -> np.ndarray:
    """The photo of ``item`` as item ``index`` of the catalog with ``seed`` (RGBA, 256 px)."""
    return render_item(item, item_rngs(seed, index)["render"])

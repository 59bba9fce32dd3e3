"""Shared fixtures of the model tests: a tiny vocabulary, a colour lookup stand-in, a hand-made batch in
the exact format of docs/architecture.md, and tiny model options."""

from __future__ import annotations

from typing import Any

import torch

from ganbench.data.batches import TextPolicy, encode_for_generation, model_vocabulary
from ganbench.data.text import Vocabulary, tokenize
from ganbench.models.base import GanModel, ModelContext
from ganbench.models.registry import get_model

MODEL_NAMES = ("stackgan-bow", "stackgan-lstm", "stackgan-ac", "stackgan-prefix", "restgan")
SIZES = (16, 32)
TINY_WIDTHS = {
    "gf_dim": 4,
    "df_dim": 4,
    "z_dim": 8,
    "embedding_dim": 8,
    "text_dim": 16,
    "condition_dim": 8,
    "residual_blocks": 1,
}

TITLES = [
    "Women's Black Skinny Pants Petite Capri",
    "Men's Navy Blue Slim Jeans",
    "Women's Red Shorts",
    "Men's Black Jeans Slim Capri",
]
QUERIES = [
    ["women's black pants", "petite", "capri"],
    ["men's navy blue jeans", "slim"],
    ["women's red shorts"],
    ["men's black jeans", "slim", "capri"],
]
LABELS = {"type": [0, 1, 2, 1], "gender": [1, 0, 1, -1], "colour": [0, 1, 2, -1], "fit": [-1, 0, -1, 0],
          "length": [0, -1, -1, 0]}


class TinyLookup:
    """Stand-in for ``colorspace.LookupTable``: three clusters, multi-word terms, longest match."""

    terms = {"black": 0, "navy blue": 1, "navy": 1, "blue": 1, "red": 2}
    centroids = [(10.0, 0.0, 0.0), (25.0, 10.0, -45.0), (50.0, 70.0, 50.0)]
    cluster_names = ["black", "blue", "red"]
    n_clusters = 3

    def cluster_of(self, term: str) -> int | None:
        return self.terms.get(term)

    def centroid(self, cluster_id: int) -> tuple[float, float, float]:
        return self.centroids[cluster_id]

    def find_terms(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        found, start = [], 0
        while start < len(tokens):
            for end in (start + 2, start + 1):
                term = " ".join(tokens[start:end])
                if end <= len(tokens) and term in self.terms:
                    found.append((start, end, term))
                    start = end
                    break
            else:
                start += 1
        return found


def tiny_context(with_lookup: bool = True) -> ModelContext:
    lookup = TinyLookup() if with_lookup else None
    words = [t for text in TITLES + [s for q in QUERIES for s in q] for t in tokenize(text)]
    vocabulary = model_vocabulary(Vocabulary.build([words]), lookup)
    n_classes = {"type": 3, "gender": 2, "colour": 3 if with_lookup else 0, "fit": 2, "length": 2}
    names = {
        "type": ["jeans", "pants", "shorts"],
        "gender": ["men's", "women's"],
        "colour": TinyLookup.cluster_names if with_lookup else [],
        "fit": ["skinny", "slim"],
        "length": ["capri", "full"],
    }
    return ModelContext(
        vocabulary=vocabulary, lookup=lookup, n_classes=n_classes, class_names=names, image_sizes=SIZES
    )


def tiny_options(name: str, **overrides: Any) -> Any:
    options_class = get_model(name).options_class
    known = set(options_class.model_fields)
    return options_class(**{k: v for k, v in TINY_WIDTHS.items() if k in known}, **overrides)


def build_model(name: str, context: ModelContext | None = None, **overrides: Any) -> GanModel:
    torch.manual_seed(0)
    return get_model(name)(tiny_options(name, **overrides), context or tiny_context())


def tiny_batch(context: ModelContext, colour_model: bool, seed: int = 0) -> dict[str, Any]:
    """A batch of four items in the format of docs/architecture.md (images are noise in [-1, 1])."""
    generator = torch.Generator().manual_seed(seed)
    vocabulary = context.vocabulary
    titles = [vocabulary.encode(tokenize(t)) for t in TITLES]
    title_tokens = torch.zeros(len(titles), max(map(len, titles)), dtype=torch.long)
    for row, ids in enumerate(titles):
        title_tokens[row, : len(ids)] = torch.tensor(ids)
    batch = encode_for_generation(QUERIES, vocabulary, context.lookup, TextPolicy(colour_tokens=colour_model))
    batch.update(
        {
            "images": {
                size: torch.rand(len(TITLES), 3, size, size, generator=generator) * 2 - 1 for size in SIZES
            },
            "title_tokens": title_tokens,
            "title_lengths": torch.tensor([len(ids) for ids in titles]),
            "labels": {name: torch.tensor(values) for name, values in LABELS.items()},
            "colour_lab": torch.tensor(
                [[10.0, 0.0, 0.0], [25.0, 10.0, -45.0], [50.0, 70.0, 50.0], [0.0, 0.0, 0.0]]
            ),
            "mismatch_index": torch.roll(torch.arange(len(TITLES)), -1),
        }
    )
    return batch


class TrainOptions:
    lr = 2e-4
    betas = (0.5, 0.999)

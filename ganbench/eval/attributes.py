"""The attributes the evaluation classifies, and how catalog items and queries map to class labels.

Heads: ``type``, ``gender``, ``colour`` (the colour *cluster* of the lookup table, so near-synonyms such
as navy / navy blue share a class), ``fit`` and ``length``. A head exists only where the catalog's train
split has at least two distinct values for it (our choice: a one-class head can't be scored). Class
names of type / gender / fit / length are the sorted distinct train values; colour classes are the lookup
table's clusters in id order. Label ``-1`` means unknown (attribute absent or a value the head lacks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

ATTRIBUTES = ("type", "gender", "colour", "fit", "length")
UNKNOWN = -1

AttributeParser = Callable[[str], dict]


def default_parser() -> AttributeParser:
    """The catalog's title parser (``ganbench.data.text.parse_attributes``), imported on use."""
    from ganbench.data.text import parse_attributes

    return parse_attributes


@dataclass(frozen=True)
class LabelSpace:
    """Class names per classified attribute, in head order, plus the colour lookup table."""

    classes: dict[str, tuple[str, ...]]
    lookup: Any

    @classmethod
    def from_items(cls, items: Iterable[dict], lookup: Any) -> LabelSpace:
        """Heads with >= 2 classes among ``items`` (give the train split)."""
        items = list(items)
        classes: dict[str, tuple[str, ...]] = {}
        for attribute in ATTRIBUTES:
            if attribute == "colour":
                clusters = {colour_cluster(lookup, it["colour"]) for it in items if it.get("colour")}
                if len(clusters - {UNKNOWN}) >= 2:
                    classes["colour"] = tuple(lookup.cluster_names)
                continue
            values = sorted({str(it[attribute]) for it in items if it.get(attribute) is not None})
            if len(values) >= 2:
                classes[attribute] = tuple(values)
        if not classes:
            raise ValueError(
                "catalog train split has no attribute with two or more values; nothing to classify"
            )
        return cls(classes=classes, lookup=lookup)

    @property
    def heads(self) -> tuple[str, ...]:
        return tuple(self.classes)

    def label(self, attribute: str, value: str | None) -> int:
        """Class index of ``value`` for ``attribute``; ``-1`` when absent or not a class of the head."""
        if value is None or attribute not in self.classes:
            return UNKNOWN
        if attribute == "colour":
            return colour_cluster(self.lookup, value)
        names = self.classes[attribute]
        return names.index(str(value)) if str(value) in names else UNKNOWN

    def labels(self, attributes: dict) -> dict[str, int]:
        """Labels of every head from an attribute dict (an item, or a parsed query)."""
        return {head: self.label(head, attributes.get(head)) for head in self.heads}

    def label_matrix(self, items: Iterable[dict]) -> np.ndarray:
        """(N, n_heads) int64 labels of catalog items, columns in :attr:`heads` order."""
        rows = [[self.label(head, it.get(head)) for head in self.heads] for it in items]
        return np.asarray(rows, dtype=np.int64).reshape(-1, len(self.heads))

    def to_json(self) -> dict[str, list[str]]:
        return {head: list(names) for head, names in self.classes.items()}


def colour_cluster(lookup: Any, term: str) -> int:
    """Cluster id of a colour term (exact term first, then the lookup's own word lookup), or -1."""
    cluster = lookup.cluster_of(term)
    if cluster is None and hasattr(lookup, "lookup"):
        cluster = lookup.lookup(term).cluster_id
    return UNKNOWN if cluster is None else int(cluster)


def query_text(steps: list[str], upto: int | None = None) -> str:
    """The words of the first ``upto`` steps (all by default) as one string."""
    return " ".join(steps if upto is None else steps[:upto])


@dataclass(frozen=True)
class Requests:
    """What every prefix of every query stream asks for.

    ``labels`` (n_streams, max_steps, n_heads): the class each prefix asks for, -1 where it asks none
    or a value the head lacks; ``touched`` (same shape, bool): the step's words changed the parsed value
    of that attribute (step 0 touches whatever it names); ``colour_terms``: the colour term of each full
    query; ``n_steps`` (n_streams,). Steps past a stream's end are -1 / False.
    """

    labels: np.ndarray
    touched: np.ndarray
    colour_terms: list[str | None]
    n_steps: np.ndarray

    def final_labels(self) -> np.ndarray:
        """(n_streams, n_heads) what each full query asks for."""
        return self.labels[np.arange(len(self.n_steps)), self.n_steps - 1]


def parse_requests(streams: list[list[str]], space: LabelSpace, parse: AttributeParser) -> Requests:
    """Parse each query prefix (the words of steps 1..t together, so "capri" adds to earlier words)."""
    empty = [i for i, steps in enumerate(streams) if len(steps) == 0]
    if empty:
        raise ValueError(f"query stream(s) {empty} have no step; every query stream needs at least one")
    max_steps, n_heads = max((len(s) for s in streams), default=0), len(space.heads)
    labels = np.full((len(streams), max_steps, n_heads), UNKNOWN, dtype=np.int64)
    touched = np.zeros((len(streams), max_steps, n_heads), dtype=bool)
    colour_terms: list[str | None] = []
    for i, steps in enumerate(streams):
        previous: dict = {}
        for t in range(len(steps)):
            parsed = parse(query_text(steps, t + 1))
            labels[i, t] = [space.label(h, parsed.get(h)) for h in space.heads]
            touched[i, t] = [parsed.get(h) != previous.get(h) for h in space.heads]
            previous = parsed
        colour_terms.append(previous.get("colour"))
    n_steps = np.array([len(s) for s in streams], dtype=np.int64)
    return Requests(labels=labels, touched=touched, colour_terms=colour_terms, n_steps=n_steps)

"""The colour-term tab as plain Python: the lookup table's clusters as swatches, one colour word's cluster,
centroid and nearest terms, and a model's colour-term embedding neighbours next to the perceptual ones.

Embedding vectors are those the report's colour study uses
(:func:`ganbench.models.embeddings.colour_term_vectors`): with the colour model a term's vector is its
cluster token's embedding, so a cluster's members share one vector (cosine 1 with each other); without it,
the term's word embedding (mean over its words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ganbench.explore.sources import ExploreError, ExploreModel


@dataclass(frozen=True)
class Swatch:
    term: str
    lab: tuple[float, float, float]
    hex: str


@dataclass(frozen=True)
class ClusterSwatches:
    id: int
    name: str
    centroid: Swatch
    members: list[Swatch]


@dataclass(frozen=True)
class ColourWord:
    """What the lookup table says about one word; ``cluster`` is None for a word that is not a colour."""

    word: str
    swatch: Swatch | None  # the word's own colour, when it has one
    cluster: ClusterSwatches | None
    nearest: list[tuple[Swatch, float]]  # table terms by CIEDE2000 from the word's colour
    note: str


@dataclass(frozen=True)
class Neighbours:
    """A model's nearest colour terms by embedding cosine, beside the nearest by CIEDE2000."""

    label: str
    source: str  # "cluster token" | "word"
    embedding: list[tuple[str, float]]
    perceptual: list[tuple[str, float]]
    message: str = ""
    colours: dict[str, str] = field(default_factory=dict)  # term -> sRGB hex of the listed terms


def lab_hex(lab: Any) -> str:
    """sRGB hex of a CIELAB colour (out-of-gamut colours clipped)."""
    from colorspace import lab_to_srgb

    rgb = np.asarray(lab_to_srgb(np.asarray(lab, dtype=np.float64), as_uint8=True)).reshape(3)
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


def _swatch(term: str, lab: Any) -> Swatch:
    a, b, c = (float(v) for v in lab)
    return Swatch(term, (a, b, c), lab_hex(lab))


def cluster_swatches(lookup: Any) -> list[ClusterSwatches]:
    """Every cluster of the table: its centroid and each member term as a swatch."""
    return [ClusterSwatches(c.id, c.name, _swatch(c.name, c.centroid),
                            [_swatch(term, lookup.term_lab(term)) for term in c.members])
            for c in lookup.clusters]


def word_lab(word: str, lookup: Any) -> tuple[str | None, np.ndarray | None, int | None, str]:
    """(term, CIELAB, cluster id, note) for a word: the table's own term, else a colour of colorspace's
    vocabulary (xkcd, CSS, apparel) given the cluster of the nearest centroid; Nones and the table's note
    ("did you mean ...?") for a word that is not a colour."""
    from colorspace import load_vocabulary, normalise_name

    vocabulary = load_vocabulary("default")
    result = lookup.lookup(word, vocabulary=vocabulary)
    if not result.is_colour:
        return None, None, None, result.note
    name = normalise_name(word)
    lab = lookup.term_lab(name)
    if lab is None:
        lab = vocabulary[name].lab
    return result.term or name, np.asarray(lab, dtype=np.float64), result.cluster_id, result.note


def describe_colour_word(word: str, lookup: Any, n_nearest: int = 6) -> ColourWord:
    """The word's colour, its cluster (centroid and members) and the table's nearest terms to it."""
    from colorspace import delta_e

    word = " ".join(str(word).split())
    if not word:
        raise ExploreError("type a colour word, such as navy or burgundy")
    if lookup is None:
        raise ExploreError("this model was trained without a colour lookup table (data.colour_lookup = none)")
    term, lab, cluster_id, note = word_lab(word, lookup)
    if term is None:
        return ColourWord(word, None, None, [], note)
    cluster = cluster_swatches(lookup)[cluster_id]
    others = [t for t in lookup.terms if t != term]
    distances = np.asarray(delta_e(lab[None, :], np.array([lookup.term_lab(t) for t in others])),
                           dtype=np.float64).reshape(-1)
    order = np.argsort(distances, kind="stable")[:n_nearest]
    nearest = [(_swatch(others[i], lookup.term_lab(others[i])), float(distances[i])) for i in order]
    return ColourWord(word, _swatch(term, lab), cluster, nearest, note)


def embedding_neighbours(model: ExploreModel, word: str, k: int = 6) -> Neighbours:
    """The model's k nearest colour terms to ``word`` by embedding cosine, and by CIEDE2000 among the same
    terms; a model without word embeddings or without a vector for the word says so in ``message``."""
    from colorspace import delta_e, normalise_name
    from ganbench.models.embeddings import colour_term_vectors

    found = colour_term_vectors(model.model)
    if found is None or not found.vectors:
        return Neighbours(model.label, "", [], [], f"{model.label} has no colour-term embeddings")
    terms, source = list(found.vectors), found.source
    matrix = np.stack([np.asarray(found.vectors[t], dtype=np.float64) for t in terms])
    term = normalise_name(" ".join(str(word).split()))
    if term not in terms:
        return Neighbours(model.label, source, [], [], f"{model.label} has no vector for {word!r} (only the "
                                                       f"{len(terms)} terms of its lookup table)")
    index = terms.index(term)
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    cosine = unit @ unit[index]
    labs = np.array([model.lookup.term_lab(t) for t in terms], dtype=np.float64)
    distance = np.asarray(delta_e(labs[index][None, :], labs), dtype=np.float64).reshape(-1)
    others = [i for i in range(len(terms)) if i != index]
    by_cosine = sorted(others, key=lambda i: -cosine[i])[:k]
    by_colour = sorted(others, key=lambda i: distance[i])[:k]
    colours = {terms[i]: lab_hex(labs[i]) for i in {*by_cosine, *by_colour}}
    return Neighbours(model.label, source, [(terms[i], float(cosine[i])) for i in by_cosine],
                      [(terms[i], float(distance[i])) for i in by_colour], colours=colours)

"""Attribute values of the synthetic apparel catalog and how often each occurs.

Every value here has a visible effect in ``render.py``. The frequencies are our choice (the paper's
catalog is not public): colour terms follow a Zipf law over ``colorspace.catalog_terms()`` order
(weight 1 / rank), reweighted by type so jeans come mostly in washes and denim blues; cuts differ by
gender; lengths follow the type (shorts are only bermuda or short); size lines occur on 30% of items
(petite only for women's); each detail is an independent coin flip whose probability depends on type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from colorspace import ColourTerm, catalog_terms
from colorspace.convert import lab_to_srgb, srgb_to_lab

# The attribute values are the text module's (one definition for parser and renderer); re-exported here.
from ganbench.data.text import DETAILS as DETAILS
from ganbench.data.text import FITS as FITS
from ganbench.data.text import GENDERS as GENDERS
from ganbench.data.text import LENGTHS as LENGTHS
from ganbench.data.text import SIZE_LINES as SIZE_LINES
from ganbench.data.text import TYPES as TYPES

TYPE_WEIGHTS = {"pants": 0.45, "jeans": 0.35, "shorts": 0.20}
GENDER_WEIGHTS = {"men's": 0.42, "women's": 0.45, "unisex": 0.13}

FIT_WEIGHTS = {
    "men's": {"skinny": 0.08, "slim": 0.28, "straight": 0.30, "bootcut": 0.10, "wide-leg": 0.04,
              "relaxed": 0.20},
    "women's": {"skinny": 0.25, "slim": 0.20, "straight": 0.18, "bootcut": 0.14, "wide-leg": 0.15,
                "relaxed": 0.08},
    "unisex": {"skinny": 0.04, "slim": 0.15, "straight": 0.30, "bootcut": 0.04, "wide-leg": 0.12,
               "relaxed": 0.35},
}  # fmt: skip
SHORTS_FITS = ("slim", "straight", "wide-leg", "relaxed")  # no skinny or bootcut shorts

LENGTH_WEIGHTS = {
    "pants": {"full": 0.68, "ankle": 0.20, "capri": 0.12},
    "jeans": {"full": 0.72, "ankle": 0.18, "capri": 0.10},
    "shorts": {"bermuda": 0.5, "short": 0.5},
}
SIZE_LINE_WEIGHTS = {None: 0.70, "petite": 0.10, "tall": 0.10, "plus": 0.10}

DETAIL_PROBABILITY = {
    "pants": {"cargo pockets": 0.12, "distressed": 0.02, "pleated": 0.15, "drawstring": 0.10, "cuffed": 0.08,
              "striped": 0.10},
    "jeans": {"cargo pockets": 0.04, "distressed": 0.30, "pleated": 0.01, "drawstring": 0.02, "cuffed": 0.15,
              "striped": 0.02},
    "shorts": {"cargo pockets": 0.20, "distressed": 0.12, "pleated": 0.08, "drawstring": 0.20, "cuffed": 0.15,
               "striped": 0.08},
}  # fmt: skip

ZIPF_EXPONENT = 1.0
DENIM_WORDS = ("wash", "denim", "indigo", "chambray")
JEANS_DENIM_BOOST = 6.0  # jeans: denim-like terms x6, others as they are
NON_JEANS_DENIM_FACTOR = 0.1  # washes on chinos are rare
LAB_JITTER_SD = (1.5, 1.0, 1.0)  # shade jitter around a term's Lab (L, a, b), clipped at 2.5 sd


@dataclass(frozen=True)
class VisualAttributes:
    """What the renderer draws; nothing from the title (brand, material, size code) is here."""

    type: str
    gender: str
    colour: str
    colour_lab: tuple[float, float, float]
    fit: str
    length: str
    size_line: str | None
    details: tuple[str, ...]


def is_denim_term(name: str) -> bool:
    return any(word in name for word in DENIM_WORDS)


@lru_cache(maxsize=16)
def colour_weights(terms: tuple[ColourTerm, ...], garment_type: str) -> np.ndarray:
    """Zipf weights over ``terms`` (in popularity order), reweighted for the garment type, summing to 1."""
    weights = 1.0 / np.arange(1, len(terms) + 1) ** ZIPF_EXPONENT
    denim = np.array([is_denim_term(t.name) for t in terms])
    weights = weights * np.where(
        denim, JEANS_DENIM_BOOST if garment_type == "jeans" else NON_JEANS_DENIM_FACTOR, 1
    )
    return weights / weights.sum()


def _choose(rng: np.random.Generator, weights: dict) -> object:
    values = list(weights)
    p = np.array([weights[v] for v in values], dtype=float)
    return values[int(rng.choice(len(values), p=p / p.sum()))]


def jittered_lab(term: ColourTerm, rng: np.random.Generator) -> np.ndarray:
    """A shade near ``term``: Lab jitter (clipped at 2.5 sd), L kept in 0..100."""
    noise = np.clip(rng.standard_normal(3), -2.5, 2.5) * np.array(LAB_JITTER_SD)
    lab = np.asarray(term.lab, dtype=np.float64) + noise
    lab[0] = np.clip(lab[0], 0.0, 100.0)
    return lab


def paintable_labs(labs: np.ndarray) -> np.ndarray:
    """Lab colours (N, 3) clipped into sRGB, quantised to 8 bits, and converted back to Lab.

    The result is exactly the colour each garment is painted with before shading (one batched call).
    """
    rgb = lab_to_srgb(np.asarray(labs, dtype=np.float64), gamut="clip", as_uint8=True)
    return np.round(srgb_to_lab(rgb.astype(np.float64) / 255.0), 3)


def with_paintable_colours(garments: list[VisualAttributes]) -> list[VisualAttributes]:
    """``garments`` with each ``colour_lab`` replaced by its paintable (8-bit sRGB) value."""
    if not garments:
        return []
    exact = paintable_labs(np.array([g.colour_lab for g in garments]))
    pairs = zip(garments, exact, strict=True)
    return [replace(g, colour_lab=tuple(float(v) for v in lab)) for g, lab in pairs]


def sample_fit(rng: np.random.Generator, garment_type: str, gender: str) -> str:
    weights = FIT_WEIGHTS[gender]
    if garment_type == "shorts":
        weights = {fit: weights[fit] for fit in SHORTS_FITS}
    return _choose(rng, weights)


def sample_length(rng: np.random.Generator, garment_type: str, gender: str) -> str:
    weights = dict(LENGTH_WEIGHTS[garment_type])
    if gender == "men's" and "capri" in weights:
        weights["capri"] *= 0.2
    return _choose(rng, weights)


def sample_size_line(rng: np.random.Generator, gender: str) -> str | None:
    weights = dict(SIZE_LINE_WEIGHTS)
    if gender != "women's":
        weights.pop("petite")
    return _choose(rng, weights)


def sample_details(rng: np.random.Generator, garment_type: str) -> tuple[str, ...]:
    flips = rng.random(len(DETAILS))
    probability = DETAIL_PROBABILITY[garment_type]
    return tuple(d for d, u in zip(DETAILS, flips, strict=True) if u < probability[d])


def sample_attributes(
    rng: np.random.Generator, terms: tuple[ColourTerm, ...] | None = None
) -> VisualAttributes:
    """Draw one garment's visual attributes (type first, the rest conditioned on it).

    ``colour_lab`` is the jittered shade before 8-bit quantisation; pass the results through
    ``with_paintable_colours`` to get the exact painted colour.
    """
    terms = terms if terms is not None else tuple(catalog_terms())
    garment_type = _choose(rng, TYPE_WEIGHTS)
    gender = _choose(rng, GENDER_WEIGHTS)
    term = terms[int(rng.choice(len(terms), p=colour_weights(terms, garment_type)))]
    return VisualAttributes(
        type=garment_type,
        gender=gender,
        colour=term.name,
        colour_lab=tuple(float(v) for v in jittered_lab(term, rng)),
        fit=sample_fit(rng, garment_type, gender),
        length=sample_length(rng, garment_type, gender),
        size_line=sample_size_line(rng, gender),
        details=sample_details(rng, garment_type),
    )

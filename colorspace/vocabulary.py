"""Colour vocabularies: named colours with their CIELAB value and where the value comes from.

Sources
- ``"xkcd"``: the 949 xkcd colour-survey names (``matplotlib.colors.XKCD_COLORS``, "xkcd:" prefix removed),
  most common first (matplotlib, like xkcd's rgb.txt, lists them least common first: "purple" last).
- ``"css"``: the CSS4 named colours (``matplotlib.colors.CSS4_COLORS``). CSS writes names as one word
  ("midnightblue"); we split them into words where every piece is a known colour word ("midnight blue"),
  otherwise the name is kept as written.
- ``"apparel"``: terms used in clothing catalogs, defined here (``APPAREL_HEX``; values chosen by us from
  typical product photography, since no standard exists).

Names are normalised: lower case, single spaces (hyphens and underscores too: "off-white" = "off white"),
and "gray" spelled "grey" (xkcd's spelling).

Source rule (our choice; the paper is silent): where sources disagree on a name, the default vocabulary
takes the value from the first source in ``SOURCE_PRIORITY`` = apparel > xkcd > css. Apparel wins because
the catalog's meaning of "khaki" or "indigo" is the trouser colour, not the dictionary one; xkcd beats CSS
because its values come from a survey of how people use the words (CSS navy is #000080, a saturated
electric blue nobody sells as navy trousers).

Lab values: sRGB (0..1) -> XYZ -> CIELAB, D65, 2 degree observer, computed in float64 by
``colorspace.convert.srgb_to_lab`` with colour-science's constants (it agrees with colour-science to
1e-13); importing colour-science itself would add about a second to every command that loads a vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from colorspace.convert import srgb_to_lab
from colorspace.reference import hex_to_srgb

SOURCE_PRIORITY = ("apparel", "xkcd", "css")
VOCABULARY_NAMES = ("xkcd", "css", "apparel", "default")

# sRGB hex values for apparel terms (our choice, documented in the module docstring).
APPAREL_HEX: dict[str, str] = {
    "light wash": "#A7BDD6",  # faded, light blue denim
    "medium wash": "#5E7FA6",  # mid-blue stonewashed denim
    "dark wash": "#2C3E5C",  # deep indigo denim with little fading
    "acid wash": "#AEB9C4",  # bleach-mottled denim; the average of its light and dark patches
    "raw denim": "#1E2A45",  # unwashed indigo denim, close to navy
    "washed black": "#3A3B3F",  # faded black denim, a soft charcoal
    "heather grey": "#A2A3A6",  # mélange of grey and white fibres
    "nude": "#E2BFA4",  # light skin-tone beige
    "stone": "#CBC3B1",  # pale warm grey-beige (chinos)
    "ecru": "#E6DCC5",  # unbleached cotton
    "camel": "#C09A6B",  # camel-hair brown
    "oatmeal": "#D9CDB6",  # flecked light beige
    "indigo": "#2F3C6E",  # indigo dye on cotton; xkcd/CSS "indigo" is a violet
    "khaki": "#C3B091",  # chino khaki; xkcd khaki is olive-yellow, CSS khaki pale yellow
    "chambray": "#8EA4BF",  # light blue woven cotton
    "cognac": "#9A4E25",  # reddish leather brown
}

# The colour terms of the synthetic catalog, most popular first (data helpers give Zipf frequencies by
# this order). Includes the near-synonym groups navy / navy blue / midnight blue, burgundy / maroon / wine,
# khaki / tan and charcoal / dark grey, and the apparel terms light wash, dark wash, heather grey.
CATALOG_TERM_NAMES: tuple[str, ...] = (
    "black", "navy", "blue", "grey", "khaki", "white", "dark wash", "light wash", "medium wash",
    "charcoal", "brown", "olive", "beige", "navy blue", "stone", "tan", "heather grey", "green", "red",
    "burgundy", "light grey", "dark grey", "indigo", "camel", "cream", "ivory", "pink", "maroon", "denim",
    "sand", "taupe", "acid wash", "midnight blue", "light blue", "sky blue", "teal", "forest green",
    "army green", "purple", "yellow", "orange", "rust", "mustard", "coral", "wine", "nude", "ecru",
    "oatmeal", "chocolate", "lavender", "mint", "sage", "blush", "mauve", "plum", "royal blue", "cobalt",
    "turquoise", "lilac", "peach", "silver", "off white", "slate", "rose", "emerald", "hunter green",
    "fuchsia", "chambray", "raw denim", "washed black",
)  # fmt: skip


@dataclass(frozen=True)
class ColourTerm:
    """A colour name with its CIELAB value (D65) and the vocabulary it came from."""

    name: str
    lab: tuple[float, float, float]
    source: str
    hex: str = ""


class UnknownVocabularyError(ValueError):
    """Raised for a vocabulary name that is not built in."""


def normalise_name(name: str) -> str:
    """Lower case; hyphens, underscores and runs of spaces become one space; 'gray' -> 'grey'."""
    words = re.sub(r"[\s_\-]+", " ", name.strip().lower()).strip().split(" ")
    return " ".join("grey" if w == "gray" else w for w in words)


def _terms_from_hex(named_hex: dict[str, str], source: str) -> list[ColourTerm]:
    names = list(named_hex)
    labs = srgb_to_lab(np.stack([hex_to_srgb(named_hex[n]) for n in names]))
    return [
        ColourTerm(name, tuple(float(v) for v in lab), source, named_hex[name].lower())
        for name, lab in zip(names, labs, strict=True)
    ]


def _xkcd_hex() -> dict[str, str]:
    from matplotlib.colors import XKCD_COLORS

    return {normalise_name(k.removeprefix("xkcd:")): v for k, v in reversed(XKCD_COLORS.items())}


def _split_css_name(name: str, words: frozenset[str]) -> str:
    """Split a run-together CSS name into known words, fewest pieces first; unsplittable names stay."""
    best: list[list[str] | None] = [[]] + [None] * len(name)
    for end in range(1, len(name) + 1):
        for start in range(end):
            piece = name[start:end]
            if best[start] is not None and piece in words:
                candidate = best[start] + [piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return " ".join(best[-1]) if best[-1] else name


def _css_hex() -> dict[str, str]:
    from matplotlib.colors import CSS4_COLORS

    words = frozenset(w for n in _xkcd_hex() for w in n.split(" ")) | {"gray", "smoke", "drab"}
    out: dict[str, str] = {}
    for name, code in CSS4_COLORS.items():
        out.setdefault(normalise_name(_split_css_name(name, words)), code)
    return out


@cache
def _load(name: str) -> tuple[ColourTerm, ...]:
    if name == "xkcd":
        return tuple(_terms_from_hex(_xkcd_hex(), "xkcd"))
    if name == "css":
        return tuple(_terms_from_hex(_css_hex(), "css"))
    if name == "apparel":
        return tuple(_terms_from_hex(APPAREL_HEX, "apparel"))
    merged: dict[str, ColourTerm] = {}
    for source in SOURCE_PRIORITY:
        for term in _load(source):
            merged.setdefault(term.name, term)
    return tuple(merged.values())


def load_vocabulary(name: str = "default") -> dict[str, ColourTerm]:
    """The built-in vocabulary ``name`` as {normalised name: ColourTerm}.

    ``"default"`` merges apparel, xkcd and CSS by ``SOURCE_PRIORITY`` (one source per name).
    """
    if name not in VOCABULARY_NAMES:
        raise UnknownVocabularyError(
            f"unknown colour vocabulary {name!r}; expected one of {', '.join(VOCABULARY_NAMES)}"
        )
    return {term.name: term for term in _load(name)}


def catalog_terms() -> list[ColourTerm]:
    """The colour terms of the synthetic catalog (from the default vocabulary), most popular first."""
    vocabulary = load_vocabulary("default")
    return [vocabulary[name] for name in CATALOG_TERM_NAMES]

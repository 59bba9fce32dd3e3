"""Product titles and shopper query streams for synthetic items.

Titles look like marketplace titles: an invented brand, the attribute words in one of several word
orders, a material and a size code ("32W x 30L", "Size 8P"). Brand, material and size code are drawn
from the item's text stream only, so they never change the image. No brand or material contains a
colour term or an attribute word, so the title parser recovers exactly the item's attributes.

The query stream (our choice, the paper only shows examples) is what a shopper types: first
"gender colour type" ("women's black pants"), or in a quarter of items "gender type" with the colour
as a later step; then one step per remaining visual attribute (fit, length unless full, size line,
each detail) in random order. Every visual attribute is in the query, so the query determines the
image up to shade and pose jitter.
"""

from __future__ import annotations

import re

import numpy as np

from ganbench.data.synth.attributes import VisualAttributes

BRANDS = (
    "Northbound", "Harlow & Finch", "Kestrel Supply", "Ridgeway", "Marlowe", "Tidewater Co.", "Foundry 9",
    "Wrenfield", "Bellamy", "Halden", "Orchard & Oak", "Larkspur", "Ironhill", "Everly", "Kinsley",
    "Bramble & Birch", "Pioneer Goods", "Westmere", "Atlas Workwear", "Meridian", "Fable & Thread", "Lumen",
    "Hollis", "Aldridge", "Thornbury", "Vale & Vine", "Quarry Lane", "Birchwood", "Nordtrail", "Juno Studio",
)  # fmt: skip
MATERIALS = {
    "jeans": ("100% cotton", "stretch cotton", "cotton-elastane blend", "organic cotton", "recycled cotton",
              "comfort stretch"),
    "pants": ("cotton twill", "wool blend", "linen blend", "stretch twill", "polyester-viscose", "ponte knit",
              "cotton sateen", "lyocell"),
    "shorts": ("cotton twill", "linen", "ripstop cotton", "french terry", "quick-dry nylon", "poplin"),
}  # fmt: skip
LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
QUERY_COLOUR_FIRST = 0.75

# Title templates: {B} brand, {G} gender, {S} size line, {F} fit, {L} length, {C} colour, {A} detail
# adjectives, {T} type, {W} "with ..." details, {M} material, {Z} size code. The type word comes after
# every other attribute word (the parser takes the last type word as the head noun).
TEMPLATES = (
    "{B} {G} {S} {F} {L} {C} {A} {T} {W} - {M} - {Z}",
    "{G} {C} {F} {L} {A} {T} {W} by {B}, {S} {Z}, {M}",
    "{C} {G} {S} {F} {A} {L} {T} {W} ({M}) | {B} | {Z}",
    "{B} {G} {A} {F} {C} {S} {L} {T} {W}, {Z}, {M}",
    "{B} {M} {G} {L} {F} {C} {S} {A} {T} {W} {Z}",
)
ADJECTIVE_DETAILS = ("distressed", "pleated", "drawstring", "cuffed", "striped")


def _title_case(words: str) -> str:
    """Capitalise each word and each hyphenated part ("wide-leg" -> "Wide-Leg")."""
    return re.sub(r"(^|[\s\-])([a-z])", lambda m: m.group(1) + m.group(2).upper(), words)


def _zipf_choice(rng: np.random.Generator, options: tuple[str, ...], exponent: float = 0.8) -> str:
    weights = 1.0 / np.arange(1, len(options) + 1) ** exponent
    return options[int(rng.choice(len(options), p=weights / weights.sum()))]


def size_code(attributes: VisualAttributes, rng: np.random.Generator) -> str:
    """A size code in the style of the gender and type; no size-line words."""
    plus = attributes.size_line == "plus"
    if attributes.gender == "women's":
        number = int(rng.choice(np.arange(16, 26, 2) if plus else np.arange(0, 18, 2)))
        suffix = {"petite": "P", "tall": "T", "plus": "W"}.get(attributes.size_line or "", "")
        return f"Size {number}{suffix}"
    waist = int(rng.choice(np.arange(38, 50, 2) if plus else np.arange(28, 40, 2)))
    if attributes.type == "shorts" or rng.random() < 0.15:
        return f"{waist}W" if rng.random() < 0.7 else LETTER_SIZES[int(rng.integers(len(LETTER_SIZES)))]
    inseam = int(rng.choice((34, 36) if attributes.size_line == "tall" else (28, 30, 32, 34)))
    return f"{waist}W x {inseam}L"


def _detail_parts(details: tuple[str, ...]) -> tuple[str, str]:
    adjectives = " ".join(_title_case(d) for d in details if d in ADJECTIVE_DETAILS)
    with_part = "with Cargo Pockets" if "cargo pockets" in details else ""
    return adjectives, with_part


def make_title(attributes: VisualAttributes, brand: str, material: str, size: str, template: str,
               say_full_length: bool) -> str:  # fmt: skip
    adjectives, with_part = _detail_parts(attributes.details)
    length = "" if attributes.length == "full" else attributes.length
    if attributes.length == "full" and say_full_length:
        length = "full length"
    fields = {
        "B": brand, "G": _title_case(attributes.gender), "S": _title_case(attributes.size_line or ""),
        "F": _title_case(attributes.fit), "L": _title_case(length), "C": _title_case(attributes.colour),
        "A": adjectives, "T": _title_case(attributes.type), "W": with_part, "M": _title_case(material),
        "Z": size,
    }  # fmt: skip
    title = template.format(**fields)
    title = re.sub(r"\s+", " ", title)
    title = re.sub(r"\s+([,)])", r"\1", title).replace("( ", "(").replace(", ,", ",")
    return title.strip(" ,-|")


def query_steps(attributes: VisualAttributes, rng: np.random.Generator) -> list[str]:
    """The shopper's query stream: a head step, then one refinement per visual attribute."""
    refinements = [attributes.fit]
    if attributes.length != "full":
        refinements.append(attributes.length)
    if attributes.size_line:
        refinements.append(attributes.size_line)
    refinements += list(attributes.details)
    if rng.random() < QUERY_COLOUR_FIRST:
        head = f"{attributes.gender} {attributes.colour} {attributes.type}"
    else:
        head = f"{attributes.gender} {attributes.type}"
        refinements.append(attributes.colour)
    order = rng.permutation(len(refinements))
    return [head] + [refinements[i] for i in order]


def describe(attributes: VisualAttributes, rng: np.random.Generator) -> dict:
    """Title-only fields (title, brand, material, size_code) and the query stream of one item."""
    brand = _zipf_choice(rng, BRANDS)
    material = MATERIALS[attributes.type][int(rng.integers(len(MATERIALS[attributes.type])))]
    size = size_code(attributes, rng)
    template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
    title = make_title(attributes, brand, material, size, template, say_full_length=rng.random() < 0.3)
    return {"title": title, "query": query_steps(attributes, rng), "brand": brand, "material": material,
            "size_code": size}  # fmt: skip

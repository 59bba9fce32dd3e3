"""Product-title text: the tokeniser, the token vocabulary and the attribute parser.

Choices where the paper is silent (ours):
- Tokens are lower-case runs of letters/digits, joined by inner apostrophes or hyphens, so "women's",
  "wide-leg" and "off-white" stay whole and "32W x 30L" becomes ["32w", "x", "30l"]. Curly
  apostrophes are read as straight ones.
- The attribute parser matches word phrases (longest phrase wins). The garment type is the *last* type
  word in the title (the head noun: "jean shorts" are shorts); gender is the first gender word; colour
  is the longest colour term anywhere in the title (ties: the first). Colour terms come from
  ``colorspace.catalog_terms()`` (the one list the synthetic catalog also uses); "gray" reads as "grey".
- Fabric words that are also colour terms (``MATERIAL_COLOUR_TERMS``: "denim") are a colour only when
  they are the whole colour phrase of the text: "denim shorts" is denim-coloured, but in "light wash
  denim shorts" the colour is "light wash" and denim is the fabric (:func:`colour_phrase_matches`, also
  used for the colour model's cluster tokens).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")

TYPES = ("pants", "jeans", "shorts")
GENDERS = ("men's", "women's", "unisex")
FITS = ("skinny", "slim", "straight", "bootcut", "wide-leg", "relaxed")
LENGTHS = ("full", "ankle", "capri", "bermuda", "short")
SIZE_LINES = ("petite", "tall", "plus")
DETAILS = ("cargo pockets", "distressed", "pleated", "drawstring", "cuffed", "striped")

# phrase as written in titles -> canonical attribute value
TYPE_WORDS: dict[str, str] = {
    "jeans": "jeans", "jean": "jeans", "jeggings": "jeans",
    "shorts": "shorts",
    "pants": "pants", "pant": "pants", "trousers": "pants", "trouser": "pants", "chinos": "pants",
    "chino": "pants", "joggers": "pants", "jogger": "pants", "slacks": "pants", "capris": "pants",
    "track pants": "pants", "sweatpants": "pants",
}  # fmt: skip
GENDER_WORDS: dict[str, str] = {
    "women's": "women's", "womens": "women's", "women": "women's", "woman": "women's",
    "ladies": "women's", "female": "women's",
    "men's": "men's", "mens": "men's", "men": "men's", "man": "men's", "male": "men's",
    "unisex": "unisex",
}  # fmt: skip
FIT_WORDS: dict[str, str] = {
    "skinny": "skinny", "slim": "slim", "slim fit": "slim", "straight": "straight",
    "straight leg": "straight", "straight-leg": "straight", "bootcut": "bootcut", "boot cut": "bootcut",
    "boot-cut": "bootcut", "wide-leg": "wide-leg", "wide leg": "wide-leg", "relaxed": "relaxed",
    "relaxed fit": "relaxed",
}  # fmt: skip
LENGTH_WORDS: dict[str, str] = {
    "full length": "full", "full-length": "full", "full": "full", "ankle": "ankle",
    "ankle length": "ankle", "ankle-length": "ankle", "capri": "capri", "capris": "capri",
    "bermuda": "bermuda", "bermudas": "bermuda", "short": "short",
}  # fmt: skip
SIZE_LINE_WORDS: dict[str, str] = {
    "petite": "petite", "tall": "tall", "plus": "plus", "plus size": "plus", "plus-size": "plus",
}  # fmt: skip
DETAIL_WORDS: dict[str, str] = {
    "cargo": "cargo pockets", "cargo pockets": "cargo pockets", "cargo pocket": "cargo pockets",
    "distressed": "distressed", "ripped": "distressed", "pleated": "pleated", "pleats": "pleated",
    "drawstring": "drawstring", "cuffed": "cuffed", "striped": "striped", "stripes": "striped",
    "stripe": "striped", "pinstripe": "striped",
}  # fmt: skip

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens; keeps "women's" and hyphenated words whole."""
    normalised = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _TOKEN_RE.findall(normalised)


Phrases = dict[tuple[str, ...], str]


def _phrase_table(words: dict[str, str]) -> Phrases:
    return {tuple(tokenize(phrase)): value for phrase, value in words.items()}


def find_phrases(tokens: Sequence[str], phrases: Phrases) -> list[tuple[int, int, str]]:
    """Non-overlapping phrase matches ``(start, end, value)``, left to right, longest phrase first."""
    longest = max((len(p) for p in phrases), default=0)
    found: list[tuple[int, int, str]] = []
    start = 0
    while start < len(tokens):
        for length in range(min(longest, len(tokens) - start), 0, -1):
            value = phrases.get(tuple(tokens[start : start + length]))
            if value is not None:
                found.append((start, start + length, value))
                start += length
                break
        else:
            start += 1
    return found


@lru_cache(maxsize=1)
def _default_colour_names() -> tuple[str, ...]:
    from colorspace.vocabulary import catalog_terms

    return tuple(term.name for term in catalog_terms())


@lru_cache(maxsize=8)
def _colour_table(names: tuple[str, ...]) -> Phrases:
    table: Phrases = {}
    for name in names:
        words = tuple(_grey(tokenize(name)))
        table[words] = name
        if len(words) > 1:  # "off white" is also written "off-white"
            table[("-".join(words),)] = name
    return table


def _grey(tokens: Iterable[str]) -> list[str]:
    return [token.replace("gray", "grey") for token in tokens]


MATERIAL_COLOUR_TERMS = frozenset({"denim"})

ColourMatch = tuple[int, int, str]


def colour_phrase_matches(matches: Sequence[ColourMatch]) -> list[ColourMatch]:
    """Colour-term matches ``(start, end, term)`` without fabric words (``MATERIAL_COLOUR_TERMS``) when
    another colour term is in the same text: a fabric word is a colour only as the whole colour phrase."""
    def is_material(match: ColourMatch) -> bool:
        return str(getattr(match[2], "name", match[2])) in MATERIAL_COLOUR_TERMS

    colours = [match for match in matches if not is_material(match)]
    return colours if colours else list(matches)


def find_colour(tokens: Sequence[str], colour_names: Sequence[str] | None = None) -> str | None:
    """The longest colour term in ``tokens`` (ties: the first), or ``None``; a fabric word such as
    "denim" only when no other colour term is there (:func:`colour_phrase_matches`)."""
    names = tuple(colour_names) if colour_names is not None else _default_colour_names()
    matches = colour_phrase_matches(find_phrases(_grey(tokens), _colour_table(names)))
    if not matches:
        return None
    return max(matches, key=lambda m: (m[1] - m[0], -m[0]))[2]


_TABLES = {
    "type": _phrase_table(TYPE_WORDS),
    "gender": _phrase_table(GENDER_WORDS),
    "fit": _phrase_table(FIT_WORDS),
    "length": _phrase_table(LENGTH_WORDS),
    "size_line": _phrase_table(SIZE_LINE_WORDS),
    "details": _phrase_table(DETAIL_WORDS),
}


def parse_attributes(title: str, colour_names: Sequence[str] | None = None) -> dict:
    """Attributes found in a product title.

    Returns ``type``, ``gender``, ``colour``, ``fit``, ``length``, ``size_line`` (``None`` where not
    found) and ``details`` (list, in title order, without repeats).
    """
    tokens = tokenize(title)
    found = {name: find_phrases(tokens, table) for name, table in _TABLES.items()}
    type_matches, gender_matches = found["type"], found["gender"]
    return {
        "type": type_matches[-1][2] if type_matches else None,
        "gender": gender_matches[0][2] if gender_matches else None,
        "colour": find_colour(tokens, colour_names),
        "fit": _first(found["fit"]),
        "length": _first(found["length"]),
        "size_line": _first(found["size_line"]),
        "details": list(dict.fromkeys(value for _, _, value in found["details"])),
    }


def _first(matches: list[tuple[int, int, str]]) -> str | None:
    return matches[0][2] if matches else None


def query_stream(attributes: dict) -> list[str]:
    """A shopper's query steps built from parsed attributes (our choice for imported items).

    Step one is "gender colour type" (the words present, in that order); then one step each for fit,
    length and size line, then one per detail. With no attributes at all, the stream is empty.
    """
    head = " ".join(a for a in (attributes.get(k) for k in ("gender", "colour", "type")) if a)
    steps = [head] if head else []
    steps += [attributes[k] for k in ("fit", "length", "size_line") if attributes.get(k)]
    steps += list(attributes.get("details") or [])
    return steps


class Vocabulary:
    """Token <-> id map. ``<pad>`` is 0, ``<unk>`` is 1; other tokens by falling frequency, then A-Z."""

    PAD = 0
    UNK = 1

    def __init__(self, tokens: Sequence[str], min_freq: int = 1) -> None:
        specials = [PAD_TOKEN, UNK_TOKEN]
        if list(tokens[:2]) != specials:
            tokens = specials + [t for t in tokens if t not in specials]
        self.tokens: list[str] = list(tokens)
        self.min_freq = min_freq
        self._ids = {token: i for i, token in enumerate(self.tokens)}
        if len(self._ids) != len(self.tokens):
            raise ValueError("vocabulary tokens must be unique")

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], min_freq: int = 1) -> Vocabulary:
        """Vocabulary of the tokens seen at least ``min_freq`` times in ``token_lists``."""
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}")
        counts = Counter(token for tokens in token_lists for token in tokens)
        kept = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        return cls(kept, min_freq=min_freq)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self._ids

    def id_of(self, token: str) -> int:
        return self._ids.get(token, self.UNK)

    def encode(self, tokens: str | Sequence[str]) -> list[int]:
        """Ids of ``tokens`` (a string is tokenised first); unknown tokens map to ``UNK``."""
        if isinstance(tokens, str):
            tokens = tokenize(tokens)
        return [self.id_of(token) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids``, dropping padding."""
        return [self.tokens[int(i)] for i in ids if int(i) != self.PAD]

    def to_json(self) -> dict:
        return {"format_version": 1, "min_freq": self.min_freq, "tokens": self.tokens}

    @classmethod
    def from_json(cls, data: dict) -> Vocabulary:
        if not isinstance(data, dict) or "tokens" not in data:
            raise ValueError("a vocabulary JSON object needs a 'tokens' list")
        return cls(data["tokens"], min_freq=int(data.get("min_freq", 1)))

    @property
    def hash(self) -> str:
        """SHA-256 of the token list (ids are positions, so this fixes the encoding)."""
        return hashlib.sha256(json.dumps(self.tokens).encode("utf-8")).hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.tokens == other.tokens

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens, min_freq={self.min_freq})"

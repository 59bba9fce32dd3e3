"""Word-swap shift: how far changing one attribute word moves a model's conditioning.

For each attribute (type, gender, colour, fit, length, details) the probe takes every evaluated test item
whose query stream names the item's own value of that attribute as whole words, cuts the stream after the
first step that names it (the probe stream: ``["women's black pants", "slim"]`` for fit "slim"), and swaps
that value in that step for the next value of the attribute seen the same way (values in sorted order, the
last wraps to the first: "men's" -> "women's", "slim" -> "straight"). Type and gender are always in the
opening step; colour is there in most synthetic items and a later step in the others; fit, length and
details are later steps. The conditioning read is the probe stream's at its last step, so a query-stream
reader sees the earlier steps as context and a title reader reads the prefix as one title: both read what
they would read at that step when generating. Details are several per item: the probe uses the first step
that names one of the item's details and swaps it for the next detail in sorted order the item does not
have ("cargo pockets" -> "cuffed" unless the item is cuffed too), so the swapped stream describes another
product rather than reordering this one; an item with every detail gives no pair.

The shift is ``||mu(original) - mu(swapped)|| / (sqrt(dims) * mean sigma(original))``, the root-mean-square
shift per dimension in units of the conditioning-augmentation sigma. Near 0 the word barely reaches the
conditioning and the noise decides that attribute; compare an attribute with the others of the same
model. The spread is a seeded bootstrap over the pairs (one per item). Our diagnostic, not in the paper; it
uses the item's catalog fields, so a catalog whose query words differ from its field values yields no
pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from ganbench.eval.uncertainty import bootstrap_mean, metric_entry

METRIC = "word_swap_shift"
ATTRIBUTES = ("type", "gender", "colour", "fit", "length", "details")
MAX_PAIRS = 1000

Stream = list[str]


@cache
def _pattern(value: str) -> re.Pattern:
    return re.compile(rf"(?<![\w']){re.escape(value)}(?![\w'])", re.IGNORECASE)


def _own_values(item: dict, attribute: str) -> list[str]:
    """The item's values of ``attribute``: one for most attributes, every detail for ``details``."""
    value = item.get(attribute)
    values = value if isinstance(value, list | tuple) else [value]
    return [v for v in values if isinstance(v, str) and v]


def _first_named(query: Sequence[str], values: Sequence[str]) -> tuple[int, str] | None:
    """(index of the first step naming one of ``values``, the value it names), or None."""
    for index, step in enumerate(query):
        for value in values:
            if _pattern(value).search(str(step)):
                return index, value
    return None


def _next_value(value: str, ordered: list[str], owned: Sequence[str]) -> str | None:
    """The first value after ``value`` in ``ordered`` (wrapping) that is not in ``owned``."""
    start = ordered.index(value)
    for shift in range(1, len(ordered)):
        candidate = ordered[(start + shift) % len(ordered)]
        if candidate not in owned:
            return candidate
    return None


def swap_pairs(items: Sequence[dict], attribute: str, limit: int = MAX_PAIRS) -> list[tuple[Stream, Stream]]:
    """(probe stream, the same stream with the attribute's value swapped in its last step), at most
    ``limit``; none when fewer than two values of the attribute are named."""
    named = []
    for item in items:
        query, owned = [str(s) for s in item.get("query") or []], _own_values(item, attribute)
        found = _first_named(query, owned)
        if found is not None:
            named.append((query[: found[0] + 1], found[1], owned))
    ordered = sorted({value for _, value, _ in named})
    if len(ordered) < 2:
        return []
    pairs = []
    for stream, value, owned in named:
        swapped = _next_value(value, ordered, owned)
        if swapped is not None:
            last = _pattern(value).sub(swapped, stream[-1], count=1)
            pairs.append((stream, [*stream[:-1], last]))
    return pairs[:limit]


def word_swap_metrics(source: Any, items: Sequence[dict], seed: int, rounds: int) -> dict:
    """``{"word_swap_shift": {attribute: entry}}`` for ``metrics.json``; ``None`` means when the source
    offers no conditioning or an attribute has no pairs."""
    shifts = {}
    for attribute in ATTRIBUTES:
        pairs = swap_pairs(items, attribute)
        original = source.conditioning([a for a, _ in pairs]) if pairs else None
        if original is None:
            shifts[attribute] = metric_entry(None, None, 0, "bootstrap")
            continue
        mu, sigma = (t.detach().float().cpu() for t in original)
        mu_swapped = source.conditioning([b for _, b in pairs])[0].detach().float().cpu()
        per_pair = (mu - mu_swapped).norm(dim=1) / (mu.shape[1] ** 0.5 * sigma.mean(dim=1))
        shifts[attribute] = bootstrap_mean(per_pair.numpy().astype(np.float64), seed, rounds)
    return {METRIC: shifts}

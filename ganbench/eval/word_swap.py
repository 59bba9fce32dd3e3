"""Word-swap shift: how far changing one attribute word moves a model's conditioning.

For each attribute (type, gender, colour) the probe takes the opening query step of every evaluated test
item that names the item's own value of that attribute as whole words ("men's black pants" names gender
"men's"), swaps that value for the next value of the attribute seen the same way (values in sorted order,
the last wraps to the first: "men's" -> "women's"), and measures how far the conditioning mean moves:
``||mu(original) - mu(swapped)|| / (sqrt(dims) * mean sigma(original))``, the root-mean-square shift per
dimension in units of the conditioning-augmentation sigma. Near 0 the word barely reaches the
conditioning and the noise decides that attribute; compare an attribute with the others of the same
model. The spread is a seeded bootstrap over the pairs. Our diagnostic, not in the paper; it uses the
item's catalog fields, so a catalog whose query words differ from its field values yields no pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from ganbench.eval.uncertainty import bootstrap_mean, metric_entry

METRIC = "word_swap_shift"
ATTRIBUTES = ("type", "gender", "colour")
MAX_PAIRS = 1000


@cache
def _pattern(value: str) -> re.Pattern:
    return re.compile(rf"(?<![\w']){re.escape(value)}(?![\w'])", re.IGNORECASE)


def swap_pairs(items: Sequence[dict], attribute: str, limit: int = MAX_PAIRS) -> list[tuple[str, str]]:
    """(opening step, the same step with the attribute's value swapped), at most ``limit``; none when fewer
    than two values of the attribute are named."""
    named = []
    for item in items:
        value, query = item.get(attribute), item.get("query") or []
        if isinstance(value, str) and value and query and _pattern(value).search(str(query[0])):
            named.append((str(query[0]), value))
    values = sorted({value for _, value in named})
    if len(values) < 2:
        return []
    following = {value: values[(i + 1) % len(values)] for i, value in enumerate(values)}
    pairs = [(text, _pattern(value).sub(following[value], text, count=1)) for text, value in named]
    return pairs[:limit]


def word_swap_metrics(source: Any, items: Sequence[dict], seed: int, rounds: int) -> dict:
    """``{"word_swap_shift": {attribute: entry}}`` for ``metrics.json``; ``None`` means when the source
    offers no conditioning or an attribute has no pairs."""
    shifts = {}
    for attribute in ATTRIBUTES:
        pairs = swap_pairs(items, attribute)
        original = source.conditioning([[a] for a, _ in pairs]) if pairs else None
        if original is None:
            shifts[attribute] = metric_entry(None, None, 0, "bootstrap")
            continue
        mu, sigma = (t.detach().float().cpu() for t in original)
        mu_swapped = source.conditioning([[b] for _, b in pairs])[0].detach().float().cpu()
        per_pair = (mu - mu_swapped).norm(dim=1) / (mu.shape[1] ** 0.5 * sigma.mean(dim=1))
        shifts[attribute] = bootstrap_mean(per_pair.numpy().astype(np.float64), seed, rounds)
    return {METRIC: shifts}

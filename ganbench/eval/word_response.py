"""Per-word response: for each refinement word, how often the image changed to show it.

A refinement word is the text of a query step after the first ("petite", "capri", "cargo pockets"), in
lower case with runs of spaces collapsed, as typed (our choice: no stemming, so "slim" and "slim fit"
are two rows). Steps that name a colour term are pooled under :data:`COLOUR_WORDS` (our choice: one
row per colour term would hold a handful of steps each; per-colour fidelity is
``colour_de00_by_cluster``). Two tables in ``metrics.json``, one entry per word seen in the evaluated test
streams, words ordered fit, length, size line, details, colour, other, then A-Z:

- ``response_by_word``: ``response_rate`` of :mod:`ganbench.eval.retention` split by the step's word.
  Over the (step, attribute) observations where the word changes an attribute the evaluation network
  has a head for (fit and length words: the fit / length head; colour terms: the colour head) and the
  previous image did not already show the asked class, the share whose new image is predicted as the
  asked class. An image that never changes scores 0. Words that change no classified attribute (size
  line, details) have no observation: ``mean`` null, ``n`` 0, shown as n/a, never guessed. Each entry
  also holds ``steps`` (the steps naming the word) and ``head`` (the head(s) that judge it, or null).
- ``step_distance_by_word``: ``step_feature_distance`` split by word: the mean L2 distance between the
  pooled classifier features of the step's image and the previous one, over every step naming the word
  (``n`` = steps). It is the one reading for words without a head, and says whether the image moved at
  all, not whether it shows the word.

Spreads bootstrap whole streams, as retention does. A source that draws no refinement sequence
(``refines`` False) gets every entry undefined.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from ganbench.eval.attributes import UNKNOWN, AttributeParser, Requests, default_parser
from ganbench.eval.retention import ratio_over_streams
from ganbench.eval.uncertainty import DEFAULT_BOOTSTRAP_ROUNDS, metric_entry

RESPONSE_BY_WORD = "response_by_word"
DISTANCE_BY_WORD = "step_distance_by_word"
COLOUR_WORDS = "any colour term"
WORD_ORDER = ("fit", "length", "size_line", "details", "colour", "type", "gender")  # rows, by what they name


def refinement_word(step: str, parse: AttributeParser) -> str:
    """The row a step counts under: its text (lower case, single spaces), or :data:`COLOUR_WORDS`."""
    text = " ".join(str(step).lower().split())
    return COLOUR_WORDS if parse(text).get("colour") else text


def _word_rank(word: str, parse: AttributeParser) -> tuple[int, str]:
    named = {"colour"} if word == COLOUR_WORDS else {k for k, v in parse(word).items() if v}
    return next((k for k, key in enumerate(WORD_ORDER) if key in named), len(WORD_ORDER)), word


def word_index(streams: Sequence[Sequence[str]], parse: AttributeParser) -> tuple[np.ndarray, list[str]]:
    """(n_streams, max_steps) index of each step's word into the returned word list; -1 for first steps
    and past a stream's end."""
    max_steps = max((len(s) for s in streams), default=0)
    rows = [[refinement_word(step, parse) for step in steps[1:]] for steps in streams]
    words = sorted({w for row in rows for w in row}, key=lambda w: _word_rank(w, parse))
    position = {word: k for k, word in enumerate(words)}
    index = np.full((len(streams), max_steps), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        index[i, 1 : len(row) + 1] = [position[w] for w in row]
    return index, words


def _heads_of(mask: np.ndarray, heads: Sequence[str]) -> str | None:
    """The heads with an observation in ``mask`` (..., n_heads), joined by "/", or None."""
    found = [h for j, h in enumerate(heads) if mask[..., j].any()]
    return "/".join(found) or None


def word_response_metrics(
    streams: Sequence[Sequence[str]],
    predicted: np.ndarray,
    pooled: np.ndarray,
    requests: Requests,
    heads: Sequence[str],
    seed: int,
    rounds: int = DEFAULT_BOOTSTRAP_ROUNDS,
    *,
    refines: bool = True,
    parse: AttributeParser | None = None,
) -> dict:
    """``response_by_word`` and ``step_distance_by_word`` (see the module doc); ``predicted`` (S, T,
    n_heads) and ``pooled`` (S, T, D) as :func:`ganbench.eval.retention.refinement_metrics` takes them."""
    index, words = word_index(streams, cache(parse or default_parser()))  # passes repeat each text
    later = index[:, 1:]
    asked = requests.labels[:, 1:]
    answerable = requests.touched[:, 1:] & (asked != UNKNOWN) & (later >= 0)[..., None]
    scored = answerable & (predicted[:, :-1] != asked)
    shown = predicted[:, 1:] == asked
    distance = np.linalg.norm(pooled[:, 1:] - pooled[:, :-1], axis=-1)
    response, movement = {}, {}
    for k, word in enumerate(words):
        here = later == k
        extra = {"steps": int(here.sum()), "head": _heads_of(answerable & here[..., None], heads)}
        if not refines:
            response[word] = metric_entry(None, None, 0, "bootstrap") | extra
            movement[word] = metric_entry(None, None, 0, "bootstrap")
            continue
        mask = scored & here[..., None]
        response[word] = ratio_over_streams((shown & mask).sum(axis=(1, 2)), mask.sum(axis=(1, 2)),
                                            seed, rounds) | extra
        movement[word] = ratio_over_streams((distance * here).sum(axis=1), here.sum(axis=1), seed, rounds)
    return {RESPONSE_BY_WORD: response, DISTANCE_BY_WORD: movement}

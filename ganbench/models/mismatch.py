"""Mismatching ("wrong") pairs for the matching-aware discriminator: a real image whose item contradicts
what the sample's text names.

StackGAN pairs each text with the next image of the shuffled batch. With few attribute values (three types,
three genders, some twenty colour clusters) that image often fits the text anyway: on the synthetic
catalog the shifted image satisfied the prefix 4.9% of the time, and the discriminator was then taught to
reject a matching pair. Here the wrong item is drawn uniformly among the batch items that contradict at
least one attribute the sample's text names (each known on both sides); when no item of the batch does,
the shift (``batch["mismatch_index"]``) is used. Which attributes count is the model option
``mismatch_attributes`` (:data:`ATTRIBUTE_SETS`): the paper's type, gender and colour cluster, or all five
labelled attributes (adding fit and length, the words that refine a query); "shifted" is the official
pairing.

What a text names is read from its words: a vocabulary table marks type, gender, fit and length words (the
title parser's phrase tables; every word of a multi-word phrase such as "boot cut") and colour words (any
word of a colour term of the lookup table, and the colour model's cluster tokens). A prefix names an
attribute once one of its words is so marked; the value it names is the item's label. An attribute the
batch carries no labels for is never contradicted.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ganbench.data.batches import ATTRIBUTES as ALL_ATTRIBUTES
from ganbench.data.text import FIT_WORDS, GENDER_WORDS, LENGTH_WORDS, TYPE_WORDS, tokenize

PAPER_ATTRIBUTES = ("type", "gender", "colour")
# the values of the options mismatch_attributes (bar "shifted") and aux_attributes -> their attributes
ATTRIBUTE_SETS: dict[str, tuple[str, ...]] = {"paper": PAPER_ATTRIBUTES, "all": ALL_ATTRIBUTES}
COLOUR_TOKEN_PREFIX = "<colour_"


def _single_words(phrases: dict[str, str]) -> set[str]:
    return {words[0] for words in map(tokenize, phrases) if len(words) == 1}


def _phrase_words(phrases: dict[str, str]) -> set[str]:
    return {word for phrase in phrases for word in tokenize(phrase)}


def _colour_words(lookup: Any) -> set[str]:
    words: set[str] = set()
    for term in lookup.terms:
        name = str(getattr(term, "name", term))
        words.update(name.replace("-", " ").split())
    return words


def attribute_word_table(
    vocabulary: Any, lookup: Any, attributes: tuple[str, ...] = PAPER_ATTRIBUTES
) -> Tensor:
    """(len(vocabulary), len(attributes)) bool: whether each token names each attribute."""
    words = {"type": _single_words(TYPE_WORDS), "gender": _single_words(GENDER_WORDS),
             "fit": _phrase_words(FIT_WORDS), "length": _phrase_words(LENGTH_WORDS)}
    colours = _colour_words(lookup) if lookup is not None else set()
    table = torch.zeros(len(vocabulary), len(attributes), dtype=torch.bool)
    for index, token in enumerate(vocabulary.tokens):
        is_colour = token.startswith(COLOUR_TOKEN_PREFIX) or token in colours
        if lookup is not None and not is_colour and "colour" in attributes:
            is_colour = bool(lookup.find_terms([token]))  # "off-white" is the term "off white"
        marks = [is_colour if name == "colour" else token in words[name] for name in attributes]
        table[index] = torch.tensor(marks)
    return table


def named_attributes(tokens: Tensor, ends: Tensor, table: Tensor) -> Tensor:
    """(B, S, 3) bool: whether the prefix ``tokens[b, : ends[b, s] + 1]`` names each attribute
    (``ends`` -1 = padding, answered False)."""
    seen = table.to(tokens.device)[tokens].to(torch.uint8).cummax(dim=1).values  # (B, L, 3)
    at_ends = seen.gather(1, ends.clamp(min=0).unsqueeze(-1).expand(-1, -1, seen.shape[-1]))
    return at_ends.bool() & (ends >= 0).unsqueeze(-1)


def sample_names(batch: dict[str, Any], reads: str, table: Tensor) -> Tensor:
    """(N, A) bool (A: the table's attributes) for the samples of a batch in
    :mod:`ganbench.models.text_inputs` order: one per title, or one per query step (item-major)."""
    if reads == "title":
        ends = (batch["title_lengths"] - 1).clamp(min=0).unsqueeze(1)
        return named_attributes(batch["title_tokens"], ends, table)[:, 0]
    ends = batch["step_ends"]
    return named_attributes(batch["query_tokens"], ends, table)[ends >= 0]


def contradicting_items(named: Tensor, labels: Tensor, item: Tensor, fallback: Tensor) -> Tensor:
    """Per sample, a batch item that contradicts an attribute the sample names, drawn uniformly (global
    torch RNG); ``fallback[item]`` where none does.

    ``named`` (N, A) bool; ``labels`` (B, A) long item labels, -1 unknown; ``item`` (N,) each sample's
    batch item; ``fallback`` (B,) the shifted item of each item.
    """
    own = labels[item]  # (N, A)
    known = (own >= 0).unsqueeze(1) & (labels >= 0).unsqueeze(0)  # (N, B, A)
    differs = own.unsqueeze(1) != labels.unsqueeze(0)
    contradicts = (named.unsqueeze(1) & known & differs).any(dim=-1)  # (N, B)
    draw = torch.rand(contradicts.shape, device=contradicts.device).masked_fill(~contradicts, -1.0)
    return torch.where(contradicts.any(dim=1), draw.argmax(dim=1), fallback[item])


def wrong_items(
    batch: dict[str, Any], reads: str, table: Tensor, item: Tensor,
    attributes: tuple[str, ...] = PAPER_ATTRIBUTES
) -> Tensor:
    """The mismatching batch item of every sample (see the module doc); ``attributes`` are the table's
    columns."""
    unknown = torch.full_like(batch["mismatch_index"], -1)
    labels = torch.stack([batch["labels"].get(name, unknown) for name in attributes], dim=1)
    named = sample_names(batch, reads, table)
    return contradicting_items(named, labels, item, batch["mismatch_index"])


def shifted_items(batch: dict[str, Any], item: Tensor) -> Tensor:
    """The official StackGAN pairing: the next item of the shuffled batch, whatever it shows."""
    return batch["mismatch_index"][item]

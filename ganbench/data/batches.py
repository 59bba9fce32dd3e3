"""Training batches: query-stream encoding, the catalog-split dataset, padding collate, data order.

Choices (ours, the paper is silent):
- The colour model replaces every colour term in a query step (multi-word, longest match, found with
  ``lookup.find_terms``; a fabric word such as "denim" only when it is the step's only colour term) by
  one cluster token ``"<colour_K>"``. :func:`model_vocabulary` appends one
  such token per cluster to the catalog's vocabulary (after its last id, so catalog ids are unchanged);
  every model sees that extended vocabulary, whether or not it turns the colour model on.
- ``mismatch_index`` pairs item i with item i+1 (mod B) of the shuffled batch, as the official
  StackGAN code does with its shifted "wrong" images; it is a permutation with no fixed point for B > 1.
- Class labels: ``type``, ``gender``, ``fit`` and ``length`` classes are the sorted values found in the
  catalog (fit and length: the words that refine a query, issue 18); ``colour`` classes are the lookup
  table's clusters. ``colour_lab`` is the item's rendered Lab colour, else its
  cluster centroid, else zeros.
- Data order is a function of (seed, step): epoch e is a permutation seeded by (seed, e), batches drop
  the remainder, so a resumed run sees exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch.utils.data import Dataset

from ganbench.data.protocols import ColourLookup, TokenVocabulary
from ganbench.data.text import Vocabulary, colour_phrase_matches, tokenize

ATTRIBUTES = ("type", "gender", "colour", "fit", "length")
VALUE_ATTRIBUTES = ("type", "gender", "fit", "length")  # classes = the catalog's values (colour: clusters)


@dataclass(frozen=True)
class TextPolicy:
    """How a model reads text, declared by the model (``GanModel.text_policy``) and applied by the harness.

    ``reads``: ``"query_stream"`` (the query stream step by step) or ``"title"`` (the whole product
    title; at generation every prefix of a query stream is read as a title of its own).
    ``colour_tokens``: colour terms in query steps are replaced by their lookup cluster's token
    ``"<colour_K>"`` (the colour model), so the model never sees the colour word itself.
    """

    reads: Literal["query_stream", "title"] = "query_stream"
    colour_tokens: bool = False


def colour_token(cluster_id: int) -> str:
    return f"<colour_{cluster_id}>"


def model_vocabulary(vocabulary: Vocabulary, lookup: Any) -> Vocabulary:
    """The catalog vocabulary plus one cluster token per colour cluster of ``lookup`` (if any)."""
    if lookup is None:
        return vocabulary
    extra = [colour_token(k) for k in range(lookup.n_clusters) if colour_token(k) not in vocabulary]
    return Vocabulary(list(vocabulary.tokens) + extra, min_freq=vocabulary.min_freq)


def _term_name(term: Any) -> str:
    return getattr(term, "name", term)


def step_tokens(step: str, lookup: Any, colour_model: bool) -> list[str]:
    """The tokens of one query step, colour terms replaced by cluster tokens when ``colour_model``."""
    tokens = tokenize(step)
    if not (colour_model and lookup is not None):
        return tokens
    matches = colour_phrase_matches(lookup.find_terms(tokens))  # "light wash denim": one colour
    for start, end, term in sorted(matches, key=lambda m: m[0], reverse=True):
        cluster = lookup.cluster_of(_term_name(term))
        if cluster is not None:
            tokens[start:end] = [colour_token(cluster)]
    return tokens


def encode_query_stream(steps: Sequence[str], vocabulary: Vocabulary, lookup: Any,
                        colour_model: bool) -> tuple[list[int], list[int]]:
    """Token ids of the whole stream and, per step, the index of its last token.

    A step without any word is a ``ValueError`` naming it.
    """
    ids: list[int] = []
    step_ends: list[int] = []
    for number, step in enumerate(steps, start=1):
        tokens = step_tokens(step, lookup, colour_model)
        if not tokens:
            raise ValueError(f"query step {number} ({step!r}) has no words")
        ids += vocabulary.encode(tokens)
        step_ends.append(len(ids) - 1)
    return ids, step_ends


def unknown_words(steps: Sequence[str], vocabulary: Vocabulary, lookup: Any, colour_model: bool) -> list[str]:
    """Words of the stream that the vocabulary does not know (they are encoded as ``<unk>``)."""
    return [t for step in steps for t in step_tokens(step, lookup, colour_model) if t not in vocabulary]


def _pad(rows: Sequence[Sequence[int]], value: int) -> torch.Tensor:
    width = max((len(r) for r in rows), default=0)
    out = torch.full((len(rows), max(width, 1)), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.as_tensor(row, dtype=torch.long)
    return out


def encode_for_generation(streams: Sequence[Sequence[str]], vocabulary: TokenVocabulary,
                          lookup: ColourLookup | None, policy: TextPolicy) -> dict[str, torch.Tensor]:
    """Raw query streams as the tensors a model's ``draw`` reads, encoded as ``policy`` says.

    Always ``n_steps`` (S,). A query-stream reader gets ``query_tokens`` (S, L) and ``step_ends``
    (S, T_max, -1 padding); a title reader gets every prefix of every stream as a title of its own:
    ``title_tokens`` (P, L), ``title_lengths`` (P,) and ``stream_index`` (P,), P = all steps, in
    stream-major order."""
    encoded = [encode_query_stream(s, vocabulary, lookup, policy.colour_tokens) for s in streams]
    out = {"n_steps": torch.tensor([len(ends) for _, ends in encoded], dtype=torch.long)}
    if policy.reads == "query_stream":
        out["query_tokens"] = _pad([ids for ids, _ in encoded], Vocabulary.PAD)
        out["step_ends"] = _pad([ends for _, ends in encoded], -1)
        return out
    prefixes = [ids[: end + 1] for ids, ends in encoded for end in ends]
    out["title_tokens"] = _pad(prefixes, Vocabulary.PAD)
    out["title_lengths"] = torch.tensor([len(p) for p in prefixes], dtype=torch.long)
    out["stream_index"] = torch.tensor([s for s, (_, ends) in enumerate(encoded) for _ in ends])
    return out


def colour_cluster(colour: str | None, lookup: Any) -> int:
    """The lookup cluster of a colour term as written, or -1."""
    if not colour or lookup is None:
        return -1
    cluster = lookup.cluster_of(colour)
    if cluster is None:
        cluster = lookup.lookup(colour).cluster_id
    return -1 if cluster is None else int(cluster)


def class_names(items: Sequence[dict], lookup: Any) -> dict[str, list[str]]:
    """Class labels per attribute: catalog values for type, gender, fit and length, lookup clusters for
    colour."""
    names = {a: sorted({item[a] for item in items if item.get(a)}) for a in VALUE_ATTRIBUTES}
    names["colour"] = list(lookup.cluster_names) if lookup is not None else []
    return names


class QueryBatchDataset(Dataset):
    """One catalog split as batch items.

    Items whose query stream is empty or has a step without words cannot be trained on: they are
    skipped and counted (``read`` = ``len(self)`` + ``skipped``).
    """

    def __init__(self, catalog: Any, split: str, sizes: Sequence[int], vocabulary: Vocabulary, lookup: Any,
                 colour_model: bool, names: dict[str, list[str]]) -> None:
        split_indices = [int(i) for i in catalog.indices(split)]
        self.images = {size: catalog.images(size) for size in sizes}
        self.indices: list[int] = []
        self.encoded = []
        for i in split_indices:
            item = catalog.items[i]
            try:
                query, step_ends = encode_query_stream(item.get("query") or [], vocabulary, lookup,
                                                       colour_model)
            except ValueError:
                continue
            if not step_ends:
                continue
            title = vocabulary.encode(tokenize(item.get("title") or "")) or [Vocabulary.UNK]
            labels = [self._label(item, a, names, lookup) for a in ATTRIBUTES]
            self.indices.append(i)
            self.encoded.append((title, query, step_ends, labels, self._lab(item, lookup)))
        self.read, self.skipped = len(split_indices), len(split_indices) - len(self.indices)

    @staticmethod
    def _label(item: dict, attribute: str, names: dict[str, list[str]], lookup: Any) -> int:
        if attribute == "colour":
            return colour_cluster(item.get("colour"), lookup)
        value, known = item.get(attribute), names.get(attribute, [])
        return known.index(value) if value in known else -1

    @staticmethod
    def _lab(item: dict, lookup: Any) -> list[float]:
        if item.get("colour_lab") is not None:
            return [float(v) for v in item["colour_lab"]]
        cluster = colour_cluster(item.get("colour"), lookup)
        return [float(v) for v in lookup.centroid(cluster)] if cluster >= 0 else [0.0, 0.0, 0.0]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, position: int) -> dict[str, Any]:
        index = self.indices[position]
        images = {size: torch.from_numpy(np.ascontiguousarray(array[index]))
                  for size, array in self.images.items()}
        title, query, step_ends, labels, lab = self.encoded[position]
        return {"images": images, "title": title, "query": query, "step_ends": step_ends,
                "labels": labels, "colour_lab": lab}


def collate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Pad and stack dataset items into the batch dict of docs/architecture.md (the plugin interface)."""
    images = {size: torch.stack([item["images"][size] for item in items]).permute(0, 3, 1, 2).float()
              .div_(127.5).sub_(1.0) for size in items[0]["images"]}
    labels = torch.tensor([item["labels"] for item in items], dtype=torch.long)
    return {
        "images": images,
        "title_tokens": _pad([item["title"] for item in items], Vocabulary.PAD),
        "title_lengths": torch.tensor([len(item["title"]) for item in items], dtype=torch.long),
        "query_tokens": _pad([item["query"] for item in items], Vocabulary.PAD),
        "step_ends": _pad([item["step_ends"] for item in items], -1),
        "n_steps": torch.tensor([len(item["step_ends"]) for item in items], dtype=torch.long),
        "labels": {name: labels[:, k] for k, name in enumerate(ATTRIBUTES)},
        "colour_lab": torch.tensor([item["colour_lab"] for item in items], dtype=torch.float32),
        "mismatch_index": torch.roll(torch.arange(len(items)), -1),
    }


def batch_positions(n_items: int, batch_size: int, seed: int, step: int) -> list[int]:
    """Dataset positions of the batch at ``step``: a pure function of (seed, step)."""
    per_epoch = n_items // batch_size
    epoch, offset = divmod(step, per_epoch)
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    order = torch.randperm(n_items, generator=generator)
    return order[offset * batch_size : (offset + 1) * batch_size].tolist()


class StepBatchSampler:
    """Batch sampler yielding the batches of steps ``start`` .. ``stop - 1``."""

    def __init__(self, n_items: int, batch_size: int, seed: int, start: int, stop: int) -> None:
        if n_items < batch_size:
            raise ValueError(f"the training split has {n_items} usable items, fewer than batch_size "
                             f"{batch_size}")
        self.n_items, self.batch_size, self.seed = n_items, batch_size, seed
        self.start, self.stop = start, stop

    def __iter__(self) -> Iterator[list[int]]:
        for step in range(self.start, self.stop):
            yield batch_positions(self.n_items, self.batch_size, self.seed, step)

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

"""From a batch (or raw query streams) to conditioned samples: the text side of every StackGAN model.

A model conditions either on the whole ``title`` (one sample per item) or on every step of the
``query`` stream (one sample per step, in item-major order). Generation turns raw query streams into
the same tensors with :func:`ganbench.data.batches.encode_query_stream`, the function the training
batches use, so the colour-model token replacement is identical in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ganbench.data.batches import encode_query_stream

TEXT_INPUTS = ("title", "query_steps")


@dataclass
class SampleSet:
    """The conditioned samples of one batch.

    ``embedding`` (N, text_dim); ``item`` (N,) the batch item (or query stream) each sample belongs to;
    ``noise_row`` (N,) the row of an (``n_noise``, z_dim) noise matrix each sample uses (shared noise:
    one row per item); ``final`` (N,) whether the sample sees the item's whole description (class labels
    apply); ``previous`` (N,) the sample of the item's previous query step, or -1.
    """

    embedding: Tensor
    item: Tensor
    noise_row: Tensor
    n_noise: int
    final: Tensor
    previous: Tensor

    def noise(self, z_dim: int, dtype: torch.dtype, generator: torch.Generator | None = None) -> Tensor:
        rows = torch.randn(
            self.n_noise, z_dim, generator=generator, device=self.embedding.device, dtype=dtype
        )
        return rows[self.noise_row]


def title_samples(encoder: nn.Module, title_tokens: Tensor, title_lengths: Tensor) -> SampleSet:
    """One sample per title, each with its own noise."""
    ends = (title_lengths - 1).clamp(min=0).unsqueeze(1)
    embedding = encoder(title_tokens, ends)[:, 0]
    rows = torch.arange(len(embedding), device=embedding.device)
    return SampleSet(
        embedding, rows, rows, len(rows), torch.ones_like(rows, dtype=torch.bool), torch.full_like(rows, -1)
    )


def step_samples(
    encoder: nn.Module, query_tokens: Tensor, step_ends: Tensor, shared_noise: bool
) -> SampleSet:
    """One sample per query step (``step_ends`` -1 = padding); ``shared_noise``: one noise row per item."""
    valid = step_ends >= 0
    item, step = valid.nonzero(as_tuple=True)
    embedding = encoder(query_tokens, step_ends)[item, step]
    rows = torch.arange(len(item), device=item.device)
    final = step == valid.sum(dim=1)[item] - 1
    previous = torch.where(step > 0, rows - 1, torch.full_like(rows, -1))
    if shared_noise:
        return SampleSet(embedding, item, item, len(step_ends), final, previous)
    return SampleSet(embedding, item, rows, len(rows), final, previous)


def _pad(rows: Sequence[Sequence[int]], value: int, device: torch.device) -> Tensor:
    out = torch.full((len(rows), max(len(r) for r in rows)), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.as_tensor(row, dtype=torch.long)
    return out.to(device)


def stream_samples(
    encoder: nn.Module,
    text_input: str,
    query_streams: Sequence[Sequence[str]],
    vocabulary: Any,
    lookup: Any,
    colour_model: bool,
    shared_noise: bool,
    device: torch.device,
) -> SampleSet:
    """Samples for raw query streams, one per step in stream-major order.

    A title model reads every prefix of a stream as a title of its own (answered independently).
    """
    encoded = [
        encode_query_stream(list(stream), vocabulary, lookup, colour_model) for stream in query_streams
    ]
    if text_input == "query_steps":
        return step_samples(
            encoder,
            _pad([ids for ids, _ in encoded], 0, device),
            _pad([ends for _, ends in encoded], -1, device),
            shared_noise,
        )
    prefixes = [ids[: end + 1] for ids, ends in encoded for end in ends]
    stream_of = torch.tensor([s for s, (_, ends) in enumerate(encoded) for _ in ends], device=device)
    lengths = torch.tensor([len(p) for p in prefixes], device=device)
    samples = title_samples(encoder, _pad(prefixes, 0, device), lengths)
    samples.item = stream_of
    if shared_noise:
        samples.noise_row, samples.n_noise = stream_of, len(encoded)
    return samples

"""From a batch (or encoded query streams) to conditioned samples: the text side of every StackGAN model.

A model conditions either on the whole ``title`` (one sample per item) or on every step of the
``query`` stream (one sample per step, in item-major order). The harness encodes both training batches
and generation input by the model's text policy, so colour-token replacement is identical in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn


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


def generation_samples(encoder: nn.Module, queries: dict[str, Tensor], shared_noise: bool) -> SampleSet:
    """Samples for encoded query streams (``encode_for_generation``), one per step in stream-major order.

    A title reader gets every prefix as a title of its own; ``shared_noise`` gives all steps of a
    stream one noise row."""
    if "step_ends" in queries:
        return step_samples(encoder, queries["query_tokens"], queries["step_ends"], shared_noise)
    samples = title_samples(encoder, queries["title_tokens"], queries["title_lengths"])
    samples.item = queries["stream_index"]
    if shared_noise:
        samples.noise_row, samples.n_noise = samples.item, len(queries["n_steps"])
    return samples

"""Text encoders: token ids -> one embedding per prefix end.

Both encoders answer ``forward(tokens, ends)``: ``tokens`` (B, L) ids (0 = padding), ``ends`` (B, P)
indices of the last token of each wanted prefix (-1 = none) -> (B, P, text_dim). A whole title is the
prefix ending at ``length - 1``; a query stream's steps are the prefixes ending at ``step_ends``.

Choices (the paper names the encoders, not their details): the bag-of-words encoder averages word
embeddings of the prefix and applies a linear layer + LeakyReLU(0.2); the LSTM encoder is one
unidirectional layer whose output at the prefix end is the embedding (its hidden state after reading
the prefix, identical to running it on the prefix alone). An optional fixed per-token feature table
(e.g. the Lab centroid of colour-cluster tokens, zeros elsewhere) is concatenated to the word embedding.

Both return the embedding's direction at a fixed scale (L2-normalised, times sqrt(text_dim), so each
dimension has unit scale on average; our choice): the matching pretraining (:mod:`ganbench.text`) shapes
only the direction, and the conditioning augmentation then sees text features whose spread does not
depend on the encoder kind or its initialisation (see README, "Choices that are ours").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def unit_scale(embedding: Tensor, scale: Tensor) -> Tensor:
    """``embedding`` (..., D) L2-normalised along D, times ``scale`` (the encoders' ``output_scale`` buffer,
    sqrt(D); a buffer so that a checkpoint from before this normalisation fails to load, loudly)."""
    return F.normalize(embedding, dim=-1) * scale.to(embedding.dtype)


class WordFeatures(nn.Module):
    """Learned word embeddings, optionally concatenated with a fixed feature table (not trained)."""

    def __init__(self, n_tokens: int, embedding_dim: int, fixed_features: Tensor | None = None) -> None:
        super().__init__()
        self.embedding = nn.Embedding(n_tokens, embedding_dim, padding_idx=0)
        if fixed_features is not None and fixed_features.shape[0] != n_tokens:
            raise ValueError(
                f"fixed_features has {fixed_features.shape[0]} rows, expected one per token ({n_tokens})"
            )
        self.register_buffer("fixed_features", fixed_features)
        self.output_dim = embedding_dim + (0 if fixed_features is None else fixed_features.shape[1])

    def forward(self, tokens: Tensor) -> Tensor:
        words = self.embedding(tokens)
        if self.fixed_features is None:
            return words
        return torch.cat([words, self.fixed_features[tokens].to(words.dtype)], dim=-1)


def _gather_ends(sequence: Tensor, ends: Tensor) -> Tensor:
    """Rows of ``sequence`` (B, L, D) at ``ends`` (B, P) -> (B, P, D); -1 ends read row 0 (caller masks)."""
    index = ends.clamp(min=0).unsqueeze(-1).expand(-1, -1, sequence.shape[-1])
    return sequence.gather(1, index)


class BagOfWordsEncoder(nn.Module):
    """Mean of the prefix's word features -> linear -> LeakyReLU(0.2) -> :func:`unit_scale`."""

    def __init__(
        self, n_tokens: int, embedding_dim: int, text_dim: int, fixed_features: Tensor | None = None
    ) -> None:
        super().__init__()
        self.words = WordFeatures(n_tokens, embedding_dim, fixed_features)
        self.project = nn.Sequential(nn.Linear(self.words.output_dim, text_dim), nn.LeakyReLU(0.2))
        self.text_dim = text_dim
        self.register_buffer("output_scale", torch.tensor(text_dim**0.5))

    def forward(self, tokens: Tensor, ends: Tensor) -> Tensor:
        present = (tokens != 0).unsqueeze(-1)
        features = self.words(tokens) * present
        sums = _gather_ends(features.cumsum(dim=1), ends)
        counts = _gather_ends(present.cumsum(dim=1), ends).clamp(min=1)
        return unit_scale(self.project(sums / counts), self.output_scale)


class LstmEncoder(nn.Module):
    """One-layer LSTM over word features; the embedding of a prefix is the output at its last word
    (through :func:`unit_scale`).

    The LSTM always runs in float32, also under bf16 autocast (CPU or CUDA): oneDNN has no bf16 LSTM on
    CPUs without AVX-512 BF16 / AMX, and the recurrence is a negligible share of a training step.
    """

    def __init__(
        self, n_tokens: int, embedding_dim: int, text_dim: int, fixed_features: Tensor | None = None
    ) -> None:
        super().__init__()
        self.words = WordFeatures(n_tokens, embedding_dim, fixed_features)
        self.lstm = nn.LSTM(self.words.output_dim, text_dim, batch_first=True)
        self.text_dim = text_dim
        self.register_buffer("output_scale", torch.tensor(text_dim**0.5))

    def forward(self, tokens: Tensor, ends: Tensor) -> Tensor:
        words = self.words(tokens)
        with torch.autocast(words.device.type, enabled=False):
            outputs, _ = self.lstm(words.float())
        return unit_scale(_gather_ends(outputs, ends), self.output_scale)


TEXT_ENCODERS: dict[str, type[nn.Module]] = {"bow": BagOfWordsEncoder, "lstm": LstmEncoder}


def build_text_encoder(
    kind: str, n_tokens: int, embedding_dim: int, text_dim: int, fixed_features: Tensor | None = None
) -> nn.Module:
    """A text encoder by kind (``"bow"`` or ``"lstm"``)."""
    if kind not in TEXT_ENCODERS:
        raise ValueError(f"text encoder must be one of {sorted(TEXT_ENCODERS)}, got {kind!r}")
    return TEXT_ENCODERS[kind](n_tokens, embedding_dim, text_dim, fixed_features)

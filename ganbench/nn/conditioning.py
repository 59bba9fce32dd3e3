"""Conditioning Augmentation (StackGAN section 3.1): a Gaussian around the text embedding.

Choice (the paper only says "a fully connected layer"): one linear layer followed by a GLU gives
(mu, logvar), as in the official StackGAN++ code (StackGAN-v1's code used a ReLU, which forces mu >= 0).
Initialisation (ours): weights ~ N(0, 0.02 * sqrt(1024 / text_dim)), StackGAN's N(0, 0.02) at its
1024-dimensional text embedding, scaled with the fan-in so that a smaller embedding still moves the mean
as much (0.08 at the CPU default of 64): with 0.02 at 64 dimensions the text moved the mean by about 1% of
the augmentation sigma at the start (see README, "Choices that are ours").
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

REFERENCE_TEXT_DIM = 1024  # StackGAN's char-CNN-RNN embedding, for which N(0, 0.02) was chosen


class ConditioningAugmentation(nn.Module):
    """Text embedding -> (condition code, mu, logvar); the code is ``mu + sigma * eps`` when sampling."""

    def __init__(self, text_dim: int, condition_dim: int) -> None:
        super().__init__()
        self.condition_dim = condition_dim
        self.fc = nn.Linear(text_dim, condition_dim * 4)
        self.glu = nn.GLU(dim=1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The fan-in-scaled StackGAN initialisation of the module doc."""
        nn.init.normal_(self.fc.weight, 0.0, 0.02 * (REFERENCE_TEXT_DIM / self.fc.in_features) ** 0.5)
        nn.init.zeros_(self.fc.bias)

    def forward(
        self, text_embedding: Tensor, sample: bool = True, noise: Tensor | None = None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """``noise``: the standard-normal ``eps`` to use (generation draws it from its seed); fresh when
        None. ``sample=False`` returns the mean as the code."""
        mu, logvar = self.glu(self.fc(text_embedding)).chunk(2, dim=1)
        if not sample:
            return mu, mu, logvar
        eps = torch.randn_like(mu) if noise is None else noise.to(mu.dtype)
        return mu + eps * torch.exp(0.5 * logvar), mu, logvar

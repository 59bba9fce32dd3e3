"""Conditioning Augmentation (StackGAN section 3.1): a Gaussian around the text embedding.

Choice (the paper only says "a fully connected layer"): one linear layer followed by a GLU gives
(mu, logvar), as in the official StackGAN++ code (StackGAN-v1's code used a ReLU, which forces mu >= 0).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ConditioningAugmentation(nn.Module):
    """Text embedding -> (condition code, mu, logvar); the code is ``mu + sigma * eps`` when sampling."""

    def __init__(self, text_dim: int, condition_dim: int) -> None:
        super().__init__()
        self.condition_dim = condition_dim
        self.fc = nn.Linear(text_dim, condition_dim * 4)
        self.glu = nn.GLU(dim=1)

    def forward(self, text_embedding: Tensor, sample: bool = True) -> tuple[Tensor, Tensor, Tensor]:
        mu, logvar = self.glu(self.fc(text_embedding)).chunk(2, dim=1)
        if not sample:
            return mu, mu, logvar
        code = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return code, mu, logvar

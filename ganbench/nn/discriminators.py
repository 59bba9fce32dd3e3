"""Matching-aware StackGAN discriminators with optional unconditional and auxiliary-classifier heads.

The image encoder halves the image down to 4x4 (first layer without batch norm, widths ``df_dim``,
doubling, capped at ``df_dim * 32``) and, if its last width is not ``df_dim * 8``, a 3x3 conv brings it
there (StackGAN-v1 uses two such convs at 256 px; one is our simplification). Heads on the 4x4 features:
- conditional: features joined with the tiled condition -> 3x3 conv -> 4x4 conv -> one logit;
- unconditional (Stage II in StackGAN): 4x4 conv -> one logit;
- auxiliary classes (AC-GAN), one 4x4 conv per attribute -> class logits.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganbench.nn.blocks import WholeMapConv, conv_bn, doublings, down_block, init_stackgan_weights


class Discriminator(nn.Module):
    def __init__(
        self,
        image_size: int,
        df_dim: int,
        condition_dim: int,
        unconditional_head: bool,
        class_counts: dict[str, int] | None = None,
    ) -> None:
        super().__init__()
        n_down = doublings(4, image_size, "discriminator image size")
        if n_down < 1:
            raise ValueError(f"discriminator image size must be at least 8 px, got {image_size}")
        widths = [df_dim * 2 ** min(i, 5) for i in range(n_down)]
        layers = [down_block(3, widths[0], batch_norm=False)]
        layers += [down_block(a, b) for a, b in zip(widths, widths[1:], strict=False)]
        feature = df_dim * 8
        if widths[-1] != feature:
            layers.append(conv_bn(widths[-1], feature, nn.LeakyReLU(0.2, inplace=True)))
        self.encoder = nn.Sequential(*layers)
        self.conditional_head = nn.Sequential(
            conv_bn(feature + condition_dim, feature, nn.LeakyReLU(0.2, inplace=True)),
            WholeMapConv(feature, 1, 4, 4),
        )
        self.unconditional_head = WholeMapConv(feature, 1, 4, 4) if unconditional_head else None
        # ModuleDict keys get a prefix: "type" would shadow nn.Module.type
        self.class_heads = nn.ModuleDict(
            {
                f"classes_{name}": WholeMapConv(feature, count, 4, 4)
                for name, count in (class_counts or {}).items()
            }
        )
        init_stackgan_weights(self)

    def features(self, images: Tensor) -> Tensor:
        """(N, 3, S, S) images -> (N, df_dim * 8, 4, 4) features shared by every head."""
        return self.encoder(images)

    def conditional_logits(self, features: Tensor, condition: Tensor) -> Tensor:
        tiled = condition[:, :, None, None].expand(-1, -1, 4, 4).to(features.dtype)
        return self.conditional_head(torch.cat([features, tiled], dim=1)).flatten()

    def unconditional_logits(self, features: Tensor) -> Tensor | None:
        return None if self.unconditional_head is None else self.unconditional_head(features).flatten()

    def class_logits(self, features: Tensor) -> dict[str, Tensor]:
        return {
            key.removeprefix("classes_"): head(features).flatten(1) for key, head in self.class_heads.items()
        }

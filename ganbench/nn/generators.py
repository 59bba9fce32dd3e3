"""StackGAN generators: Stage-I (code + noise -> low-resolution image), Stage-II (refines it), and the
two-stage generator that owns the text encoder and both conditioning augmentations.

Widths follow the official StackGAN code: Stage-I starts from ``gf_dim * 8`` channels at 4x4 and halves
them at every upsampling; Stage-II encodes the Stage-I image down by 4 to ``gf_dim * 4`` channels, joins
the text code, applies residual blocks and upsamples (halving widths) to the Stage-II size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from ganbench.nn.blocks import (
    ResidualBlock,
    conv3x3,
    conv_bn,
    doublings,
    halving_widths,
    init_stackgan_weights,
    up_block,
)
from ganbench.nn.conditioning import ConditioningAugmentation


def _to_image(channels: int) -> nn.Sequential:
    return nn.Sequential(conv3x3(channels, 3), nn.Tanh())


class Stage1Generator(nn.Module):
    """Condition code + noise -> 4x4 feature map -> upsampling blocks -> ``image_size`` RGB in [-1, 1]."""

    def __init__(self, condition_dim: int, z_dim: int, gf_dim: int, image_size: int) -> None:
        super().__init__()
        widths = halving_widths(gf_dim * 8, doublings(4, image_size, "Stage-I image size"))
        self.start_channels = widths[0]
        self.fc = nn.Sequential(
            nn.Linear(condition_dim + z_dim, widths[0] * 16, bias=False),
            nn.BatchNorm1d(widths[0] * 16),
            nn.ReLU(inplace=True),
        )
        self.upsample = nn.Sequential(*(up_block(a, b) for a, b in zip(widths, widths[1:], strict=False)))
        self.to_image = _to_image(widths[-1])

    def forward(self, code: Tensor, noise: Tensor) -> Tensor:
        start = self.fc(torch.cat([code, noise], dim=1)).reshape(-1, self.start_channels, 4, 4)
        return self.to_image(self.upsample(start))


class Stage2Generator(nn.Module):
    """Stage-I image + condition code -> ``output_size`` RGB image in [-1, 1].

    With ``skip`` (our choice; StackGAN-v1 has no such path) the output is the upsampled Stage-I image
    plus a tanh residual, clamped to [-1, 1]: an untrained Stage II shows the Stage-I image instead of flat
    grey, and the residual's gradient is that of the plain tanh output wherever the sum is inside [-1, 1].
    """

    def __init__(
        self,
        condition_dim: int,
        gf_dim: int,
        input_size: int,
        output_size: int,
        residual_blocks: int,
        skip: bool = False,
    ) -> None:
        super().__init__()
        self.skip = skip
        width = gf_dim * 4
        if input_size < 4:
            raise ValueError(f"Stage-II input size must be at least 4 px, got {input_size}")
        ups = doublings(input_size // 4, output_size, "Stage-II image size")
        self.encoder = nn.Sequential(
            conv3x3(3, gf_dim),
            nn.ReLU(inplace=True),
            nn.Conv2d(gf_dim, gf_dim * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(gf_dim * 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(gf_dim * 2, width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        self.join = conv_bn(width + condition_dim, width, nn.ReLU(inplace=True))
        self.residual = nn.Sequential(*(ResidualBlock(width) for _ in range(residual_blocks)))
        widths = halving_widths(width, ups)
        self.upsample = nn.Sequential(*(up_block(a, b) for a, b in zip(widths, widths[1:], strict=False)))
        self.to_image = _to_image(widths[-1])

    def forward(self, stage1_image: Tensor, code: Tensor) -> Tensor:
        encoded = self.encoder(stage1_image)
        tiled = code[:, :, None, None].expand(-1, -1, encoded.shape[2], encoded.shape[3])
        joined = self.join(torch.cat([encoded, tiled.to(encoded.dtype)], dim=1))
        image = self.to_image(self.upsample(self.residual(joined)))
        if not self.skip:
            return image
        base = nn.functional.interpolate(stage1_image, size=image.shape[-2:], mode="nearest")
        return (base.to(image.dtype) + image).clamp(-1, 1)


@dataclass
class GeneratorOutput:
    """Images, CA means and log-variances by stage number (1, 2)."""

    images: dict[int, Tensor] = field(default_factory=dict)
    mu: dict[int, Tensor] = field(default_factory=dict)
    logvar: dict[int, Tensor] = field(default_factory=dict)


class TwoStageGenerator(nn.Module):
    """Text encoder + CA + Stage-I generator, and CA + Stage-II generator (each stage has its own CA, as
    in StackGAN). This is the module whose weights the harness averages (EMA) and samples with."""

    def __init__(
        self,
        text_encoder: nn.Module,
        text_dim: int,
        condition_dim: int,
        z_dim: int,
        gf_dim: int,
        image_sizes: tuple[int, int],
        residual_blocks: int,
        stage2_skip: bool = False,
    ) -> None:
        super().__init__()
        stage1_size, stage2_size = image_sizes
        self.text_encoder = text_encoder
        self.stage1_conditioning = ConditioningAugmentation(text_dim, condition_dim)
        self.stage1 = Stage1Generator(condition_dim, z_dim, gf_dim, stage1_size)
        self.stage2_conditioning = ConditioningAugmentation(text_dim, condition_dim)
        self.stage2 = Stage2Generator(
            condition_dim, gf_dim, stage1_size, stage2_size, residual_blocks, stage2_skip
        )
        self.z_dim = z_dim
        init_stackgan_weights(self)
        self.stage1_conditioning.reset_parameters()  # fan-in scaled (ganbench.nn.conditioning)
        self.stage2_conditioning.reset_parameters()

    def forward(
        self, text_embedding: Tensor, noise: Tensor, stages: tuple[int, ...], sample: bool = True,
        condition_noise: dict[int, Tensor] | None = None,
    ) -> GeneratorOutput:
        """Images up to ``max(stages)``; ``condition_noise`` gives each stage's CA ``eps`` (fresh where
        absent), ``sample=False`` conditions on the CA means. Stage I runs without gradients when it is not
        in ``stages`` (StackGAN trains Stage II with Stage I fixed). Stage II always reads a detached
        Stage-I image, as the official StackGAN Stage II does, so in the ``joint`` phase Stage I learns from
        its own losses only and no Stage-II gradient reaches it through the image (the text encoder still
        learns through both stages' conditioning)."""
        output = GeneratorOutput()
        with torch.set_grad_enabled(torch.is_grad_enabled() and 1 in stages):
            code, output.mu[1], output.logvar[1] = self.stage1_conditioning(
                text_embedding, sample, (condition_noise or {}).get(1))
            output.images[1] = self.stage1(code, noise)
        if max(stages) >= 2:
            code, output.mu[2], output.logvar[2] = self.stage2_conditioning(
                text_embedding, sample, (condition_noise or {}).get(2))
            output.images[2] = self.stage2(output.images[1].detach(), code)
        return output

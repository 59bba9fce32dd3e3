"""Convolutional building blocks of StackGAN (Zhang et al., ICCV 2017) and its weight initialisation.

Shapes follow the official StackGAN code: nearest-neighbour upsampling + 3x3 convolution + batch norm +
ReLU in generators, 4x4 stride-2 convolutions + batch norm + LeakyReLU(0.2) in discriminators.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch.nn import functional

MIN_CHANNELS = 4  # widths never halve below this, so tiny CPU configurations stay valid


def conv3x3(in_channels: int, out_channels: int) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)


def up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Double the spatial size: upsample, 3x3 convolution, batch norm, ReLU."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        conv3x3(in_channels, out_channels),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


def down_block(in_channels: int, out_channels: int, batch_norm: bool = True) -> nn.Sequential:
    """Halve the spatial size: 4x4 stride-2 convolution, batch norm (optional), LeakyReLU(0.2)."""
    layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=False)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return nn.Sequential(*layers)


def conv_bn(in_channels: int, out_channels: int, activation: nn.Module) -> nn.Sequential:
    """3x3 convolution, batch norm and ``activation`` (size-preserving)."""
    return nn.Sequential(conv3x3(in_channels, out_channels), nn.BatchNorm2d(out_channels), activation)


class WholeMapConv(nn.Conv2d):
    """A k x k conv that reads a k x k map in one window (the discriminators' 4x4 logit heads).

    Over a map exactly its kernel's size it is one matrix product with the same weights, computed as such:
    oneDNN's AVX2 backward for a 4x4 conv with 1-3 outputs over a 4x4 map is far slower than the
    equivalent linear layer (measured 1.03-1.36x less CPU per training step in fp32). Other map sizes
    fall back to the convolution; parameters and checkpoints are those of ``nn.Conv2d``.
    """

    def forward(self, x: Tensor) -> Tensor:
        if tuple(x.shape[-2:]) != self.kernel_size or self.padding != (0, 0) or self.groups != 1 \
                or self.dilation != (1, 1):
            return super().forward(x)
        flat = functional.linear(x.reshape(x.shape[0], -1), self.weight.reshape(self.out_channels, -1),
                                 self.bias)
        return flat[:, :, None, None]


class ResidualBlock(nn.Module):
    """Two 3x3 conv + batch-norm layers with an identity shortcut (Stage-II generator)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv_bn(channels, channels, nn.ReLU(inplace=True)),
            conv3x3(channels, channels),
            nn.BatchNorm2d(channels),
        )
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.activation(x + self.body(x))


def halving_widths(start: int, count: int) -> list[int]:
    """``start`` followed by ``count`` widths, each half the previous one (never below MIN_CHANNELS)."""
    widths = [start]
    for _ in range(count):
        widths.append(max(widths[-1] // 2, MIN_CHANNELS))
    return widths


def doublings(size_from: int, size_to: int, what: str) -> int:
    """How many times ``size_from`` doubles to reach ``size_to``; a ValueError if it does not."""
    count, size = 0, size_from
    while size < size_to:
        size, count = size * 2, count + 1
    if size != size_to or size_from < 1:
        raise ValueError(f"{what}: {size_to} px is not {size_from} px times a power of two")
    return count


def init_stackgan_weights(module: nn.Module) -> None:
    """StackGAN initialisation: conv/linear weights ~ N(0, 0.02); batch-norm scale ~ N(1, 0.02), shift 0."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)

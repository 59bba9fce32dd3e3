"""Sample grids for the fixed queries and refinement strips, drawn with the EMA generator.

Sampling runs under ``torch.random.fork_rng`` so it never changes the training's random stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont
from torchvision.utils import make_grid

from ganbench.train.ema import EMA


@contextlib.contextmanager
def evaluation_mode(model: torch.nn.Module):
    """``model`` in eval mode, without gradients and with the RNG state restored afterwards."""
    was_training = model.training
    devices = [torch.cuda.current_device()] if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices), torch.no_grad():
        model.eval()
        try:
            yield model
        finally:
            model.train(was_training)


def sample_grid(images: Sequence[torch.Tensor]) -> torch.Tensor:
    """One row per query stream, one column per step (short rows padded white); uint8 (3, H, W)."""
    columns = max(len(strip) for strip in images)
    _, channels, height, width = images[0].shape
    cells = []
    for strip in images:
        blank = torch.full((columns - len(strip), channels, height, width), 255, dtype=torch.uint8)
        cells.append(torch.cat([strip.to(torch.uint8).cpu(), blank]))
    return make_grid(torch.cat(cells), nrow=columns, padding=2, pad_value=255)


def _labelled(grid: Image.Image, labels: Sequence[str], cell_width: int) -> Image.Image:
    font = ImageFont.load_default()
    band = 14
    canvas = Image.new("RGB", (grid.width, grid.height + band), "white")
    canvas.paste(grid, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for k, label in enumerate(labels):
        text = label if len(label) * 6 <= cell_width else label[: max(1, cell_width // 6 - 1)] + "."
        draw.text((2 + k * (cell_width + 2), grid.height), text, fill="black", font=font)
    return canvas


def save_image_uint8(grid: torch.Tensor, path: Path, labels: Sequence[str] | None = None,
                     cell_width: int = 0) -> Path:
    """Write a uint8 (3, H, W) image as PNG, optionally with one label under each column."""
    image = Image.fromarray(grid.permute(1, 2, 0).contiguous().numpy())
    if labels:
        image = _labelled(image, labels, cell_width)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def draw_samples(model, ema: EMA | None, queries: Sequence[Sequence[str]], seed: int, path: Path) -> Path:
    """Generate the fixed ``queries`` with the EMA generator and save them as one grid."""
    with evaluation_mode(model), (ema.swap(model.generator) if ema is not None else contextlib.nullcontext()):
        images = model.generate([list(q) for q in queries], seed)
    return save_image_uint8(sample_grid(images), path)


def save_strip(strip: torch.Tensor, path: Path, labels: Sequence[str] | None = None) -> Path:
    """A refinement strip (n_steps, 3, H, W) uint8 as one row, with the step words under the images."""
    return save_image_uint8(sample_grid([strip]), path, labels, cell_width=strip.shape[-1])

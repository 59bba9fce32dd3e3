"""Sample grids for the fixed queries and refinement strips, drawn with the EMA generator and written as
labelled PNGs (the query text is on the image; see :mod:`ganbench.drawing.labelled_grid`).

Sampling runs under ``torch.random.fork_rng`` so it never changes the training's random stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganbench.drawing.labelled_grid import Header, labelled_grid, step_labels
from ganbench.train.ema import EMA

SAMPLE_TILE = 128  # pixels each image is shown at in the training sample grids


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


def to_hwc(strip: torch.Tensor) -> np.ndarray:
    """uint8 (n, 3, H, W) tensor -> (n, H, W, 3) array."""
    return strip.to(torch.uint8).permute(0, 2, 3, 1).contiguous().cpu().numpy()


def _save(image: Image.Image, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def save_sample_grid(images: Sequence[torch.Tensor], queries: Sequence[Sequence[str]], path: str | Path,
                     tile_size: int = SAMPLE_TILE, title: str = "") -> Path:
    """One row per query stream, one column per step, each image captioned with the words its step
    adds (short rows end early)."""
    columns = max(len(strip) for strip in images)
    tiles = [list(to_hwc(strip)) + [None] * (columns - len(strip)) for strip in images]
    captions = [step_labels(list(q)) + [""] * (columns - len(q)) for q in queries]
    return _save(labelled_grid(tiles, tile_size, captions=captions, title=title), path)


def draw_samples(model, ema: EMA | None, queries: Sequence[Sequence[str]], seed: int, path: Path,
                 title: str = "") -> Path:
    """Generate the fixed ``queries`` with the EMA generator and save them as one captioned grid."""
    with evaluation_mode(model), (ema.swap(model.generator) if ema is not None else contextlib.nullcontext()):
        images = model.generate([list(q) for q in queries], seed)
    return save_sample_grid(images, queries, path, title=title)


def save_strips(strips: Sequence[torch.Tensor], path: str | Path, tile_size: int, *,
                steps: Sequence[str] | None = None, row_labels: Sequence[str] | None = None,
                title: str = "") -> Path:
    """Refinement strips (each (n_steps, 3, H, W) uint8) one per row, images shown at ``tile_size`` px;
    with ``steps``, each column is headed by its step's words in full."""
    headers = [[Header(label) for label in step_labels(list(steps))]] if steps else []
    image = labelled_grid([list(to_hwc(strip)) for strip in strips], tile_size, row_labels=row_labels,
                          headers=headers, title=title)
    return _save(image, path)

"""Sample grids and refinement strips across models, composed from the images each cell stored in its
``media/`` folder (see :mod:`ganbench.run.media`); nothing is generated here.

- sample grid: one block per query stream, stacked: one column per model, one row per noise seed
  (``[report] n_sample_seeds``), the image for the whole query, so every model answers the same fixed
  queries with the same seeds; under each model's name, how far its seeds' images differ (mean absolute
  pixel difference, 0-255: near 0, the model ignores its noise and the rows look alike);
- refinement strip: one per query stream, one row per model, one column per query step
  ("women's black pants" -> "+ petite" -> "+ capri"), also as an animated GIF with one frame per step
  and the models side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ganbench.drawing.labelled_grid import Header, labelled_grid, step_labels
from ganbench.report.results import Results
from ganbench.report.tables import row_label

MIN_TILE = 128  # report images are shown at least this large (pixels)
BLOCK_GAP = 14  # between the sample grid's per-stream blocks (pixels)


@dataclass
class ModelMedia:
    """The stored images of one (model, variant), from its first finished seed."""

    label: str
    streams: list[list[str]]
    seeds: list[int]
    folder: Path

    def strip(self, stream: int, seed: int) -> np.ndarray:
        """uint8 (n_steps, H, W, 3)."""
        return load_strip_png(self.folder / f"stream{stream}_seed{seed}.png")


def collect_media(results: Results) -> list[ModelMedia]:
    """One :class:`ModelMedia` per (model, variant) that has stored media, in table order."""
    found: dict[str, ModelMedia] = {}
    for name, folder in results.cells.items():
        model, variant, _ = name.split("__")
        label = row_label(model, variant)
        info = folder / "media" / "streams.json"
        if label in found or not info.is_file():
            continue
        stored = json.loads(info.read_text(encoding="utf-8"))
        found[label] = ModelMedia(label, stored["streams"], stored["seeds"], folder / "media")
    return list(found.values())


def save_strip_png(strip: np.ndarray, path: Path) -> None:
    """(n_steps, H, W, 3) uint8 -> one PNG with the steps side by side."""
    Image.fromarray(np.concatenate(list(strip), axis=1)).save(path)


def load_strip_png(path: Path) -> np.ndarray:
    """The inverse of :func:`save_strip_png`: (n_steps, H, H, 3) uint8, steps square."""
    image = np.asarray(Image.open(path).convert("RGB"))
    size = image.shape[0]
    return np.stack(np.split(image, image.shape[1] // size, axis=1))


def save_image(image: Image.Image, out_dir: Path, stem: str) -> list[Path]:
    """PNG and PDF copies of a composed image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.pdf"]
    image.save(paths[0])
    image.save(paths[1], resolution=150.0, creationDate=None, modDate=None)  # no dates: same bytes each time
    return paths


def tile_size(media: list[ModelMedia], minimum: int = MIN_TILE) -> int:
    """The size report tiles are shown at: the stored image size, at least ``minimum``."""
    first = media[0].strip(0, media[0].seeds[0])
    return max(minimum, int(first.shape[1]))


def seed_difference(finals: list[np.ndarray]) -> float | None:
    """Mean absolute pixel difference (0-255) between the images of every pair of seeds; None for one."""
    pairs = [(a, b) for k, a in enumerate(finals) for b in finals[k + 1:]]
    if not pairs:
        return None
    return float(np.mean([np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() for a, b in pairs]))


def _seed_block(media: list[ModelMedia], index: int, seeds: list[int], size: int) -> Image.Image:
    """One query stream: one column per model, one row per seed, each model's seed difference under its
    name (a model without this stream or seed leaves its tile white)."""
    streams = media[0].streams
    finals = [[m.strip(index, s)[-1] if m.streams == streams and s in m.seeds else None for m in media]
              for s in seeds]
    headers = [[Header(m.label) for m in media]]
    if len(seeds) > 1:
        shown = [[row[k] for row in finals if row[k] is not None] for k in range(len(media))]
        differences = [seed_difference(images) for images in shown]
        headers.append([Header("" if d is None else f"seeds differ by {d:.1f}/255") for d in differences])
    return labelled_grid(finals, size, row_labels=[f"seed {s}" for s in seeds], headers=headers,
                         title=f"Query {index + 1}: {' '.join(streams[index])}")


def stack_vertically(images: list[Image.Image], gap: int = BLOCK_GAP) -> Image.Image:
    """Images one under the other on white, left-aligned, a grey rule in each gap."""
    width, height = max(i.width for i in images), sum(i.height for i in images) + gap * (len(images) - 1)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw, y = ImageDraw.Draw(canvas), 0
    for k, image in enumerate(images):
        if k:
            draw.line([(0, y - gap // 2), (width, y - gap // 2)], fill=(180, 180, 180), width=1)
        canvas.paste(image, (0, y))
        y += image.height + gap
    return canvas


def sample_grid(media: list[ModelMedia], out_dir: Path, stem: str = "samples") -> list[Path] | None:
    """The final image of every stream at every noise seed: one block per stream, stacked, each with one
    column per model and one row per seed (the same seeds for every model)."""
    if not media:
        return None
    size = tile_size(media)
    blocks = [_seed_block(media, index, media[0].seeds, size) for index in range(len(media[0].streams))]
    return save_image(stack_vertically(blocks), out_dir, stem)


def refinement_strips(media: list[ModelMedia], out_dir: Path, seed: int | None = None) -> list[list[Path]]:
    """For each stream: PNG + PDF (one row per model, one column per query step) and an animated GIF
    with one frame per step (the models side by side)."""
    if not media:
        return []
    streams = media[0].streams
    seed = media[0].seeds[0] if seed is None else seed
    size = tile_size(media)
    written = []
    for index, stream in enumerate(streams):
        usable = [m for m in media if m.streams == streams and seed in m.seeds]
        strips = [m.strip(index, seed) for m in usable]
        stem = f"strip{index}"
        grid = labelled_grid([list(s) for s in strips], size, row_labels=[m.label for m in usable],
                             headers=[[Header(label) for label in step_labels(stream)]],
                             title=f"Refinement: {' -> '.join(stream)} (seed {seed})")
        paths = save_image(grid, out_dir, stem)
        frames = [labelled_grid([[s[step] for s in strips]], size,
                                headers=[[Header(m.label) for m in usable]],
                                title=f"step {step + 1}/{len(stream)}: {' '.join(stream[:step + 1])}")
                  for step in range(len(stream))]
        gif = out_dir / f"{stem}.gif"
        frames[0].save(gif, save_all=True, append_images=frames[1:], duration=1200, loop=0)
        written.append(paths + [gif])
    return written

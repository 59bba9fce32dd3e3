"""Sample grids and refinement strips across models, composed from the images each cell stored in its
``media/`` folder (see :mod:`ganbench.run.media`); nothing is generated here.

- sample grid: one row per model, one column per (query stream, noise seed): the image for the whole
  query, so every model answers the same fixed queries with the same seeds;
- refinement strip: one per query stream, one row per model, one column per added step
  ("women's black pants" -> "+ petite" -> "+ capri"), also as an animated GIF that steps through the
  query with every model side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganbench.report.results import Results
from ganbench.report.tables import row_label

PAD = 4
LINE = 13
WHITE = (255, 255, 255)


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


def _font(size: int = 11) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _fit(text: str, width: int, font: ImageFont.ImageFont) -> str:
    while text and font.getlength(text) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def compose(rows: list[list[np.ndarray]], row_labels: list[str], column_labels: list[str],
            title: str = "", min_size: int = 96) -> Image.Image:
    """A labelled grid of equally sized uint8 (H, W, 3) images, shown at least ``min_size`` px (nearest-
    neighbour upscaling, so pixels stay as generated); column labels wrap; missing cells stay white."""
    font = _font()
    size = max(min_size, next(image.shape[0] for row in rows for image in row if image is not None))
    left = int(max(font.getlength(label) for label in row_labels)) + 2 * PAD
    headers = [_wrap(label, size + PAD, font) for label in column_labels]
    top = LINE * max((len(h) for h in headers), default=0) + (LINE + 4 if title else 0) + PAD
    columns = max(len(row) for row in rows)
    width = max(left + columns * (size + PAD), int(font.getlength(title)) + 2 * PAD)
    canvas = Image.new("RGB", (width, top + len(rows) * (size + PAD)), WHITE)
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((PAD, 2), title, fill="black", font=font)
    for c, lines in enumerate(headers):
        for k, line in enumerate(lines):
            y = top - PAD - LINE * (len(lines) - k)
            draw.text((left + c * (size + PAD), y), line, fill="black", font=font)
    for r, (label, row) in enumerate(zip(row_labels, rows, strict=True)):
        y = top + r * (size + PAD)
        draw.text((PAD, y + size // 2 - 6), label, fill="black", font=font)
        for c, image in enumerate(row):
            if image is not None:
                canvas.paste(Image.fromarray(_resize(image, size)), (left + c * (size + PAD), y))
    return canvas


def _wrap(text: str, width: int, font: ImageFont.ImageFont, max_lines: int = 4) -> list[str]:
    """Greedy word wrap to ``width`` pixels; a word longer than the width is shortened with an ellipsis."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_fit(word, width, font))
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [_fit(" ".join(lines[max_lines - 1:]), width, font)]
    return lines


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    if image.shape[0] == size:
        return image
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.NEAREST))


def step_labels(stream: list[str]) -> list[str]:
    return [stream[0]] + [f"+ {step}" for step in stream[1:]]


def save_image(image: Image.Image, out_dir: Path, stem: str) -> list[Path]:
    """PNG and PDF copies of a composed image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.pdf"]
    image.save(paths[0])
    image.save(paths[1], resolution=150.0)
    return paths


def sample_grid(media: list[ModelMedia], out_dir: Path, stem: str = "samples") -> list[Path] | None:
    """The final image of every stream and seed, one row per model."""
    if not media:
        return None
    streams, seeds = media[0].streams, media[0].seeds
    columns = [(i, s) for i in range(len(streams)) for s in seeds]
    rows = [[m.strip(i, s)[-1] if m.streams == streams and s in m.seeds else None for i, s in columns]
            for m in media]
    labels = [f"{' '.join(streams[i])} (seed {s})" for i, s in columns]
    image = compose(rows, [m.label for m in media], labels, "Same queries and noise seeds for every model")
    return save_image(image, out_dir, stem)


def refinement_strips(media: list[ModelMedia], out_dir: Path, seed: int | None = None) -> list[list[Path]]:
    """For each stream: PNG + PDF (models x steps) and an animated GIF stepping through the query."""
    if not media:
        return []
    streams = media[0].streams
    seed = media[0].seeds[0] if seed is None else seed
    written = []
    for index, stream in enumerate(streams):
        usable = [m for m in media if m.streams == streams and seed in m.seeds]
        strips = [m.strip(index, seed) for m in usable]
        labels = step_labels(stream)
        stem = f"strip{index}"
        paths = save_image(compose([list(s) for s in strips], [m.label for m in usable], labels,
                                   f"Refinement: {' -> '.join(stream)} (seed {seed})"), out_dir, stem)
        frames = [compose([[s[step] for s in strips]], [""], [m.label for m in usable],
                          " ".join(stream[:step + 1])) for step in range(len(stream))]
        gif = out_dir / f"{stem}.gif"
        frames[0].save(gif, save_all=True, append_images=frames[1:], duration=1200, loop=0)
        written.append(paths + [gif])
    return written

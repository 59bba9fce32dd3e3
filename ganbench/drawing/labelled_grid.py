"""A grid of equally sized images with readable text around it: a title, header rows over the columns
(a header may span several columns, e.g. one query over its noise seeds), labels left of the rows and
captions under single images. Every text is wrapped in full to the width it has (never cut short).

Used by the report's sample grids and refinement strips, by ``ganbench generate`` and by the sample
grids written during training. Images are upscaled by nearest neighbour, so pixels stay as generated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = 13
LINE = 17  # pixels per text line at FONT_SIZE
PAD = 6  # margin around the canvas and text
GAP = 6  # between neighbouring images
GROUP_GAP = 16  # extra space between groups of columns under one spanning header
MAX_ROW_LABEL = 180  # pixels: longer row labels wrap
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Header:
    """Text over ``span`` neighbouring columns."""

    text: str
    span: int = 1


def step_labels(steps: Sequence[str]) -> list[str]:
    """What each image of a query stream shows: ``["women's black pants", "+ petite", "+ capri"]``."""
    return [steps[0], *(f"+ {step}" for step in steps[1:])] if steps else []


def font(size: int = FONT_SIZE) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def wrap(text: str, width: float, face: ImageFont.ImageFont) -> list[str]:
    """Greedy word wrap to ``width`` pixels; a word wider than the width is broken between characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while face.getlength(word) > width and len(word) > 1:
            cut = next((k for k in range(len(word) - 1, 0, -1) if face.getlength(word[:k]) <= width), 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


def resize_tile(image: np.ndarray, size: int) -> np.ndarray:
    """Square uint8 (H, W, 3) image shown at ``size`` px: nearest-neighbour up, area-averaged down."""
    if image.shape[0] == size and image.shape[1] == size:
        return image
    method = Image.Resampling.NEAREST if size >= image.shape[0] else Image.Resampling.BOX
    return np.asarray(Image.fromarray(image).resize((size, size), method))


def labelled_grid(tiles: Sequence[Sequence[np.ndarray | None]], tile_size: int, *,
                  row_labels: Sequence[str] | None = None, headers: Sequence[Sequence[Header]] = (),
                  captions: Sequence[Sequence[str]] | None = None, title: str = "") -> Image.Image:
    """Compose uint8 (H, W, 3) ``tiles`` (rows of columns; ``None`` stays white) into one labelled image.

    ``headers``: rows of :class:`Header` over the columns, top to bottom; spans of a row add up to the
    number of columns, and the first row's spans group the columns (a wider gap between groups).
    ``captions``: text under each tile (same shape as ``tiles``)."""
    face = font()
    layout = _Layout.plan(tiles, tile_size, face, row_labels, headers, captions, title)
    canvas = Image.new("RGB", (layout.width, layout.height), WHITE)
    draw = ImageDraw.Draw(canvas)
    for k, line in enumerate(layout.title):
        draw.text((PAD, PAD + k * LINE), line, fill="black", font=face)
    y = layout.top - sum(layout.header_heights)
    for row, lines, band in zip(headers, layout.headers, layout.header_heights, strict=True):
        _draw_header_row(draw, face, row, lines, layout, y, band)
        y += band
    y = layout.top + GAP // 2
    for r, row in enumerate(tiles):
        label = layout.labels[r] if layout.labels else []
        _draw_lines(draw, face, label, PAD, y + (tile_size - LINE * len(label)) // 2)
        for c, image in enumerate(row):
            x = layout.left + layout.x[c]
            if image is not None:
                canvas.paste(Image.fromarray(resize_tile(image, tile_size)), (x, y))
            _draw_lines(draw, face, layout.captions[r][c] if layout.captions else [], x, y + tile_size)
        y += layout.row_heights[r] + GAP
    return canvas


@dataclass
class _Layout:
    """Where everything of a labelled grid goes: wrapped texts and the pixel sizes they need."""

    tile_size: int
    x: list[int]  # each column's left edge, after the row labels
    left: int  # width of the row-label column
    labels: list[list[str]]
    title: list[str]
    headers: list[list[list[str]]]  # per header row, per header: its lines
    captions: list[list[list[str]]]  # per row, per tile: its lines
    header_heights: list[int]
    row_heights: list[int]
    width: int
    top: int  # y where the first row of tiles starts
    height: int

    @classmethod
    def plan(cls, tiles, tile_size, face, row_labels, headers, captions, title) -> _Layout:
        x = _column_positions(max(len(row) for row in tiles), tile_size, headers[0] if headers else [])
        labels = [wrap(label, MAX_ROW_LABEL, face) for label in row_labels] if row_labels else []
        widest = max((face.getlength(line) for lines in labels for line in lines), default=0)
        left = int(widest) + 2 * PAD if labels else 0
        width = left + x[-1] + tile_size + PAD
        title_lines = wrap(title, width - 2 * PAD, face) if title else []
        header_lines = [[wrap(h.text, _span_width(x, start, h.span, tile_size) - 4, face)
                         for start, h in _starts(row)] for row in headers]
        caption_lines = [[wrap(text, tile_size, face) for text in row] for row in captions or []]
        row_heights = [tile_size + LINE * max((len(c) for c in row), default=0) for row in caption_lines]
        header_heights = [LINE * max((len(lines) for lines in row), default=0) + 4 for row in header_lines]
        top = PAD + LINE * len(title_lines) + (PAD if title_lines else 0) + sum(header_heights)
        row_heights = row_heights or [tile_size] * len(tiles)
        height = top + sum(row_heights) + GAP * len(tiles) + PAD
        return cls(tile_size, x, left, labels, title_lines, header_lines, caption_lines, header_heights,
                   row_heights, width, top, height)


def _draw_lines(draw: ImageDraw.ImageDraw, face: ImageFont.ImageFont, lines: list[str], x: int,
                y: int) -> None:
    for k, line in enumerate(lines):
        draw.text((x, y + k * LINE), line, fill="black", font=face)


def _column_positions(columns: int, tile_size: int, groups: Sequence[Header]) -> list[int]:
    """x of each column's left edge (relative to the end of the row labels)."""
    group_of = [g for g, header in enumerate(groups) for _ in range(header.span)]
    group_of += [group_of[-1] if group_of else 0] * (columns - len(group_of))
    return [PAD + c * (tile_size + GAP) + group_of[c] * GROUP_GAP for c in range(columns)]


def _starts(row: Sequence[Header]) -> list[tuple[int, Header]]:
    """(first column, header) for each header of a row."""
    starts, column = [], 0
    for header in row:
        starts.append((column, header))
        column += header.span
    return starts


def _span_width(x: list[int], start: int, span: int, tile_size: int) -> int:
    end = min(start + span, len(x)) - 1
    return x[end] + tile_size - x[start]


def _draw_header_row(draw: ImageDraw.ImageDraw, face: ImageFont.ImageFont, row: Sequence[Header],
                     lines_per_header: list[list[str]], layout: _Layout, y: int, band: int) -> None:
    """Headers bottom-aligned in their band; a spanning header is centred and underlined over its span."""
    for (start, header), lines in zip(_starts(row), lines_per_header, strict=True):
        x0, span = layout.left + layout.x[start], _span_width(layout.x, start, header.span, layout.tile_size)
        y0 = y + band - 4 - LINE * len(lines)
        for k, line in enumerate(lines):
            offset = (span - face.getlength(line)) / 2 if header.span > 1 else 0
            draw.text((x0 + offset, y0 + k * LINE), line, fill="black", font=face)
        if header.span > 1:
            draw.line([(x0, y + band - 3), (x0 + span, y + band - 3)], fill=(90, 90, 90), width=1)

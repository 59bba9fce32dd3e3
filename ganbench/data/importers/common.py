"""Shared importer pieces: robust CSV reading, image loading and checking, item assembly.

Choices (ours): images are decoded at most ``MAX_SIDE`` px on their long side (JPEG draft mode, then
a thumbnail), twice the largest standardised size, which keeps memory and time bounded for large
product photos. Every image is decoded and standardised while checking (so unreadable, truncated and
all-background images are skipped with a reason); ``import_catalog`` stages the standardised PNGs in a
temporary folder that the catalog writer then reads, so an import never holds all images in memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ganbench.data.report import ImportReport
from ganbench.data.standardise import DEFAULT_OPTIONS, NoForegroundError, StandardiseOptions, standardise
from ganbench.data.text import GENDER_WORDS, TYPE_WORDS, parse_attributes, query_stream, tokenize

MAX_SIDE = 512
MISSING_VALUES = frozenset({"", "nan", "none", "null", "na", "n/a"})
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")
_BAD_TEXT = re.compile("[\udc80-\udcff]")


class ImportFormatError(ValueError):
    """The source as a whole cannot be imported (missing index file, missing columns)."""


@dataclass(frozen=True)
class Skip:
    """Why one input is not imported: a sentence and a short category for the summary."""

    reason: str
    kind: str


def clean(value: object) -> str | None:
    """A stripped string, or ``None`` for empty and NaN-like values."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING_VALUES else text


def decode_text(raw: bytes) -> str:
    """UTF-8 text (BOM removed); undecodable bytes survive as lone surrogates for ``has_bad_text``."""
    return raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")


def has_bad_text(values: Iterable[str]) -> bool:
    return any(_BAD_TEXT.search(v) for v in values)


def _parse_line(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def read_csv_rows(path: Path, rejoin: str) -> tuple[list[str], Iterator[tuple[int, dict | Skip]]]:
    """The header of a CSV file and its rows as (line number, {column: value} or Skip).

    One row per line (our choice): quoted fields may hold commas, not line breaks, so a stray quote
    spoils only its own line instead of swallowing the rows after it. Rows with extra fields are
    mended when ``rejoin`` is the last column (product names with unquoted commas); other rows with
    the wrong number of fields, or with bytes that are not UTF-8, are Skips.
    """
    lines = [line.removesuffix("\r") for line in decode_text(path.read_bytes()).split("\n")]
    header = [h.strip() for h in _parse_line(lines[0])] if lines else []

    def rows() -> Iterator[tuple[int, dict | Skip]]:
        for number, line in enumerate(lines[1:], start=2):
            if line.strip():
                yield number, _row_of(line, header, rejoin)

    return header, rows()


def _row_of(line: str, header: list[str], rejoin: str) -> dict | Skip:
    if has_bad_text([line]):
        return Skip("the line is not valid UTF-8 text", "not UTF-8")
    try:
        fields = _parse_line(line)
    except csv.Error as error:
        return Skip(f"malformed row: {error}", "malformed row")
    if len(fields) > len(header) and header and header[-1] == rejoin:
        cut = len(header) - 1
        fields = fields[:cut] + [",".join(fields[cut:])]
    if len(fields) != len(header):
        return Skip(f"malformed row: {len(fields)} fields, expected {len(header)}", "malformed row")
    return dict(zip(header, fields, strict=True))


def require_columns(header: list[str], required: Iterable[str], path: Path) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFormatError(
            f"{path} lacks the column(s) {missing}; expected a header with {list(required)} (found {header})"
        )


def read_image(path: Path) -> np.ndarray:
    """Decode an image file to an HxWx3 or HxWx4 uint8 array (at most ``MAX_SIDE`` px long side).

    EXIF orientation is applied; 16-bit and float grey images are scaled to 8 bits. Raises
    ``OSError``/``ValueError`` subclasses for files that are missing, not images or truncated.
    """
    with Image.open(path) as image:
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        image.load()
        oriented = ImageOps.exif_transpose(image)
        if oriented.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
            oriented = _high_depth_to_grey(oriented)
        has_alpha = oriented.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in oriented.info
        converted = oriented.convert("RGBA" if has_alpha else "RGB")
    converted.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(converted)


def _high_depth_to_grey(image: Image.Image) -> Image.Image:
    """An 8-bit grey image from a 16/32-bit or float one (16-bit range when values exceed 255)."""
    values = np.asarray(image, dtype=np.float64)
    scale = 257.0 if values.max() > 255 else 1.0
    return Image.fromarray(np.clip(np.rint(values / scale), 0, 255).astype(np.uint8), mode="L")


def check_image(
    path: Path, options: StandardiseOptions = DEFAULT_OPTIONS, stage_as: Path | None = None,
    min_side: int = 1,
) -> Skip | Path:  # fmt: skip
    """Why the image at ``path`` cannot become a catalog image, or the path to read it from later.

    Images whose shorter side (as decoded: at most ``MAX_SIDE`` px long) is below ``min_side`` px are
    skipped. With ``stage_as``, the standardised RGBA is saved there (PNG) and that path is returned, so
    the catalog writer does not decode and mask the source a second time.
    """
    if not path.is_file():
        return Skip(f"image file {path} not found", "missing image")
    try:
        image = read_image(path)
        height, width = image.shape[:2]
        if min(height, width) < min_side:
            reason = (f"image {path.name} is {width}x{height} px: its shorter side is below the minimum of "
                      f"{min_side} px (--min-side)")  # fmt: skip
            return Skip(reason, "image too small")
        rgba = standardise(image, options)
    except NoForegroundError as error:
        return Skip(f"image {path.name}: {error}", "no foreground")
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        return Skip(f"{path.name} is not a readable image ({error})", "unreadable image")
    except (OSError, ValueError, SyntaxError) as error:
        reason = f"{path.name} cannot be read or decoded (truncated or corrupt?): {error}"
        return Skip(reason, "unreadable image")
    if stage_as is None:
        return path
    Image.fromarray(rgba, mode="RGBA").save(stage_as, format="PNG", compress_level=1)
    return stage_as


def staged_path(staging: Path | None, index: int) -> Path | None:
    """Where the ``index``-th kept image is staged, or ``None`` without a staging folder."""
    return None if staging is None else staging / f"{index:08d}.png"


def image_stream(paths: Iterable[Path]) -> Iterator[np.ndarray]:
    """The decoded images, one at a time (they were checked before)."""
    for path in paths:
        yield read_image(path)


def safe_id(text: str) -> str:
    """An item id usable as a file name: unsafe characters become '_'."""
    cleaned = _ID_UNSAFE.sub("_", text.strip()).lstrip("_.-")
    return cleaned or "item"


def canonical(value: str | None, words: dict[str, str]) -> str | None:
    """The canonical attribute value of a written value ("Trousers" -> "pants"), or ``None``."""
    if value is None:
        return None
    return words.get(" ".join(tokenize(value)))


def canonical_type(value: str | None) -> str | None:
    return canonical(value, TYPE_WORDS)


def canonical_gender(value: str | None) -> str | None:
    return canonical(value, GENDER_WORDS)


def colour_as_written(value: str | None) -> str | None:
    """A colour value normalised like colorspace names: lower case, single spaces, 'grey'."""
    if value is None:
        return None
    words = re.sub(r"\s+", " ", value.strip().lower()).split(" ")
    return " ".join("grey" if w == "gray" else w for w in words) or None


def brand_from_title(title: str) -> str | None:
    """The words before the first gender word, when the title starts with them ("Levis Men Blue Jeans")."""
    words = title.split()
    for position, word in enumerate(words):
        if canonical_gender(word) is not None:
            return " ".join(words[:position]) or None
    return None


def build_item(item_id: str, title: str, given: dict) -> dict:
    """A catalog item: attributes given by the source win; the rest are parsed from the title."""
    parsed = parse_attributes(title)
    attributes = {key: given.get(key) or parsed.get(key) for key in parsed}
    item = {"id": item_id, "title": title, "query": query_stream(attributes), "colour_lab": None}
    item.update(attributes)
    for key in ("brand", "material", "size_code"):
        item[key] = given.get(key)
    return item


@dataclass
class KeptRows:
    """What an importer keeps, in input order, and the report that counts every row read."""

    items: list[dict] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    report: ImportReport = field(default_factory=ImportReport)

    def add(self, source: str, result: tuple[dict, Path] | Skip) -> None:
        """Keep an (item, image path) pair, or record the skip with its reason."""
        if isinstance(result, Skip):
            self.report.skip(source, result.reason, result.kind)
            return
        item, image_path = result
        self.ids.add(item["id"])
        self.items.append(item)
        self.paths.append(image_path)
        self.report.keep()

    def result(self) -> tuple[list[dict], list[Path], ImportReport]:
        return self.items, self.paths, self.report


"""Importer for any folder of images plus an index file (CSV or JSONL).

The index has the columns/keys ``path`` and ``title`` and optionally ``id``, ``type``, ``gender``,
``colour``, ``fit``, ``length``, ``size_line``, ``details`` (a list in JSONL, ";"-separated in CSV),
``brand``, ``material``, ``size_code``; other columns are ignored. ``path`` is relative to the index
file's folder (or absolute). Given attributes win; missing ones are parsed from the title.

Choices (ours): a given ``type`` or ``gender`` that is not a word for one of the catalog's values
("skirt", "kids") skips the row with that reason rather than guessing. Items whose type is neither given
nor found in the title ("men's navy polo shirt") are skipped too, unless ``keep_unknown_type`` (then
``type = null``). Images whose shorter side is below ``min_side`` px (64 by default: a 12x9 px
thumbnail would be upscaled to a 256 px blur) are skipped with their size. Without an ``id``, the image
file's stem is the id (made unique with "-2", "-3"... when stems repeat); a repeated explicit ``id`` is
skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ganbench.data.importers.common import (
    ImportFormatError,
    KeptRows,
    Skip,
    build_item,
    canonical,
    canonical_gender,
    canonical_type,
    check_image,
    clean,
    colour_as_written,
    read_csv_rows,
    require_columns,
    safe_id,
    staged_path,
)
from ganbench.data.report import ImportReport
from ganbench.data.standardise import DEFAULT_OPTIONS, StandardiseOptions
from ganbench.data.text import FIT_WORDS, LENGTH_WORDS, SIZE_LINE_WORDS, TYPES

REQUIRED_COLUMNS = ("path", "title")


@dataclass(frozen=True)
class CsvOptions:
    """What the csv importer keeps: the smallest image side in px, and items of unknown type or not."""

    min_side: int = 64
    keep_unknown_type: bool = False


DEFAULT_CSV_OPTIONS = CsvOptions()


def find_index(src: Path) -> Path:
    """The index file: ``src`` itself, or the single .csv/.jsonl file directly inside folder ``src``."""
    if src.is_file():
        return src
    if not src.is_dir():
        raise ImportFormatError(f"{src} does not exist; expected a folder or a .csv/.jsonl index file")
    found = sorted(p for p in src.iterdir() if p.suffix.lower() in (".csv", ".jsonl") and p.is_file())
    if len(found) != 1:
        names = [p.name for p in found] or "none"
        raise ImportFormatError(
            f"{src} must hold exactly one .csv or .jsonl index file (found {names}); pass the file itself"
        )
    return found[0]


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict | Skip]]:
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield number, Skip("the line is not valid UTF-8 text", "not UTF-8")
            continue
        except json.JSONDecodeError as error:
            yield number, Skip(f"malformed JSON: {error.msg}", "malformed row")
            continue
        if not isinstance(row, dict) or "path" not in row:
            yield number, Skip("expected a JSON object with 'path' and 'title'", "malformed row")
            continue
        yield number, row


def _index_rows(path: Path) -> Iterator[tuple[int, dict | Skip]]:
    if path.suffix.lower() == ".jsonl":
        return _jsonl_rows(path)
    header, rows = read_csv_rows(path, rejoin="title")
    require_columns(header, REQUIRED_COLUMNS, path)
    return rows


def _details(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip().lower() for v in value if clean(v)]
    text = clean(value)
    return [part.strip().lower() for part in text.split(";") if part.strip()] if text else []


def _given_attributes(row: dict) -> dict | Skip:
    type_text, gender_text = clean(row.get("type")), clean(row.get("gender"))
    given = {"type": canonical_type(type_text), "gender": canonical_gender(gender_text)}
    if type_text and given["type"] is None:
        return Skip(f"type {type_text!r} is not a word for one of {TYPES}", "unknown attribute")
    if gender_text and given["gender"] is None:
        return Skip(f"gender {gender_text!r} is not a word for men's, women's or unisex", "unknown attribute")
    given["colour"] = colour_as_written(clean(row.get("colour")))
    for key, words in (("fit", FIT_WORDS), ("length", LENGTH_WORDS), ("size_line", SIZE_LINE_WORDS)):
        text = clean(row.get(key))
        given[key] = (canonical(text, words) or text.lower()) if text else None
    given["details"] = _details(row.get("details"))
    for key in ("brand", "material", "size_code"):
        given[key] = clean(row.get(key))
    return given


def _unique_id(stem: str, taken: set[str]) -> str:
    base = safe_id(stem)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _row_item(row: dict, folder: Path, taken: set[str], keep_unknown_type: bool) -> tuple[dict, Path] | Skip:
    path_text, title = clean(row.get("path")), clean(row.get("title"))
    if path_text is None:
        return Skip("the path field is empty", "malformed row")
    if title is None:
        return Skip("the title is empty", "empty title")
    explicit_id = clean(row.get("id"))
    if explicit_id is not None and safe_id(explicit_id) != explicit_id:
        return Skip(f"id {explicit_id!r} may only hold letters, digits, '_', '-' and '.'", "malformed row")
    if explicit_id in taken:
        return Skip(f"id {explicit_id} appears more than once; the first row was kept", "duplicate id")
    given = _given_attributes(row)
    if isinstance(given, Skip):
        return given
    path = folder / path_text
    item = build_item(explicit_id or _unique_id(Path(path_text).stem, taken), title, given)
    if item["type"] is None and not keep_unknown_type:
        reason = (f"garment type neither given nor found in the title {title!r} (expected a word for one of "
                  f"{TYPES}); --keep-unknown-type keeps such items")  # fmt: skip
        return Skip(reason, "unknown type")
    return item, path


def read_csv_folder(
    src: str | Path,
    options: StandardiseOptions = DEFAULT_OPTIONS,
    progress: bool = False,
    staging: Path | None = None,
    csv_options: CsvOptions = DEFAULT_CSV_OPTIONS,
) -> tuple[list[dict], list[Path], ImportReport]:
    """Items, their image paths and the import report for an image folder with a CSV/JSONL index.

    With a ``staging`` folder the returned paths are the standardised PNGs staged there.
    """
    index = find_index(Path(src))
    kept = KeptRows()
    for line, row in tqdm(_index_rows(index), desc="checking rows", unit="row", disable=not progress):
        result = row if isinstance(row, Skip) else _row_item(row, index.parent, kept.ids,
                                                             csv_options.keep_unknown_type)
        if isinstance(result, tuple):
            staged = staged_path(staging, len(kept.items))
            image = check_image(result[1], options, staged, min_side=csv_options.min_side)
            result = image if isinstance(image, Skip) else (result[0], image)
        kept.add(f"{index.name} line {line}", result)
    return kept.result()

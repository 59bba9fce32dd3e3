"""The catalog folder's layout: file names, the item format, reading its JSON files, what may be replaced.

See docs/architecture.md ("A catalog"). Everything here is plain file handling; the writer, the
reader (``Catalog``), the image cache and the integrity checks all build on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ganbench.data.splits import SPLITS
from ganbench.data.text import GENDERS, TYPES

FORMAT_VERSION = 1
SOURCES = ("synthetic", "fashion-product-images", "csv")
IMAGE_SIZES = (64, 128, 256)
ITEM_FIELDS = ("id", "title", "query", "type", "gender", "colour", "colour_lab", "fit", "length",
               "size_line", "details", "brand", "material", "size_code", "split", "image")  # fmt: skip
MANIFEST = "manifest.json"
ITEMS = "items.jsonl"
VOCABULARY = "vocabulary.json"
IMPORT_REPORT = "import_report.jsonl"
IMAGES_DIR = "images"
CACHE_DIR = "cache"
CHECKSUMS = "images.sha256"
OWNED_NAMES = (MANIFEST, ITEMS, VOCABULARY, IMPORT_REPORT, IMAGES_DIR, CACHE_DIR, CHECKSUMS)
# Folders other parts of ganbench derive from a catalog and keep inside it (ganbench.eval's
# EVAL_NET_DIRNAME, ganbench.text.store's DIRNAME); they are replaced together with the catalog.
DERIVED_NAMES = ("eval_net", "text_encoders")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class CatalogError(ValueError):
    """A catalog folder or the items given to ``write_catalog`` are not what the format expects."""


def normalise_item(item: dict, position: int) -> dict:
    """The item with every field of the format, in format order; raises ``CatalogError`` if invalid."""
    where = f"item {position} (id {item.get('id')!r})"
    unknown = set(item) - set(ITEM_FIELDS)
    if unknown:
        raise CatalogError(f"{where} has unknown fields {sorted(unknown)}; expected only {ITEM_FIELDS}")
    out = {name: item.get(name) for name in ITEM_FIELDS}
    out["details"] = list(out["details"] or [])
    if not isinstance(out["id"], str) or not _ID_RE.match(out["id"]):
        raise CatalogError(f"{where}: id must be a non-empty string of letters, digits, '_', '-' or '.'")
    if not isinstance(out["title"], str) or not out["title"].strip():
        raise CatalogError(f"{where}: title must be a non-empty string")
    query = out["query"]
    if not isinstance(query, list) or not all(isinstance(s, str) and s.strip() for s in query):
        raise CatalogError(f"{where}: query must be a list of non-empty strings, got {query!r}")
    for name, allowed in (("type", TYPES), ("gender", GENDERS), ("split", SPLITS)):
        if out[name] is not None and out[name] not in allowed:
            raise CatalogError(f"{where}: {name} must be one of {allowed} or null, got {out[name]!r}")
    out["image"] = f"{IMAGES_DIR}/{out['id']}.png"
    return out


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogError(f"cannot read {path}: {error}") from error


def read_items(path: Path) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise CatalogError(f"{path} line {number} is not valid JSON: {error}") from error
    return items


def check_output(out: Path, overwrite: bool) -> None:
    """Accept a new or empty folder, or (with ``overwrite``) a catalog with its derived folders.

    Anything else is refused with the reason: a folder without ``manifest.json`` is not a catalog, and a
    catalog folder holding entries the catalog did not make could hold the user's own files.
    """
    if out.exists() and not out.is_dir():
        raise CatalogError(f"output path {out} is a file; expected a new or empty folder")
    if not out.exists() or not any(out.iterdir()):
        return
    names = sorted(p.name for p in out.iterdir())
    if not (out / MANIFEST).is_file():
        raise CatalogError(
            f"output folder {out} is not empty and is not a catalog (no {MANIFEST}; it holds "
            f"{_listing(names)}); choose a new or empty folder"
        )
    foreign = [name for name in names if name not in OWNED_NAMES + DERIVED_NAMES]
    if foreign:
        raise CatalogError(
            f"output folder {out} holds a catalog but also {_listing(foreign)}, which a catalog does not "
            "make; move those away or choose another folder"
        )
    if not overwrite:
        derived = [f"{name}/" for name in names if name in DERIVED_NAMES]
        also = f" (its derived {', '.join(derived)} would go too)" if derived else ""
        raise CatalogError(
            f"output folder {out} already holds a catalog; pass --overwrite to replace it{also}"
        )


def _listing(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def tree_size(path: Path) -> int:
    """Bytes in the files under ``path`` (0 when it does not exist); links are not followed."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for entry in path.rglob("*") if path.is_dir() else ():
        if entry.is_file() and not entry.is_symlink():
            total += entry.stat().st_size
    return total

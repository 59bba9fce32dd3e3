"""Writing a catalog folder: items, standardised PNGs, checksums, vocabulary, manifest.

``write_catalog`` builds the catalog in a temporary sibling folder and renames it into place at the end,
so an interrupted write never leaves a half catalog. It writes no image cache: ``Catalog`` builds each
cache size from the PNGs when something first asks for it (``ganbench.data.cache``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ganbench.data.catalog import Catalog
from ganbench.data.encode import EncodedImage, encode_image
from ganbench.data.integrity import checksum_lines
from ganbench.data.layout import (
    CHECKSUMS,
    FORMAT_VERSION,
    IMAGE_SIZES,
    IMAGES_DIR,
    IMPORT_REPORT,
    ITEMS,
    MANIFEST,
    SOURCES,
    VOCABULARY,
    CatalogError,
    check_output,
    normalise_item,
)
from ganbench.data.report import ImportReport
from ganbench.data.splits import DEFAULT_FRACTIONS, assign_splits, split_counts
from ganbench.data.standardise import DEFAULT_OPTIONS, StandardiseOptions
from ganbench.data.text import Vocabulary, tokenize


def item_tokens(item: dict) -> list[str]:
    """The tokens an item contributes to the vocabulary: its title and its query steps."""
    return tokenize(item["title"]) + [t for step in item["query"] for t in tokenize(step)]


def _items_jsonl(items: Sequence[dict]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode("utf-8")


def _prepare_items(items: Sequence[dict], seed: int, fractions: Sequence[float]) -> list[dict]:
    prepared = [normalise_item(item, i) for i, item in enumerate(items)]
    if not prepared:
        raise CatalogError("a catalog needs at least one item; none were given")
    ids = [item["id"] for item in prepared]
    if len(set(ids)) != len(ids):
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)[:5]
        raise CatalogError(f"item ids must be unique; repeated: {duplicates}")
    if any(item["split"] is None for item in prepared):
        for item, split in zip(prepared, assign_splits(prepared, seed, fractions), strict=True):
            item["split"] = split
    return prepared


def _png_of(image: np.ndarray | EncodedImage, item: dict, options: StandardiseOptions) -> bytes:
    if isinstance(image, EncodedImage):
        if image.options != options:
            raise CatalogError(f"image of item {item['id']!r} was standardised with other options than "
                               "this catalog's")  # fmt: skip
        return image.png
    try:
        return encode_image(image, options).png
    except ValueError as error:
        raise CatalogError(f"image of item {item['id']!r} cannot be standardised: {error}") from error


def _write_images(
    root: Path, items: Sequence[dict], images: Iterable[np.ndarray | EncodedImage],
    options: StandardiseOptions, digest: Any,
) -> list[tuple[str, str]]:  # fmt: skip
    """Write every image file; return (sha256 hex, relative path) per item, in item order."""
    n = len(items)
    (root / IMAGES_DIR).mkdir()
    checksums = []
    for index, image in enumerate(images):
        if index >= n:
            raise CatalogError(f"more images than items ({n}) were given")
        png = _png_of(image, items[index], options)
        (root / items[index]["image"]).write_bytes(png)
        digest.update(png)
        checksums.append((hashlib.sha256(png).hexdigest(), items[index]["image"]))
    if len(checksums) != n:
        raise CatalogError(f"{n} items but {len(checksums)} images were given")
    return checksums


def _move_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


def write_catalog(
    out_dir: str | Path,
    items: Sequence[dict],
    images: Iterable[np.ndarray | EncodedImage],
    source: str,
    seed: int | None = None,
    report: ImportReport | None = None,
    *,
    min_freq: int = 2,
    sizes: Sequence[int] = IMAGE_SIZES,
    options: StandardiseOptions = DEFAULT_OPTIONS,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    overwrite: bool = False,
    progress: bool = False,
) -> Catalog:
    """Standardise, split, build the vocabulary and write a catalog folder; return it opened.

    ``images`` is consumed once, in item order (a generator is fine): HxWx3 or HxWx4 uint8 arrays, or
    ``EncodedImage`` PNGs already standardised with ``options``. ``sizes`` are the image sizes the
    manifest offers; their cache arrays are built on first use. Items keep their given ``split`` only if
    every item has one; otherwise splits are assigned from ``seed`` (0 when ``None``). The vocabulary
    holds train-split title and query tokens seen at least ``min_freq`` times. ``overwrite`` replaces an
    earlier catalog in ``out_dir`` together with its derived folders. ``progress`` shows a bar on stderr.
    """
    if source not in SOURCES:
        raise CatalogError(f"catalog source must be one of {SOURCES}, got {source!r}")
    if report is not None and report.kept != len(items):
        raise CatalogError(f"the import report counts {report.kept} kept inputs but {len(items)} items came")
    if not sizes or any(s < 8 or s > options.size for s in sizes):
        raise CatalogError(f"cache sizes must lie between 8 and {options.size}, got {list(sizes)}")
    out = Path(out_dir)
    check_output(out, overwrite)
    prepared = _prepare_items(items, seed or 0, fractions)
    vocabulary = Vocabulary.build((item_tokens(i) for i in prepared if i["split"] == "train"), min_freq)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    try:
        items_bytes = _items_jsonl(prepared)
        digest = hashlib.sha256(items_bytes)
        shown = tqdm(images, total=len(prepared), desc="writing catalog", unit="img", disable=not progress)
        checksums = _write_images(tmp, prepared, shown, options, digest)
        (tmp / ITEMS).write_bytes(items_bytes)
        (tmp / CHECKSUMS).write_text(checksum_lines(checksums), encoding="utf-8")
        (tmp / VOCABULARY).write_text(json.dumps(vocabulary.to_json(), indent=1), encoding="utf-8")
        if report is not None:
            report.write_jsonl(tmp / IMPORT_REPORT)
        counts = report.counts() if report else {"read": len(prepared), "kept": len(prepared), "skipped": 0}
        counts |= split_counts([item["split"] for item in prepared])
        manifest = {
            "format_version": FORMAT_VERSION, "source": source, "seed": seed, "counts": counts,
            "image_sizes": sorted(set(sizes)), "vocabulary_hash": vocabulary.hash,
            "catalog_hash": digest.hexdigest(), "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "min_freq": min_freq, "split_fractions": list(fractions), "standardise": asdict(options),
        }  # fmt: skip
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _move_into_place(tmp, out)
    return Catalog.open(out)

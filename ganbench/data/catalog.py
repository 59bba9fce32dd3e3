"""The catalog on disk: one folder with a manifest, an items table, standardised images and a uint8 cache.

See docs/architecture.md ("Catalog on disk") for the layout. ``write_catalog`` builds a catalog in a
temporary sibling folder and renames it into place at the end, so an interrupted write never leaves a
half catalog. ``catalog_hash`` is the SHA-256 of ``items.jsonl`` followed by every image file's bytes in
item order; the cache records the hash it was built for and is rebuilt from the PNGs when stale.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from ganbench.data.report import ImportReport
from ganbench.data.splits import DEFAULT_FRACTIONS, SPLITS, assign_splits, split_counts
from ganbench.data.standardise import (
    DEFAULT_OPTIONS,
    StandardiseOptions,
    cache_views,
    standardise,
)
from ganbench.data.text import GENDERS, TYPES, Vocabulary, tokenize

FORMAT_VERSION = 1
SOURCES = ("synthetic", "fashion-product-images", "csv")
IMAGE_SIZES = (64, 128, 256)
PNG_COMPRESS_LEVEL = 1
ITEM_FIELDS = ("id", "title", "query", "type", "gender", "colour", "colour_lab", "fit", "length",
               "size_line", "details", "brand", "material", "size_code", "split", "image")  # fmt: skip
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_OWNED_NAMES = ("manifest.json", "items.jsonl", "vocabulary.json", "import_report.jsonl", "images", "cache")


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
    out["image"] = f"images/{out['id']}.png"
    return out


def _png_bytes(rgba: np.ndarray) -> bytes:
    """PNG bytes; zlib level 1 is ~4x faster than the default on textured photos for ~10% more bytes."""
    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _items_jsonl(items: Sequence[dict]) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode("utf-8")


def item_tokens(item: dict) -> list[str]:
    """The tokens an item contributes to the vocabulary: its title and its query steps."""
    return tokenize(item["title"]) + [t for step in item["query"] for t in tokenize(step)]


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


def _write_images(
    root: Path, items: Sequence[dict], images: Iterable[np.ndarray], sizes: Sequence[int],
    options: StandardiseOptions, digest: Any,
) -> None:  # fmt: skip
    n = len(items)
    (root / "images").mkdir()
    (root / "cache").mkdir()
    rgb = {s: np.lib.format.open_memmap(root / f"cache/images_{s}.npy", "w+", np.uint8, (n, s, s, 3))
           for s in sizes}  # fmt: skip
    masks = {s: np.lib.format.open_memmap(root / f"cache/masks_{s}.npy", "w+", np.uint8, (n, s, s))
             for s in sizes}  # fmt: skip
    count = 0
    for index, image in enumerate(images):
        if index >= n:
            raise CatalogError(f"more images than items ({n}) were given")
        try:
            rgba = standardise(image, options)
        except ValueError as error:
            item_id = items[index]["id"]
            raise CatalogError(f"image of item {item_id!r} cannot be standardised: {error}") from error
        png = _png_bytes(rgba)
        (root / items[index]["image"]).write_bytes(png)
        digest.update(png)
        for s, (small_rgb, small_mask) in cache_views(rgba, sizes).items():
            rgb[s][index], masks[s][index] = small_rgb, small_mask
        count += 1
    if count != n:
        raise CatalogError(f"{n} items but {count} images were given")
    for array in (*rgb.values(), *masks.values()):
        array.flush()


def _check_output(out: Path, overwrite: bool) -> None:
    """Refuse to replace anything but an earlier catalog, and that only with ``overwrite``."""
    if out.exists() and not out.is_dir():
        raise CatalogError(f"output path {out} is a file; expected a new or empty folder")
    if not out.exists() or not any(out.iterdir()):
        return
    foreign = [p.name for p in out.iterdir() if p.name not in _OWNED_NAMES]
    if foreign or not (out / "manifest.json").exists():
        raise CatalogError(
            f"output folder {out} is not empty and is not a catalog (it holds {sorted(foreign)[:5]}); "
            "choose a new or empty folder"
        )
    if not overwrite:
        raise CatalogError(f"output folder {out} already holds a catalog; pass --overwrite to replace it")


def _move_into_place(tmp: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


def write_catalog(
    out_dir: str | Path,
    items: Sequence[dict],
    images: Iterable[np.ndarray],
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

    ``images`` is consumed once, in item order (a generator is fine): HxWx3 or HxWx4 uint8 arrays.
    Items keep their given ``split`` only if every item has one; otherwise splits are assigned from
    ``seed`` (0 when ``None``). The vocabulary holds train-split title and query tokens seen at least
    ``min_freq`` times. ``progress`` shows a progress bar on stderr.
    """
    if source not in SOURCES:
        raise CatalogError(f"catalog source must be one of {SOURCES}, got {source!r}")
    if report is not None and report.kept != len(items):
        raise CatalogError(f"the import report counts {report.kept} kept inputs but {len(items)} items came")
    if not sizes or any(s < 8 or s > options.size for s in sizes):
        raise CatalogError(f"cache sizes must lie between 8 and {options.size}, got {list(sizes)}")
    out = Path(out_dir)
    _check_output(out, overwrite)
    prepared = _prepare_items(items, seed or 0, fractions)
    vocabulary = Vocabulary.build((item_tokens(i) for i in prepared if i["split"] == "train"), min_freq)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    try:
        items_bytes = _items_jsonl(prepared)
        digest = hashlib.sha256(items_bytes)
        shown = tqdm(images, total=len(prepared), desc="writing catalog", unit="img", disable=not progress)
        _write_images(tmp, prepared, shown, sorted(set(sizes)), options, digest)
        (tmp / "items.jsonl").write_bytes(items_bytes)
        (tmp / "vocabulary.json").write_text(json.dumps(vocabulary.to_json(), indent=1), encoding="utf-8")
        if report is not None:
            report.write_jsonl(tmp / "import_report.jsonl")
        counts = report.counts() if report else {"read": len(prepared), "kept": len(prepared), "skipped": 0}
        counts |= split_counts([item["split"] for item in prepared])
        manifest = {
            "format_version": FORMAT_VERSION, "source": source, "seed": seed, "counts": counts,
            "image_sizes": sorted(set(sizes)), "vocabulary_hash": vocabulary.hash,
            "catalog_hash": digest.hexdigest(), "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "min_freq": min_freq, "split_fractions": list(fractions), "standardise": asdict(options),
        }  # fmt: skip
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _write_cache_meta(tmp, manifest["catalog_hash"])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _move_into_place(tmp, out)
    return Catalog.open(out)


def _write_cache_meta(root: Path, catalog_hash: str) -> None:
    (root / "cache" / "cache.json").write_text(json.dumps({"catalog_hash": catalog_hash}), encoding="utf-8")


class Catalog:
    """An opened catalog folder. Arrays are loaded from the cache on first use and kept in memory."""

    def __init__(self, root: Path, manifest: dict, items: list[dict]) -> None:
        self.root = root
        self.manifest = manifest
        self.items = items
        self._arrays: dict[tuple[str, int], np.ndarray] = {}
        self._vocabulary: Vocabulary | None = None

    @classmethod
    def open(cls, path: str | Path) -> Catalog:
        root = Path(path)
        for name in ("manifest.json", "items.jsonl"):
            if not (root / name).is_file():
                raise CatalogError(f"{root} is not a catalog folder: {name} is missing")
        manifest = _read_json(root / "manifest.json")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise CatalogError(
                f"{root}: catalog format_version {manifest.get('format_version')!r} is not supported "
                f"(expected {FORMAT_VERSION})"
            )
        items = _read_items(root / "items.jsonl")
        kept = manifest.get("counts", {}).get("kept")
        if kept != len(items):
            raise CatalogError(f"{root}: manifest counts {kept} kept items but items.jsonl has {len(items)}")
        return cls(root, manifest, items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Catalog({str(self.root)!r}, {len(self)} items, source={self.source!r})"

    @property
    def hash(self) -> str:
        return self.manifest["catalog_hash"]

    @property
    def source(self) -> str:
        return self.manifest["source"]

    @property
    def image_sizes(self) -> list[int]:
        return list(self.manifest["image_sizes"])

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.from_json(_read_json(self.root / "vocabulary.json"))
        return self._vocabulary

    def indices(self, split: str) -> np.ndarray:
        """Positions (into ``items`` and the arrays) of the items in ``split``."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return np.array([i for i, item in enumerate(self.items) if item["split"] == split], dtype=np.int64)

    def rgba(self, index: int) -> np.ndarray:
        """The standardised 256 px RGBA image of item ``index``."""
        with Image.open(self.root / self.items[index]["image"]) as image:
            return np.asarray(image.convert("RGBA"))

    def images(self, size: int) -> np.ndarray:
        """uint8 (N, S, S, 3): RGB composited on white, in item order."""
        return self._array("images", size)

    def masks(self, size: int) -> np.ndarray:
        """uint8 (N, S, S): foreground mask 0/1, in item order."""
        return self._array("masks", size)

    def _array(self, kind: str, size: int) -> np.ndarray:
        key = (kind, int(size))
        if key not in self._arrays:
            array = self._load_cached(kind, int(size))
            if array is None:
                self._rebuild_cache(int(size))
            else:
                self._arrays[key] = array
        return self._arrays[key]

    def _load_cached(self, kind: str, size: int) -> np.ndarray | None:
        path = self.root / "cache" / f"{kind}_{size}.npy"
        meta_path = self.root / "cache" / "cache.json"
        if not path.is_file() or not meta_path.is_file():
            return None
        if _read_json(meta_path).get("catalog_hash") != self.hash:
            return None
        array = np.load(path)
        expected = (len(self), size, size, 3) if kind == "images" else (len(self), size, size)
        return array if array.shape == expected and array.dtype == np.uint8 else None

    def _rebuild_cache(self, size: int) -> None:
        """Recompute the arrays of ``size`` from the PNGs; save them when the folder is writable."""
        rgb = np.empty((len(self), size, size, 3), np.uint8)
        masks = np.empty((len(self), size, size), np.uint8)
        for index in range(len(self)):
            rgb[index], masks[index] = cache_views(self.rgba(index), [size])[size]
        self._arrays[("images", size)], self._arrays[("masks", size)] = rgb, masks
        try:
            (self.root / "cache").mkdir(exist_ok=True)
            np.save(self.root / "cache" / f"images_{size}.npy", rgb)
            np.save(self.root / "cache" / f"masks_{size}.npy", masks)
            _write_cache_meta(self.root, self.hash)
        except OSError:
            pass  # a read-only catalog still works; the arrays stay in memory

    def compute_hash(self) -> str:
        """The catalog hash recomputed from the files on disk."""
        digest = hashlib.sha256((self.root / "items.jsonl").read_bytes())
        for item in self.items:
            digest.update((self.root / item["image"]).read_bytes())
        return digest.hexdigest()

    def verify(self) -> None:
        """Raise ``CatalogError`` when the files on disk no longer match the manifest's hash."""
        actual = self.compute_hash()
        if actual != self.hash:
            raise CatalogError(
                f"{self.root}: files changed since the catalog was written "
                f"(manifest hash {self.hash[:12]}, files hash {actual[:12]})"
            )


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogError(f"cannot read {path}: {error}") from error


def _read_items(path: Path) -> list[dict]:
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

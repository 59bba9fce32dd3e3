"""An opened catalog folder: items, manifest, vocabulary, images and their cached arrays.

See docs/architecture.md ("A catalog") for the layout. ``ganbench.data.writer.write_catalog``
writes a catalog; ``Catalog.open`` reads one. The arrays behind ``images(size)`` and ``masks(size)`` come
from the image cache (``ganbench.data.cache``): built from the PNGs the first time a size is asked for,
memory-mapped after that. Before the first array is handed out, every image file is checked to exist (a
stat per item), so a deleted image is noticed even when the cache still holds its pixels.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ganbench.data.cache import ImageCache, read_rgba
from ganbench.data.integrity import VerifyResult, missing_images, missing_images_error, verify_catalog
from ganbench.data.layout import (
    FORMAT_VERSION,
    IMAGE_SIZES,
    ITEM_FIELDS,
    ITEMS,
    MANIFEST,
    SOURCES,
    VOCABULARY,
    CatalogError,
    normalise_item,
    read_items,
    read_json,
)
from ganbench.data.splits import SPLITS
from ganbench.data.text import Vocabulary

__all__ = ["FORMAT_VERSION", "IMAGE_SIZES", "ITEM_FIELDS", "SOURCES", "Catalog", "CatalogError",
           "normalise_item"]  # fmt: skip


class Catalog:
    """An opened catalog folder. Cached arrays are memory-mapped on first use and kept open."""

    def __init__(self, root: Path, manifest: dict, items: list[dict]) -> None:
        self.root = root
        self.manifest = manifest
        self.items = items
        self._arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._vocabulary: Vocabulary | None = None
        self._files_checked = False
        self.cache = ImageCache(root, self.hash, [root / item["image"] for item in items])

    @classmethod
    def open(cls, path: str | Path) -> Catalog:
        root = Path(path)
        for name in (MANIFEST, ITEMS):
            if not (root / name).is_file():
                raise CatalogError(f"{root} is not a catalog folder: {name} is missing")
        manifest = read_json(root / MANIFEST)
        if manifest.get("format_version") != FORMAT_VERSION:
            raise CatalogError(
                f"{root}: catalog format_version {manifest.get('format_version')!r} is not supported "
                f"(expected {FORMAT_VERSION})"
            )
        items = read_items(root / ITEMS)
        kept = manifest.get("counts", {}).get("kept")
        if kept != len(items):
            raise CatalogError(f"{root}: manifest counts {kept} kept items but {ITEMS} has {len(items)}")
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
        """The sizes the manifest offers (any other size can be asked for too)."""
        return list(self.manifest["image_sizes"])

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.from_json(read_json(self.root / VOCABULARY))
        return self._vocabulary

    def indices(self, split: str) -> np.ndarray:
        """Positions (into ``items`` and the arrays) of the items in ``split``."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return np.array([i for i, item in enumerate(self.items) if item["split"] == split], dtype=np.int64)

    def rgba(self, index: int) -> np.ndarray:
        """The standardised 256 px RGBA image of item ``index`` (``CatalogError`` naming a missing file)."""
        return read_rgba(self.root / self.items[index]["image"])

    def images(self, size: int) -> np.ndarray:
        """uint8 (N, S, S, 3): RGB composited on white, in item order (memory-mapped)."""
        return self._cached(size)[0]

    def masks(self, size: int) -> np.ndarray:
        """uint8 (N, S, S): foreground mask 0/1, in item order (memory-mapped)."""
        return self._cached(size)[1]

    def _cached(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        size = int(size)
        if size not in self._arrays:
            self.check_files_exist()
            self._arrays[size] = self.cache.arrays(size)
        return self._arrays[size]

    def check_files_exist(self) -> None:
        """Raise ``CatalogError`` naming the first missing image file (checked once per opened catalog)."""
        if self._files_checked:
            return
        missing = missing_images(self.root, self.items)
        if missing:
            raise missing_images_error(self.root, missing)
        self._files_checked = True

    def compute_hash(self) -> str:
        """The catalog hash recomputed from the files on disk."""
        digest = hashlib.sha256((self.root / ITEMS).read_bytes())
        for item in self.items:
            path = self.root / item["image"]
            if not path.is_file():
                raise missing_images_error(self.root, [item["image"]])
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def check_files(self) -> VerifyResult:
        """Every image file against the per-file checksums and the catalog hash (reads every file)."""
        return verify_catalog(self.root, self.items, self.hash)

    def verify(self) -> None:
        """Raise ``CatalogError`` when the files on disk no longer match what the catalog was written with."""
        result = self.check_files()
        if not result.ok:
            raise CatalogError(f"{self.root}: files changed since the catalog was written: "
                               + "; ".join(line.strip() for line in result.lines()))  # fmt: skip

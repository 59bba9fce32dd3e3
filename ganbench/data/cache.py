"""The catalog's uint8 image cache: built per size from the PNGs when first asked for, then memory-mapped.

``CATALOG/cache/images_S.npy`` (N, S, S, 3) and ``masks_S.npy`` (N, S, S) are written only for the sizes
something uses (a 64 px run never pays for 256 px arrays) and opened with ``np.load(mmap_mode="c")``:
pages are read from disk as they are touched and shared through the page cache, so a large catalog does
not have to fit in memory. Copy-on-write rather than read-only, because consumers wrap the arrays in
torch tensors (``torch.from_numpy`` warns about read-only arrays, and an in-place op on a read-only
mapping would crash); writes stay in the process and never reach the file.

Staleness: ``cache/cache.json`` records the catalog hash the arrays were built for. When it differs from
the manifest's, every cached array is deleted before the first new one is built. A folder that cannot
be written (read-only catalog) still works: the arrays are built in memory for this process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from ganbench.data.layout import CACHE_DIR, CatalogError, read_json
from ganbench.data.standardise import cache_views

META = "cache.json"
PROGRESS_FROM = 2000  # catalogs at least this large show a progress bar (on a terminal) while caching


def read_rgba(path: Path) -> np.ndarray:
    """The RGBA array of a catalog image; a missing or unreadable file is a ``CatalogError`` naming it."""
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGBA"))
    except FileNotFoundError as error:
        raise CatalogError(f"catalog image {path} is missing") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise CatalogError(f"catalog image {path} cannot be read: {error}") from error


def array_path(root: Path, kind: str, size: int) -> Path:
    return root / CACHE_DIR / f"{kind}_{size}.npy"


class ImageCache:
    """The cached arrays of one catalog (``root``, ``catalog_hash``, image files in item order)."""

    def __init__(self, root: Path, catalog_hash: str, image_paths: Sequence[Path]) -> None:
        self.root, self.catalog_hash, self.image_paths = root, catalog_hash, list(image_paths)

    @property
    def directory(self) -> Path:
        return self.root / CACHE_DIR

    def is_fresh(self) -> bool:
        """Whether the arrays on disk were built for this catalog (an unreadable cache.json: not fresh)."""
        meta = self.directory / META
        try:
            return meta.is_file() and read_json(meta).get("catalog_hash") == self.catalog_hash
        except CatalogError:
            return False

    def built_sizes(self) -> list[int]:
        """The sizes whose images and masks are on disk and fresh."""
        if not self.is_fresh():
            return []
        sizes = [int(p.stem.removeprefix("images_")) for p in self.directory.glob("images_*.npy")
                 if p.stem.removeprefix("images_").isdigit()]
        return sorted(s for s in sizes if array_path(self.root, "masks", s).is_file())

    def arrays(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(images (N, S, S, 3), masks (N, S, S)) uint8 at ``size``, building them on first use."""
        opened = self._open(size) if self.is_fresh() else None
        return opened if opened is not None else self._build(size)

    def _open(self, size: int) -> tuple[np.ndarray, np.ndarray] | None:
        n = len(self.image_paths)
        images = _load(array_path(self.root, "images", size), (n, size, size, 3))
        masks = _load(array_path(self.root, "masks", size), (n, size, size))
        return None if images is None or masks is None else (images, masks)

    def _build(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        try:
            self._prepare_directory()
        except OSError:  # read-only catalog: build for this process only
            return self._fill(size, *self._empty(size))
        finals = [array_path(self.root, kind, size) for kind in ("images", "masks")]
        partials = [path.with_name(f"{path.name}.{os.getpid()}.partial") for path in finals]
        try:
            n = len(self.image_paths)
            images = np.lib.format.open_memmap(partials[0], "w+", np.uint8, (n, size, size, 3))
            masks = np.lib.format.open_memmap(partials[1], "w+", np.uint8, (n, size, size))
            self._fill(size, images, masks)
            images.flush(), masks.flush()
            del images, masks
            for partial, final in zip(partials, finals, strict=True):
                os.replace(partial, final)  # atomic: a reader never sees half an array
        except OSError:  # the disk filled up, say: this process still gets its arrays
            return self._fill(size, *self._empty(size))
        finally:
            for partial in partials:
                partial.unlink(missing_ok=True)
        opened = self._open(size)
        if opened is None:
            raise CatalogError(f"the image cache in {self.directory} could not be read back after writing it")
        return opened

    def _prepare_directory(self) -> None:
        """Create the cache folder; drop arrays built for another catalog hash and record this one."""
        self.directory.mkdir(exist_ok=True)
        if self.is_fresh():
            return
        for stale in self.directory.glob("*.npy"):
            stale.unlink()
        (self.directory / META).write_text(json.dumps({"catalog_hash": self.catalog_hash}), encoding="utf-8")

    def _empty(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.image_paths)
        return np.empty((n, size, size, 3), np.uint8), np.empty((n, size, size), np.uint8)

    def _fill(self, size: int, images: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        disable = True if len(self.image_paths) < PROGRESS_FROM else None  # None: a bar only on a terminal
        paths = tqdm(self.image_paths, desc=f"caching {size} px images", unit="img", leave=False,
                     disable=disable)
        for index, path in enumerate(paths):
            images[index], masks[index] = cache_views(read_rgba(path), [size])[size]
        return images, masks


def _load(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """The memory-mapped array at ``path`` when it has ``shape`` and dtype uint8, else ``None``."""
    if not path.is_file():
        return None
    try:
        array = np.load(path, mmap_mode="c")
    except (OSError, ValueError):
        return None
    return array if array.shape == shape and array.dtype == np.uint8 else None

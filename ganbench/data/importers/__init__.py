"""Importers of real catalogs: each reads a source into items, image paths and an ``ImportReport``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ganbench.data.catalog import Catalog
from ganbench.data.importers.common import ImportFormatError, image_stream
from ganbench.data.importers.csv import DEFAULT_CSV_OPTIONS, CsvOptions, read_csv_folder
from ganbench.data.importers.fashion_product_images import read_fashion_product_images
from ganbench.data.report import ImportReport
from ganbench.data.standardise import DEFAULT_OPTIONS, StandardiseOptions
from ganbench.data.writer import write_catalog

Reader = Callable[..., tuple[list[dict], list[Path], ImportReport]]
READERS: dict[str, Reader] = {
    "fashion-product-images": read_fashion_product_images,
    "csv": read_csv_folder,
}

__all__ = ["READERS", "CsvOptions", "ImportFormatError", "import_catalog"]


def import_catalog(
    src: str | Path,
    source_format: str,
    out_dir: str | Path,
    seed: int = 0,
    *,
    min_freq: int = 2,
    options: StandardiseOptions = DEFAULT_OPTIONS,
    csv_options: CsvOptions = DEFAULT_CSV_OPTIONS,
    overwrite: bool = False,
    progress: bool = False,
) -> tuple[Catalog, ImportReport]:
    """Read ``src`` in ``source_format`` and write the kept items as a catalog in ``out_dir``.

    ``csv_options`` (minimum image side, keeping items of unknown type) apply to the csv format.
    Standardised images are staged in a temporary folder between checking and writing.
    """
    if source_format not in READERS:
        raise ImportFormatError(f"unknown import format {source_format!r}; expected one of {sorted(READERS)}")
    reader = READERS[source_format]
    if source_format == "csv":
        reader = partial(read_csv_folder, csv_options=csv_options)
    with tempfile.TemporaryDirectory(prefix="ganbench-import-") as staging:
        items, paths, report = reader(src, options, progress, Path(staging))
        if not items:
            raise ImportFormatError(
                f"nothing to import from {src}: all {report.read} inputs were skipped\n{report.summary()}"
            )
        catalog = write_catalog(
            out_dir, items, image_stream(paths), source_format, seed, report,
            min_freq=min_freq, options=options, overwrite=overwrite, progress=progress,
        )  # fmt: skip
    return catalog, report

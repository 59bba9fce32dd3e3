"""Importer for the public "Fashion Product Images" layout: ``styles.csv`` plus ``images/{id}.jpg``.

Kept rows (our choice; the paper used pants, jeans and shorts): the ``articleType`` values in
``ARTICLE_TYPES``, mapped to the catalog's three types. Left out, each counted with its reason:
every other article type (tops, shoes, skirts, and the skin-tight or traditional bottoms Leggings,
Tights, Stockings, Salwar, Churidar, Patiala, whose silhouettes are not trousers), and the kids'
genders Boys and Girls (the synthetic catalog and the paper have adult cuts only).

Attributes: type from ``articleType``; gender from ``gender`` (else the title); colour is
``baseColour`` as written (lower case, "grey" spelling; else the longest colour term of the title);
fit, length, size line and details from the title (``Capris`` also sets length "capri"); brand is the
title's words before its gender word. ``styles.csv`` rows whose product name holds unquoted commas
are mended by joining the extra fields back into ``productDisplayName`` (the last column).
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from ganbench.data.importers.common import (
    ImportFormatError,
    KeptRows,
    Skip,
    brand_from_title,
    build_item,
    canonical_gender,
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

ARTICLE_TYPES: dict[str, str] = {
    "Jeans": "jeans", "Jeggings": "jeans",
    "Trousers": "pants", "Track Pants": "pants", "Capris": "pants", "Lounge Pants": "pants",
    "Rain Trousers": "pants",
    "Shorts": "shorts", "Lounge Shorts": "shorts",
}  # fmt: skip
GENDERS: dict[str, str | None] = {"Men": "men's", "Women": "women's", "Unisex": "unisex"}
KIDS_GENDERS = ("Boys", "Girls")
REQUIRED_COLUMNS = ("id", "gender", "articleType", "productDisplayName")


def _row_item(row: dict, seen: set[str]) -> dict | Skip:
    """The catalog item of one styles.csv row (without checking its image), or why it is skipped."""
    raw_id = clean(row.get("id"))
    if raw_id is None:
        return Skip("the id field is empty", "malformed row")
    if safe_id(raw_id) != raw_id:
        return Skip(f"id {raw_id!r} is not a plain product id", "malformed row")
    if raw_id in seen:
        return Skip(f"id {raw_id} appears more than once; the first row was kept", "duplicate id")
    article = clean(row.get("articleType"))
    if article not in ARTICLE_TYPES:
        return Skip(f"articleType {article!r} is not one of the kept bottoms", "not a bottom")
    gender_field = clean(row.get("gender"))
    if gender_field in KIDS_GENDERS:
        return Skip(f"gender {gender_field!r}: kids' items are left out", "kids")
    title = clean(row.get("productDisplayName"))
    if title is None:
        return Skip("productDisplayName (the title) is empty", "empty title")
    given = {
        "type": ARTICLE_TYPES[article],
        "gender": GENDERS.get(gender_field or "") or canonical_gender(gender_field),
        "colour": colour_as_written(clean(row.get("baseColour"))),
        "length": "capri" if article == "Capris" else None,
        "brand": brand_from_title(title),
    }
    return build_item(raw_id, title, given)


def read_fashion_product_images(
    src: str | Path,
    options: StandardiseOptions = DEFAULT_OPTIONS,
    progress: bool = False,
    staging: Path | None = None,
) -> tuple[list[dict], list[Path], ImportReport]:
    """Items, their image paths and the import report for a Fashion Product Images folder.

    With a ``staging`` folder the returned paths are the standardised PNGs staged there.
    """
    root = Path(src)
    styles = root / "styles.csv"
    if not styles.is_file():
        raise ImportFormatError(f"{root} is not a Fashion Product Images folder: styles.csv is missing")
    header, rows = read_csv_rows(styles, rejoin="productDisplayName")
    require_columns(header, REQUIRED_COLUMNS, styles)
    kept = KeptRows()
    for line, row in tqdm(rows, desc="checking rows", unit="row", disable=not progress):
        source = f"styles.csv line {line}"
        result = row if isinstance(row, Skip) else _row_item(row, kept.ids)
        if isinstance(result, dict):
            source = f"{source} (id {result['id']})"
            path = root / "images" / f"{result['id']}.jpg"
            image = check_image(path, options, staged_path(staging, len(kept.items)))
            result = image if isinstance(image, Skip) else (result, image)
        kept.add(source, result)
    return kept.result()

"""A catalog's summary: counts, splits and attribute distributions (what ``ganbench data info`` prints)."""

from __future__ import annotations

from collections import Counter

from ganbench.data.catalog import Catalog
from ganbench.data.layout import CACHE_DIR, IMAGES_DIR, tree_size
from ganbench.data.report import ImportReport
from ganbench.data.splits import SPLITS

ATTRIBUTES = ("type", "gender", "colour", "fit", "length", "size_line", "details")


def attribute_counts(items: list[dict], attribute: str) -> Counter:
    """How many items have each value of ``attribute`` (``None`` counts items without it)."""
    if attribute == "details":
        return Counter(detail for item in items for detail in item.get("details") or [])
    return Counter(item.get(attribute) for item in items)


def catalog_summary(catalog: Catalog) -> dict:
    """Counts, per-split type x gender counts and attribute distributions, as plain data."""
    items = catalog.items
    strata = {
        split: Counter(f"{i.get('gender')} {i.get('type')}" for i in items if i["split"] == split)
        for split in SPLITS
    }
    return {
        "path": str(catalog.root),
        "source": catalog.source,
        "counts": catalog.manifest["counts"],
        "image_sizes": catalog.image_sizes,
        "vocabulary_size": len(catalog.vocabulary),
        "catalog_hash": catalog.hash,
        "splits_by_stratum": {split: dict(counter.most_common()) for split, counter in strata.items()},
        "attributes": {a: dict(attribute_counts(items, a).most_common()) for a in ATTRIBUTES},
        "skipped_by_kind": _skipped_by_kind(catalog),
        "disk": disk_usage(catalog),
    }


def disk_usage(catalog: Catalog) -> dict:
    """Bytes on disk: image files, the image cache (and which sizes it holds), everything in the folder."""
    images, cache, total = (tree_size(p) for p in (catalog.root / IMAGES_DIR, catalog.root / CACHE_DIR,
                                                    catalog.root))  # fmt: skip
    return {"images_bytes": images, "cache_bytes": cache, "total_bytes": total,
            "cached_sizes": catalog.cache.built_sizes()}  # fmt: skip


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def _skipped_by_kind(catalog: Catalog) -> dict[str, int]:
    path = catalog.root / "import_report.jsonl"
    if not path.is_file():
        return {}
    return ImportReport.read_jsonl(path, kept=len(catalog)).skipped_by_kind()


def _distribution_line(name: str, counts: dict, top: int) -> str:
    shown = list(counts.items())[:top]
    text = ", ".join(f"{'(none)' if value is None else value} {n}" for value, n in shown)
    rest = len(counts) - len(shown)
    more = f", ... {rest} more values" if rest > 0 else ""
    return f"  {name} ({len(counts)} values): {text}{more}"


def _disk_line(disk: dict) -> str:
    cached = ", ".join(f"{s} px" for s in disk["cached_sizes"]) or "none built yet"
    images, cache, total = (_megabytes(disk[k]) for k in ("images_bytes", "cache_bytes", "total_bytes"))
    return f"size on disk: images {images}, cache {cache} ({cached}), total {total}"


def format_summary(summary: dict, top: int = 12) -> str:
    """Readable text of ``catalog_summary``; each distribution lists its ``top`` most frequent values."""
    counts = summary["counts"]
    lines = [
        f"catalog {summary['path']} (source {summary['source']}, hash {summary['catalog_hash'][:12]})",
        f"items: read {counts['read']} = kept {counts['kept']} + skipped {counts['skipped']}",
        *[f"  skipped ({kind}): {n}" for kind, n in summary["skipped_by_kind"].items()],
        "splits: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in SPLITS),
        f"image sizes: {summary['image_sizes']}; vocabulary: {summary['vocabulary_size']} tokens",
        _disk_line(summary["disk"]),
        "split by gender and type:",
    ]
    for split, strata in summary["splits_by_stratum"].items():
        lines.append(f"  {split}: " + ", ".join(f"{k} {n}" for k, n in strata.items()))
    lines.append("attributes:")
    lines += [_distribution_line(name, values, top) for name, values in summary["attributes"].items()]
    return "\n".join(lines)

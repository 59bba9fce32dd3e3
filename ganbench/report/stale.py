"""Figures an earlier build left behind: a rebuilt report keeps only the figure files it references.

Our choice: only image files (:data:`FIGURE_SUFFIXES`) in the report's ``figures/`` folder are cleaned
(data written beside them, such as the colour study's summary.json, stays), and only those the new report
names nowhere
(an item's image, its other formats, a gallery's figures, or a path in its Markdown or caption), so
a figure whose inputs went away (e.g. an evaluation network's confusion heatmap after the catalog
changed) does not linger next to the current ones.
"""

from __future__ import annotations

from pathlib import Path

from ganbench.report.index import Item

FIGURE_SUFFIXES = (".png", ".pdf", ".gif", ".svg")


def referenced_paths(items: list[Item]) -> set[str]:
    """Every relative path the report's items name directly."""
    named: set[str] = set()
    for item in items:
        named.update(p for p in (item.image, *item.downloads) if p)
        for figure in item.gallery:
            named.update(p for p in (figure.image, *figure.downloads) if p)
    return named


def remove_unreferenced_figures(out: Path, items: list[Item], folder: str = "figures") -> list[Path]:
    """Delete the files under ``out/folder`` that no item references; returns what was removed."""
    root = out / folder
    if not root.is_dir():
        return []
    named = {Path(p).as_posix() for p in referenced_paths(items)}
    texts = "\n".join(f"{item.markdown}\n{item.caption}" for item in items)
    removed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in FIGURE_SUFFIXES):
        relative = path.relative_to(out).as_posix()
        if relative not in named and relative not in texts:
            path.unlink()
            removed.append(path)
    return removed

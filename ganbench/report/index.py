"""``index.md`` and a self-contained ``index.html`` (images embedded as base64) listing every table and
figure of a report with a one-line caption, then the configuration and versions the numbers came from.
The HTML is the same Markdown rendered by the ``markdown`` library, so tables are HTML tables."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from ganbench.report.tables import Table


@dataclass
class Figure:
    """One image of a gallery, with its own label and other formats (relative paths)."""

    image: str
    label: str = ""
    downloads: list[str] = field(default_factory=list)


@dataclass
class Item:
    """One entry of the report: Markdown text (a table: ``markdown``, with its numbers in ``table``), a
    figure (``image``, a path relative to the report folder, shown inline in HTML) and/or a ``gallery``
    of labelled figures shown side by side."""

    title: str
    caption: str
    markdown: str = ""
    table: Table | None = None
    image: str = ""
    downloads: list[str] = field(default_factory=list)  # relative paths of other formats
    gallery: list[Figure] = field(default_factory=list)


@dataclass
class Provenance:
    """Where the numbers came from, shown at the end of the report."""

    experiment_toml: str
    versions: dict[str, str]
    cells: list[tuple[str, str]]  # (cell, status) including missing / failed cells
    notes: list[str] = field(default_factory=list)
    origin: list[tuple[str, str]] = field(default_factory=list)  # the "Provenance" rows (label, value)


def write_markdown(path: Path, title: str, intro: str, items: list[Item], provenance: Provenance) -> Path:
    lines = [f"# {title}", "", intro, ""]
    for item in items:
        lines += [f"## {item.title}", "", item.caption, ""]
        if item.markdown:
            lines += [item.markdown.rstrip(), ""]
        if item.image:
            lines += [f"![{item.title}]({item.image})", ""]
        if item.downloads:
            lines += [_also_markdown(item.downloads), ""]
        for figure in item.gallery:
            lines += [f"**{figure.label}**", "", f"![{figure.label}]({figure.image})", ""]
            lines += [_also_markdown(figure.downloads), ""] if figure.downloads else []
    lines += _provenance_markdown(provenance)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _also_markdown(paths: list[str]) -> str:
    return "Also: " + ", ".join(f"[{Path(p).name}]({p})" for p in paths)


def _provenance_markdown(provenance: Provenance) -> list[str]:
    return _cells_and_versions(provenance) + ["", "## Experiment file", "", "```toml",
                                               provenance.experiment_toml.rstrip(), "```"]


def _cells_and_versions(provenance: Provenance) -> list[str]:
    lines = ["## Provenance", "", "| | |", "|---|---|"] if provenance.origin else []
    lines += [f"| {label} | {value.replace('|', '/')} |" for label, value in provenance.origin]
    lines += [""] if provenance.origin else []
    lines += ["## Cells", "", "| Cell | Status |", "|---|---|"]
    lines += [f"| {cell} | {status.replace('|', '/')} |" for cell, status in provenance.cells]
    lines += [""] + [f"- {note}" for note in provenance.notes] + ["", "## Versions", ""]
    lines += [f"- {name}: {version}" for name, version in provenance.versions.items()]
    return lines


STYLE = (
    "body{font-family:sans-serif;max-width:1280px;margin:2em auto;padding:0 1em;line-height:1.4}"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.85em;display:block;max-width:100%;"
    "overflow-x:auto}td,th{border:1px solid #bbb;padding:3px 6px}"
    "th{background:#eef1f5}tbody tr:nth-child(even){background:#f8f8f8}"
    "td:first-child,th:first-child{text-align:left;white-space:nowrap}"
    "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}"
    ".gallery{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}.gallery figure{margin:0}"
    "figcaption{font-weight:bold;margin-bottom:0.3em}"
    ".caption{color:#333;font-style:italic}.downloads{font-size:0.9em;color:#555}"
    "pre{background:#f4f4f4;padding:1em;overflow:auto}nav ul{columns:3}"
)


def write_html(path: Path, title: str, intro: str, items: list[Item], provenance: Provenance) -> Path:
    """One HTML file whose images are data URIs (links to the other formats stay relative). All text,
    tables included, is the report's Markdown rendered by the ``markdown`` library (tables extension)."""
    root = path.parent
    anchors = [f"item{k}" for k in range(len(items))]
    body = [f"<h1>{html.escape(title)}</h1>", _render(intro), "<nav><ul>"]
    body += [f"<li><a href='#{a}'>{html.escape(item.title)}</a></li>"
             for a, item in zip(anchors, items, strict=True)]
    body.append("</ul></nav>")
    for anchor, item in zip(anchors, items, strict=True):
        body += [f"<h2 id='{anchor}'>{html.escape(item.title)}</h2>",
                 f"<div class='caption'>{_render(item.caption)}</div>"]
        if item.markdown:
            body.append(_render(item.markdown))
        if item.image:
            body.append(f"<figure>{_img(root, item.image, item.title)}</figure>")
        if item.downloads:
            body.append(_also_html(item.downloads))
        if item.gallery:
            body.append("<div class='gallery'>" + "".join(_gallery_figure(root, f) for f in item.gallery)
                        + "</div>")
    body.append(_render("\n".join(_cells_and_versions(provenance))))
    body.append(f"<h2>Experiment file</h2><pre>{html.escape(provenance.experiment_toml)}</pre>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def _render(text: str) -> str:
    """Markdown (with tables) to HTML. Raw HTML is switched off: report text such as an error message
    with ``<unk>`` is shown as written instead of vanishing as an unknown tag."""
    converter = markdown.Markdown(extensions=["tables"], output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter.convert(text).replace(" ± ", " ±\u00a0")  # a narrow cell breaks before "±" only


def _gallery_figure(root: Path, figure: Figure) -> str:
    also = _also_html(figure.downloads) if figure.downloads else ""
    return (f"<figure><figcaption>{html.escape(figure.label)}</figcaption>"
            f"{_img(root, figure.image, figure.label)}{also}</figure>")


def _img(root: Path, image: str, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='{_data_uri(root / image)}'>"


def _also_html(paths: list[str]) -> str:
    links = ", ".join(f"<a href='{html.escape(p)}'>{html.escape(Path(p).name)}</a>" for p in paths)
    return f"<p class='downloads'>Also: {links}</p>"


def _data_uri(path: Path) -> str:
    kinds = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg"}
    kind = kinds.get(path.suffix.lower(), "image/png")
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

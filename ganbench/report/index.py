"""``index.md`` and a self-contained ``index.html`` (images embedded as base64) listing every table and
figure of a report with a one-line caption, then the configuration and versions the numbers came from."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

from ganbench.report.tables import Table, display_rows


@dataclass
class Item:
    """One entry of the report: a table (``table`` + Markdown text) or a figure (``image``, relative path)."""

    title: str
    caption: str
    markdown: str = ""
    table: Table | None = None
    image: str = ""
    downloads: list[str] = field(default_factory=list)  # relative paths of other formats


@dataclass
class Provenance:
    """Where the numbers came from, shown at the end of the report."""

    experiment_toml: str
    versions: dict[str, str]
    cells: list[tuple[str, str]]  # (cell, status) including missing / failed cells
    notes: list[str] = field(default_factory=list)


def write_markdown(path: Path, title: str, intro: str, items: list[Item], provenance: Provenance) -> Path:
    lines = [f"# {title}", "", intro, ""]
    for item in items:
        lines += [f"## {item.title}", "", item.caption, ""]
        if item.markdown:
            lines += [item.markdown.rstrip(), ""]
        if item.image:
            lines += [f"![{item.title}]({item.image})", ""]
        if item.downloads:
            lines += ["Also: " + ", ".join(f"[{Path(p).name}]({p})" for p in item.downloads), ""]
    lines += _provenance_markdown(provenance)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _provenance_markdown(provenance: Provenance) -> list[str]:
    lines = ["## Cells", "", "| Cell | Status |", "|---|---|"]
    lines += [f"| {cell} | {status} |" for cell, status in provenance.cells]
    lines += [""] + [f"- {note}" for note in provenance.notes] + ["", "## Versions", ""]
    lines += [f"- {name}: {version}" for name, version in provenance.versions.items()]
    lines += ["", "## Experiment file", "", "```toml", provenance.experiment_toml.rstrip(), "```"]
    return lines


def write_html(path: Path, title: str, intro: str, items: list[Item], provenance: Provenance) -> Path:
    """One HTML file with no external references: every image is a data URI."""
    root = path.parent
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(intro)}</p>"]
    for item in items:
        body += [f"<h2>{html.escape(item.title)}</h2>", f"<p class='caption'>{html.escape(item.caption)}</p>"]
        if item.table is not None:
            body.append(_html_table(item.table))
        elif item.markdown:
            body.append(f"<pre>{html.escape(item.markdown)}</pre>")
        if item.image:
            body.append(f"<img alt='{html.escape(item.title)}' src='{_data_uri(root / item.image)}'>")
    cells = "".join(f"<tr><td>{html.escape(c)}</td><td>{html.escape(s)}</td></tr>"
                    for c, s in provenance.cells)
    body.append(f"<h2>Cells</h2><table><tr><th>Cell</th><th>Status</th></tr>{cells}</table>")
    body += [f"<p>{html.escape(note)}</p>" for note in provenance.notes]
    body.append("<h2>Versions</h2><ul>" + "".join(
        f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in provenance.versions.items()) + "</ul>")
    body.append(f"<h2>Experiment file</h2><pre>{html.escape(provenance.experiment_toml)}</pre>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
            "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:3px 8px;"
            "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
            ".caption{color:#333;font-style:italic}pre{background:#f4f4f4;padding:1em;overflow:auto}"
            "</style></head><body>" + "\n".join(body) + "</body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def _html_table(table: Table) -> str:
    rows = display_rows(table, ("\x00", "\x01"), "Model")

    def cell(text: str, tag: str) -> str:
        return f"<{tag}>" + html.escape(text).replace("\x00", "<b>").replace("\x01", "</b>") + f"</{tag}>"

    head = "<tr>" + "".join(cell(text, "th") for text in rows[0]) + "</tr>"
    body = "".join("<tr>" + "".join(cell(text, "td") for text in row) + "</tr>" for row in rows[1:])
    return f"<table>{head}{body}</table>"


def _data_uri(path: Path) -> str:
    kinds = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg"}
    kind = kinds.get(path.suffix.lower(), "image/png")
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

"""A split's query streams, numbered: what ``ganbench data streams`` exports and what evaluation draws.

Stream ``n`` of a split is the ``n``-th item of that split (catalog order) that has a query stream; the
evaluation's streams (:func:`ganbench.eval.generation.evaluation_streams`) and an image folder scored by
``ganbench eval --images`` use the same numbers, so an outside model's images can be matched to queries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganbench.data.splits import SPLITS

STREAMS_FORMAT = "ganbench-streams/1"


def split_stream_items(catalog: Any, split: str) -> list[int]:
    """Catalog indices of ``split``'s items that have a query stream, in catalog order (stream order)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of: {', '.join(SPLITS)}")
    return [int(i) for i in catalog.indices(split) if catalog.items[i].get("query")]


def stream_records(catalog: Any, split: str) -> list[dict]:
    """One record per stream: ``stream`` (its number), ``item`` (the item's id) and ``steps``."""
    return [{"stream": number, "item": catalog.items[index].get("id"),
             "steps": [str(step) for step in catalog.items[index]["query"]]}
            for number, index in enumerate(split_stream_items(catalog, split))]


def write_streams(records: list[dict], out: str | Path, catalog: Any, split: str) -> Path:
    """``out`` as JSON lines: a header line (format, catalog hash, split), then one line per stream."""
    out = Path(out)
    header = {"format": STREAMS_FORMAT, "catalog_hash": catalog.hash, "split": split, "streams": len(records)}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps(record, ensure_ascii=False) for record in records]
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(out)
    return out

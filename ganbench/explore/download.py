"""The refinement strip as one PNG for the page's download: a row per model and noise seed, a column per
step headed by its words (the layout of ``ganbench generate``), each image at :data:`TILE` px."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ganbench.drawing.labelled_grid import Header, labelled_grid, step_labels
from ganbench.explore.refine import Refinement
from ganbench.explore.sources import ExploreError

TILE = 128  # px per image in the PNG (our choice: twice the 64 px models, small enough to mail)


def strip_png(result: Refinement, folder: Path | None = None) -> Path:
    """Write ``result`` as ``ganbench-strip.png`` in ``folder`` (default: a new temporary folder, which
    Gradio serves for download); refuses a result in which no model drew anything."""
    rows, labels = [], []
    seeds = result.seeds or [result.seed]
    for column in result.columns:
        for seed, images in zip(seeds, column.by_seed, strict=False):
            rows.append([step.image for step in images])
            labels.append(f"{column.label}, seed {seed}")
    if not rows:
        raise ExploreError("nothing to download: no model could draw this query")
    noise = "locked noise" if result.lock_noise else "fresh noise per step"
    image = labelled_grid(rows, TILE, row_labels=labels,
                          headers=[[Header(label) for label in step_labels(result.steps)]],
                          title=f"ganbench explore ({noise})")
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="ganbench-explore-"))
    path = folder / "ganbench-strip.png"
    image.save(path)
    return path

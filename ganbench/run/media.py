"""Report media drawn from a trained run, once, when its cell runs (so ``ganbench report`` never needs a
checkpoint): refinement strips of the report's query streams for a few noise seeds, and the text
encoder's word embeddings for colour-term studies.

Files in ``media/``: ``streams.json`` (the streams, seeds and image size), ``stream{i}_seed{s}.png`` (the
steps side by side, each H x H), ``embeddings.npz`` (terms, vectors, source: the vector each colour
term of the lookup table gets as the model reads it, see :mod:`ganbench.models.embeddings`) when the
model has word embeddings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.config import ReportConfig
from ganbench.data.files import write_json_atomic
from ganbench.models.embeddings import colour_term_vectors
from ganbench.report.strips import save_strip_png
from ganbench.train.precision import resolve_device
from ganbench.train.runs import load_run
from ganbench.train.samples import evaluation_mode, to_hwc


def render_media(run_dir: Path, media_dir: Path, settings: ReportConfig, device: str) -> Path:
    """Draw every report image of one trained run into ``media_dir`` (``settings``: its [report];
    ``device``: "auto", "cpu", "cuda" or "cuda:N")."""
    loaded = load_run(run_dir, device=resolve_device(device))
    media_dir.mkdir(parents=True, exist_ok=True)
    streams = [list(stream) for stream in settings.streams]
    seeds = list(range(settings.n_sample_seeds))
    with evaluation_mode(loaded.model):
        for seed in seeds:
            for index, strip in enumerate(loaded.model.generate(streams, seed)):
                save_strip_png(to_hwc(strip), media_dir / f"stream{index}_seed{seed}.png")
    write_json_atomic(media_dir / "streams.json", {"streams": streams, "seeds": seeds, "step": loaded.step},
                      indent=1)
    terms = colour_term_vectors(loaded.model)
    if terms is not None and terms.vectors:
        np.savez(media_dir / "embeddings.npz", terms=np.array(list(terms.vectors)),
                 vectors=np.stack(list(terms.vectors.values())).astype(np.float32),
                 source=np.array(terms.source))
    return media_dir





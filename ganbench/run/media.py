"""Report media drawn from a trained run, once, when its cell runs (so ``ganbench report`` never needs a
checkpoint): refinement strips of the report's query streams for a few noise seeds, and the text
encoder's word embeddings for colour-term studies.

Files in ``media/``: ``streams.json`` (the streams, seeds and image size), ``stream{i}_seed{s}.png`` (the
steps side by side, each H x H), ``embeddings.npz`` (terms, vectors, source: the vector each colour
term of the lookup table gets, see :func:`colour_term_vectors`) when the model has word embeddings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from colorspace.study import vectors_for_terms
from ganbench.data.batches import colour_token
from ganbench.report.strips import save_strip_png
from ganbench.run.experiment import ReportSettings
from ganbench.train.runs import load_run, uses_colour_model
from ganbench.train.samples import evaluation_mode, to_hwc


def render_media(run_dir: Path, media_dir: Path, settings: ReportSettings, device: str = "cpu") -> Path:
    """Draw every report image of one trained run into ``media_dir``."""
    loaded = load_run(run_dir, device=device)
    media_dir.mkdir(parents=True, exist_ok=True)
    streams = [list(stream) for stream in settings.streams]
    seeds = list(range(settings.n_sample_seeds))
    with evaluation_mode(loaded.model):
        for seed in seeds:
            for index, strip in enumerate(loaded.model.generate(streams, seed)):
                save_strip_png(to_hwc(strip), media_dir / f"stream{index}_seed{seed}.png")
    _write_json(media_dir / "streams.json", {"streams": streams, "seeds": seeds, "step": loaded.step})
    terms = colour_term_vectors(loaded.model)
    if terms is not None:
        names, vectors, source = terms
        np.savez(media_dir / "embeddings.npz", terms=np.array(names), vectors=vectors,
                 source=np.array(source))
    return media_dir


def colour_term_vectors(model: Any) -> tuple[list[str], np.ndarray, str] | None:
    """The vector the text encoder gives each colour term of the model's lookup table, as it is used:
    with the colour model, a term's vector is its cluster token's embedding (so a cluster's members
    share one vector); otherwise the term's word embedding (multi-word terms: mean of their words).
    ``None`` when the model has no word embeddings or no lookup table."""
    embeddings, lookup = model.token_embeddings(), model.context.lookup
    if embeddings is None or lookup is None:
        return None
    tokens, matrix = embeddings
    matrix = matrix.detach().float().cpu().numpy()
    row = {token: i for i, token in enumerate(tokens)}
    if uses_colour_model(model.options):
        pairs = [(term, row.get(colour_token(lookup.cluster_of(term)))) for term in lookup.terms
                 if lookup.cluster_of(term) is not None]
        chosen = {term: matrix[i] for term, i in pairs if i is not None}
        source = "cluster token"
    else:
        chosen, _ = vectors_for_terms({token: matrix[i] for token, i in row.items()}, lookup.terms)
        source = "word"
    if not chosen:
        return None
    return list(chosen), np.stack([np.asarray(v, dtype=np.float32) for v in chosen.values()]), source


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

"""Report media drawn from a trained run, once, when its cell runs (so ``ganbench report`` never needs a
checkpoint): refinement strips of the report's query streams for a few noise seeds, and the text
encoder's word embeddings for colour-term studies.

Files in ``media/``: ``streams.json`` (the streams and seeds), ``stream{i}_seed{s}.npy`` (uint8
(n_steps, H, W, 3)), ``embeddings.npz`` (tokens, matrix) when the model has them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.run.experiment import ReportSettings
from ganbench.train.runs import load_run
from ganbench.train.samples import evaluation_mode


def render_media(run_dir: Path, media_dir: Path, settings: ReportSettings, device: str = "cpu") -> Path:
    """Draw every report image of one trained run into ``media_dir``."""
    loaded = load_run(run_dir, device=device)
    media_dir.mkdir(parents=True, exist_ok=True)
    streams = [list(stream) for stream in settings.streams]
    seeds = list(range(settings.n_sample_seeds))
    with evaluation_mode(loaded.model):
        for seed in seeds:
            for index, strip in enumerate(loaded.model.generate(streams, seed)):
                np.save(media_dir / f"stream{index}_seed{seed}.npy", _hwc(strip))
    _write_json(media_dir / "streams.json", {"streams": streams, "seeds": seeds, "step": loaded.step})
    embeddings = loaded.model.token_embeddings()
    if embeddings is not None:
        tokens, matrix = embeddings
        np.savez(media_dir / "embeddings.npz", tokens=np.array(tokens),
                 matrix=matrix.detach().float().cpu().numpy())
    return media_dir


def _hwc(strip: torch.Tensor) -> np.ndarray:
    """(n, 3, H, W) uint8 tensor -> (n, H, W, 3) uint8 array."""
    return strip.to(torch.uint8).permute(0, 2, 3, 1).contiguous().cpu().numpy()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

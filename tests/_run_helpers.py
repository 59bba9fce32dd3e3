"""Helpers for the experiment and report tests: fixed metric files and fake pipeline steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganbench.run.runner import Pipeline


def entry(mean: float, std: float = 0.0, spread: str = "bootstrap", n: int = 10) -> dict[str, Any]:
    return {"mean": mean, "std": std, "n": n, "spread": spread}


def write_metrics(results: Path, model: str, variant: str, seed: int, values: dict[str, Any],
                  extra: dict[str, Any] | None = None) -> Path:
    """Write ``cells/MODEL__VARIANT__seedN/metrics.json``; numbers become entries with a 0.05 spread."""
    folder = results / "cells" / f"{model}__{variant}__seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    metrics = {k: entry(v, 0.05) if isinstance(v, int | float) else v for k, v in values.items()}
    metrics.update({"n_samples": 10, "seed": 0, **(extra or {})})
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return folder


def write_summary(results: Path, cell_names: list[str]) -> None:
    rows = [{"cell": name, "status": "done"} for name in cell_names]
    (results / "run_summary.json").write_text(json.dumps({"cells": rows}), encoding="utf-8")


class FakeSteps:
    """A pipeline whose steps record their calls; ``fail`` names models whose training raises,
    ``interrupt`` stops training of one cell ("MODEL/SEED") half-way (checkpoint written, no done
    marker). Each step gets the cell's validated settings, as the real steps do."""

    def __init__(self, fail: tuple[str, ...] = (), interrupt: str | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail
        self.interrupt = interrupt

    def pipeline(self) -> Pipeline:
        return Pipeline(prepare_catalog=self.prepare_catalog, train=self.train, evaluate=self.evaluate,
                        render=self.render)

    def prepare_catalog(self, recipe, folder: Path) -> Path:
        self.calls.append(("catalog", str(folder)))
        return folder

    def train(self, config, run_dir: Path, resume: bool) -> None:
        name = f"{config.model.name}/{config.train.seed}"
        self.calls.append(("resume" if resume else "train", name))
        if config.model.name in self.fail:
            raise RuntimeError(f"training {name} exploded")
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "checkpoint.pt").write_text("ckpt")
        if name == self.interrupt:
            self.interrupt = None
            raise KeyboardInterrupt
        (run_dir / "done.json").write_text("{}")

    def evaluate(self, run_dir: Path, catalog: Path, config) -> dict:
        self.calls.append(("evaluate", run_dir.parent.name))
        return {"is_type": entry(2.0), "fid": entry(5.0), "n_samples": config.eval.n_samples}

    def render(self, run_dir: Path, media_dir: Path, config) -> None:
        self.calls.append(("render", run_dir.parent.name))


def write_media(cell_folder: Path, streams: list[list[str]], seeds: list[int], size: int = 16,
                shade: int = 0) -> None:
    """Fake stored media for a cell: strips whose pixel value encodes (stream, step, seed, shade)."""
    import numpy as np
    from PIL import Image

    media = cell_folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        for index, stream in enumerate(streams):
            strip = np.zeros((len(stream), size, size, 3), dtype=np.uint8)
            for step in range(len(stream)):
                strip[step] = 40 * step + 10 * index + 5 * seed + shade
            Image.fromarray(np.concatenate(list(strip), axis=1)).save(media / f"stream{index}_seed{seed}.png")
    (media / "streams.json").write_text(json.dumps({"streams": streams, "seeds": seeds, "step": 4}))


def write_log(cell_folder: Path, steps: int = 5) -> None:
    run = cell_folder / "run"
    run.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"step": s, "phase": "stage1", "d_loss": 1.0 / (s + 1), "g_loss": 2.0 + s})
             for s in range(steps)]
    (run / "log.jsonl").write_text("\n".join(lines) + "\n")


def write_embeddings(cell_folder: Path, vectors: dict[str, list[float]]) -> None:
    import numpy as np

    media = cell_folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    np.savez(media / "embeddings.npz", terms=np.array(list(vectors)),
             vectors=np.array(list(vectors.values()), dtype=np.float32), source=np.array("word"))


def write_calibration(results: Path, baseline: str, row: str, values: dict[str, Any]) -> Path:
    """Write ``calibration/BASELINE.json`` as ``ganbench eval --baseline`` does (numbers become entries)."""
    folder = results / "calibration"
    folder.mkdir(parents=True, exist_ok=True)
    metrics = {k: entry(v, 0.05) if isinstance(v, int | float) or v is None else v for k, v in values.items()}
    metrics.update({"n_samples": 10, "seed": 0, "baseline": {"name": baseline, "row": row}})
    path = folder / f"{baseline}.json"
    path.write_text(json.dumps(metrics), encoding="utf-8")
    return path

"""Shared fixtures of the explorer tests: a tiny catalog with colorspace's default lookup table, a tiny
restgan and stackgan-bow trained on it for a few steps, and a tiny evaluation network stored with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _models_helpers import TINY_WIDTHS
from _train_helpers import make_tiny_catalog

STREAM = ["women's black pants", "petite"]
EVAL_NET_OPTIONS = {"image_size": 16, "width": 4, "epochs": 1, "batch_size": 8}


def tiny_run_config(catalog: Path, model: str) -> dict[str, Any]:
    """A real zoo model at 16 -> 32 px with the tiny widths, trained 2 + 1 steps."""
    return {
        "data": {"catalog": str(catalog), "stage1_size": 16, "stage2_size": 32, "colour_lookup": "default"},
        "model": {"name": model, "options": dict(TINY_WIDTHS)},
        "train": {"batch_size": 4, "stage1_steps": 2, "stage2_steps": 1, "log_every": 1, "sample_every": 100,
                  "checkpoint_every": 100, "precision": "fp32", "channels_last": False, "device": "cpu",
                  "sample_queries": [STREAM]},
    }


def make_explore_runs(root: Path) -> dict[str, Path]:
    """Catalog, eval net and two trained runs under ``root``: {"catalog", "eval_net" (its classifier.pt),
    "restgan", "stackgan-bow"}."""
    import colorspace
    from ganbench.config import build_run_config
    from ganbench.data.catalog import Catalog
    from ganbench.eval.evalnet import EvalNetOptions
    from ganbench.eval.evalnet_train import ensure_eval_net
    from ganbench.train.runs import train_run

    catalog = make_tiny_catalog(root / "catalog", n=16)
    options = EvalNetOptions(**EVAL_NET_OPTIONS)
    net = ensure_eval_net(Catalog.open(catalog), colorspace.default_lookup(), options, log=lambda _: None)
    paths = {"catalog": catalog, "eval_net": net.path}
    for model in ("restgan", "stackgan-bow"):
        config = build_run_config(tiny_run_config(catalog, model), "test")
        paths[model] = train_run(config, root / model)
    return paths



def make_results(root: Path, paths: dict[str, Path]) -> Path:
    """A ``ganbench run`` results folder holding the two runs as finished cells (metrics minimal)."""
    import json
    import shutil

    results = root / "results"
    key = paths["eval_net"].parent.name
    for index, model in enumerate(("restgan", "stackgan-bow")):
        cell = results / "cells" / f"{model}__default__seed0"
        shutil.copytree(paths[model], cell / "run")
        config = cell / "run" / "config.toml"  # the catalog stays where it was: name it absolutely
        stored = config.read_text().split('catalog = "')[1].split('"')[0]
        absolute = str((paths[model] / stored).resolve())
        config.write_text(config.read_text().replace(f'catalog = "{stored}"', f'catalog = "{absolute}"'))
        (cell / "cell.json").write_text(json.dumps({"model": model, "variant": "default", "seed": 0,
                                                    "overrides": {}}))
        metrics = {"is_colour": {"mean": 1.5 + index, "std": 0.1, "n": 8, "spread": "isc_splits"},
                   "fid": {"mean": 30.0 - index, "std": 1.0, "n": 8, "spread": "bootstrap"},
                   "attribute_accuracy": {"type": {"mean": 0.5, "std": 0.1, "n": 8, "spread": "bootstrap"}},
                   "eval_net": {"key": key}, "fid_features": "ganbench-attributes", "n_samples": 8}
        (cell / "metrics.json").write_text(json.dumps(metrics))
    return results

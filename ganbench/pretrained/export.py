"""Export finished experiment cells as pretrained models (see :mod:`ganbench.pretrained.package`).

``ganbench pretrained export RESULTS`` takes every finished cell of variant ``default`` (first seed) of a
``ganbench run`` results folder and writes ``MODEL-SUFFIX.pt`` / ``.json`` plus the catalog's evaluation
network as ``SUFFIX-eval-net.pt``. Only the EMA generator is kept (no discriminators, optimiser state or
catalog images), so a model is a few MB. ``make pretrained`` runs ``experiments/pretrained.toml`` and this.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from ganbench.data.files import torch_save_atomic
from ganbench.pretrained.package import FORMAT, PACKAGE_DIR, PretrainedError, file_sha256

DEFAULT_SUFFIX = "synth"
METRIC_NAMES = ("is_type", "is_colour", "is_gender", "fid", "colour_de00_mean", "precision_at_k",
                "retention_rate")
ACCURACY_HEADS = ("type", "gender", "colour")


def finished_cells(results: Path) -> list[tuple[dict, Path]]:
    """(cell.json, cell folder) of every finished cell of variant ``default``, first seed per model."""
    chosen: dict[str, tuple[dict, Path]] = {}
    for cell_file in sorted(Path(results).glob("cells/*/cell.json")):
        cell, folder = json.loads(cell_file.read_text(encoding="utf-8")), cell_file.parent
        if cell.get("variant") != "default" or not (folder / "metrics.json").is_file():
            continue
        known = chosen.get(cell["model"])
        if known is None or cell["seed"] < known[0]["seed"]:
            chosen[cell["model"]] = (cell, folder)
    return list(chosen.values())


def _metrics_row(metrics: dict) -> dict[str, Any]:
    row = {name: _entry(metrics.get(name)) for name in METRIC_NAMES if name in metrics}
    accuracy = metrics.get("attribute_accuracy", {})
    row |= {f"accuracy_{head}": _entry(accuracy[head]) for head in ACCURACY_HEADS if head in accuracy}
    return row | {"fid_features": metrics.get("fid_features"), "n_samples": metrics.get("n_samples")}


def _entry(entry: Any) -> dict | None:
    return None if not isinstance(entry, dict) else {"mean": entry.get("mean"), "std": entry.get("std")}


def _trained_on(catalog: Any, config: Any) -> str:
    manifest, counts = catalog.manifest, catalog.manifest.get("counts", {})
    source = manifest.get("source", "?")
    seed = f", seed {manifest['seed']}" if manifest.get("seed") is not None else ""
    return (f"{source} catalog of {len(catalog)} items{seed} ({counts.get('train', '?')} train); "
            f"{config.train.stage1_steps} Stage-I + {config.train.stage2_steps} Stage-II steps at batch "
            f"{config.train.batch_size}, {config.data.stage1_size} -> {config.data.stage2_size} px, "
            f"lr {config.train.lr:g}, {config.train.precision}")


def export_cell(cell: dict, folder: Path, out_dir: Path, suffix: str, experiment: str) -> Path:
    """Write ``MODEL-SUFFIX.pt``, its JSON and (once per catalog) ``SUFFIX-eval-net.pt``; returns the JSON."""
    from ganbench.config.validate import config_as_dict
    from ganbench.data.catalog import Catalog
    from ganbench.train.runs import TRAINING_SECTIONS, load_run

    run = load_run(folder / "run")
    catalog = Catalog.open(run.config.data.catalog)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    name = f"{cell['model']}-{suffix}"
    config = config_as_dict(run.config, TRAINING_SECTIONS)  # what building the model reads
    config["data"]["catalog"] = ""  # the builder's path means nothing elsewhere
    config["data"]["colour_lookup"] = "default" if run.model.context.lookup is not None else "none"
    lookup = run.model.context.lookup
    payload = {"format": FORMAT, "name": name, "model": cell["model"], "config": config,
               "vocabulary": catalog.vocabulary.to_json(),
               "lookup": lookup.to_json() if lookup is not None else None,
               "class_names": {k: list(v) for k, v in run.model.context.class_names.items()},
               "generator": {k: v.detach().cpu().contiguous()
                             for k, v in run.model.generator.state_dict().items()},
               "step": run.step}
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = out_dir / f"{name}.pt"
    torch_save_atomic(payload, weights)
    eval_net = _export_eval_net(catalog, metrics, out_dir, suffix)
    test = [list(catalog.items[i]["query"]) for i in catalog.indices("test") if catalog.items[i].get("query")]
    description = {
        "format": FORMAT, "name": name, "model": cell["model"], "weights": weights.name,
        "weights_sha256": file_sha256(weights), "weights_bytes": weights.stat().st_size,
        "eval_net": eval_net.name if eval_net else None,
        "eval_net_sha256": file_sha256(eval_net) if eval_net else None,
        "step": run.step, "trained_on": _trained_on(catalog, run.config), "experiment": experiment,
        "catalog": {"source": catalog.source, "n": len(catalog), "seed": catalog.manifest.get("seed"),
                    "hash": catalog.hash},
        "metrics": _metrics_row(metrics), "query_streams": test,
        "exported": {"ganbench": _version(), "torch": torch.__version__,
                     "at": datetime.now(UTC).isoformat(timespec="seconds")},
    }
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(description, indent=1) + "\n", encoding="utf-8")
    return path


def _export_eval_net(catalog: Any, metrics: dict, out_dir: Path, suffix: str) -> Path | None:
    from ganbench.eval.evalnet import CLASSIFIER_FILE, eval_net_dir

    key = (metrics.get("eval_net") or {}).get("key")
    source = eval_net_dir(catalog.root, key) / CLASSIFIER_FILE if key else None
    if source is None or not source.is_file():
        return None
    target = out_dir / f"{suffix}-eval-net.pt"
    if not target.is_file() or file_sha256(target) != file_sha256(source):
        shutil.copyfile(source, target)
    return target


def _version() -> str:
    from ganbench.version import __version__

    return __version__


def export_results(results: str | Path, out_dir: str | Path = PACKAGE_DIR, suffix: str = DEFAULT_SUFFIX,
                   experiment: str = "experiments/pretrained.toml") -> list[Path]:
    """Export every finished default-variant cell of ``results``; returns the JSON files written."""
    results = Path(results)
    cells = finished_cells(results)
    if not cells:
        raise PretrainedError(f"{results} holds no finished cell (cells/*/metrics.json of variant "
                              "'default'); run `ganbench run EXPERIMENT --out RESULTS` first")
    return [export_cell(cell, folder, Path(out_dir), suffix, experiment) for cell, folder in cells]

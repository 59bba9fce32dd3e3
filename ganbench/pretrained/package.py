"""Pretrained models shipped inside the package: their file format, listing and loading.

A pretrained model NAME is two files in this folder (or any folder given as ``directory``):

- ``NAME.json``: what it is, human-readable: ``format``, ``name``, ``model``, ``weights`` (file name),
  ``weights_sha256``, ``weights_bytes``, ``eval_net`` (file name of the evaluation network exported with
  it, or null) and ``eval_net_sha256``, ``step``, ``trained_on`` (one line), ``experiment``, ``catalog``
  {source, n, seed, hash}, ``metrics`` (its row of the experiment's metrics), ``query_streams`` (the
  catalog's test query streams, for the explorer), ``exported`` {ganbench, torch, at}.
- ``NAME.pt`` (``torch.load(weights_only=True)``): ``format``, ``name``, ``model``, ``config`` (the run's
  resolved [data], [model] and [train] settings as a dict, catalog path blanked), ``vocabulary`` (the
  catalog's, as JSON), ``lookup`` (the colour lookup table, as JSON, or None), ``class_names``,
  ``generator`` (the EMA generator's state dict: weights and batch-norm statistics) and ``step``.

Loading checks the format version, the file's checksum against the JSON and that the weights fit the model
this ganbench builds from the stored options; any mismatch is one :class:`PretrainedError` line that names
the command regenerating the files (``make pretrained``), e.g. after the model's architecture changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.config import build_run_config

FORMAT = "ganbench-pretrained/1"
PACKAGE_DIR = Path(__file__).resolve().parent
REGENERATE = "make pretrained"


class PretrainedError(ValueError):
    """A pretrained model that is not there or cannot be used by this ganbench; the message says why."""


@dataclass(frozen=True)
class PretrainedInfo:
    """The JSON description of one pretrained model."""

    name: str
    path: Path  # the NAME.json file
    data: dict

    @property
    def weights_path(self) -> Path:
        return self.path.with_name(self.data["weights"])

    @property
    def eval_net_path(self) -> Path | None:
        name = self.data.get("eval_net")
        return self.path.with_name(name) if name else None

    @property
    def model(self) -> str:
        return str(self.data.get("model", "?"))

    @property
    def query_streams(self) -> list[list[str]]:
        return [list(stream) for stream in self.data.get("query_streams", [])]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def available_pretrained(directory: str | Path = PACKAGE_DIR) -> dict[str, PretrainedInfo]:
    """Every pretrained model described in ``directory`` (name -> info), sorted by name."""
    found = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("format") == FORMAT and data.get("name") == path.stem:
            found[path.stem] = PretrainedInfo(path.stem, path, data)
    return found


def pretrained_info(name: str, directory: str | Path = PACKAGE_DIR) -> PretrainedInfo:
    """The description of pretrained model ``name``; an unknown name lists the available ones."""
    models = available_pretrained(directory)
    if name not in models:
        offered = ", ".join(models) or f"none (regenerate them with `{REGENERATE}`)"
        raise PretrainedError(f"no pretrained model named {name!r}; available: {offered}")
    return models[name]


def _checked_payload(info: PretrainedInfo) -> dict[str, Any]:
    path = info.weights_path
    if not path.is_file():
        raise PretrainedError(f"pretrained model {info.name!r}: weights file {path} is missing; "
                              f"regenerate it with `{REGENERATE}`")
    if file_sha256(path) != info.data.get("weights_sha256"):
        raise PretrainedError(f"pretrained model {info.name!r}: {path.name} does not match the checksum in "
                              f"{info.path.name} (a partial or stale export); regenerate with `{REGENERATE}`")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same one-line answer
        raise PretrainedError(f"pretrained model {info.name!r}: {path} cannot be read ({error})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise PretrainedError(f"pretrained model {info.name!r}: {path.name} has format {found!r}, this "
                              f"ganbench reads {FORMAT!r}; regenerate with `{REGENERATE}`")
    return payload


def load_pretrained(name: str, device: str | torch.device = "cpu", directory: str | Path = PACKAGE_DIR):
    """The pretrained model ``name`` as a :class:`ganbench.train.runs.LoadedRun` (EMA generator loaded,
    eval mode); ``run_dir`` is the package folder and ``catalog_path`` is empty."""
    from ganbench.train.runs import LoadedRun

    info = pretrained_info(name, directory)
    payload = _checked_payload(info)
    try:
        config, model = _build(payload, torch.device(device))
        model.generator.load_state_dict(payload["generator"])
    except (ValueError, KeyError, RuntimeError, TypeError) as error:
        detail = " ".join(str(error).split())[:300] or type(error).__name__
        raise PretrainedError(f"pretrained model {info.name!r} does not fit this ganbench's "
                              f"{payload.get('model')!r} model ({detail}); regenerate it with "
                              f"`{REGENERATE}`") from None
    model.eval()
    return LoadedRun(model=model, config=config, catalog_path=Path(""), step=int(payload["step"]),
                     finished=True, run_dir=info.path.parent)


def _build(payload: dict, device: torch.device):
    """The configured model with the context the weights were trained in (vocabulary, lookup, classes)."""
    from colorspace import LookupTable
    from ganbench.data.batches import model_vocabulary
    from ganbench.data.text import Vocabulary
    from ganbench.models.base import ModelContext
    from ganbench.models.registry import get_model

    config = build_run_config(payload["config"], f"pretrained {payload.get('name')}")
    lookup = LookupTable.from_json(payload["lookup"]) if payload.get("lookup") else None
    names = {attribute: list(labels) for attribute, labels in payload["class_names"].items()}
    context = ModelContext(
        vocabulary=model_vocabulary(Vocabulary.from_json(payload["vocabulary"]), lookup), lookup=lookup,
        n_classes={attribute: len(labels) for attribute, labels in names.items()}, class_names=names,
        image_sizes=(config.data.stage1_size, config.data.stage2_size), device=device)
    return config, get_model(config.model.name)(config.model.options, context).to(device)


def load_pretrained_eval_net(info: PretrainedInfo, device: str | torch.device = "cpu"):
    """The evaluation network exported with a pretrained model, or None when it has none."""
    from ganbench.eval.evalnet import load_eval_net

    path = info.eval_net_path
    if path is None:
        return None
    if not path.is_file() or file_sha256(path) != info.data.get("eval_net_sha256"):
        raise PretrainedError(f"pretrained model {info.name!r}: evaluation network {path.name} is missing or "
                              f"does not match its checksum; regenerate with `{REGENERATE}`")
    return load_eval_net(path, device)

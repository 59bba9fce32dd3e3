"""The models the explorer shows: training runs (a ``ganbench train --out`` folder or a cell of ``ganbench
run``) or pretrained models shipped in the package, each with what the explorer reads beside its images:
the evaluation network of its catalog (when one was trained) and the catalog's test query streams.

Every failure to open one is an :class:`ExploreError`: one line naming the folder or name and what was
expected, so ``ganbench explore`` can refuse before starting the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.train.runs import CONFIG, LoadedRun


class ExploreError(ValueError):
    """A model the explorer cannot open, or a request it cannot answer; the message is one line."""


@dataclass
class ExploreModel:
    """One column of the explorer."""

    label: str
    run: LoadedRun
    eval_net: Any | None  # ganbench.eval.evalnet.EvalNet
    query_streams: list[list[str]]
    origin: str

    @property
    def model(self) -> Any:
        return self.run.model

    @property
    def name(self) -> str:
        return self.run.config.model.name

    @property
    def colour_model(self) -> bool:
        """Whether the model reads colour words as their cluster's token (its text policy)."""
        return bool(self.run.model.text_policy().colour_tokens)

    @property
    def vocabulary(self) -> Any:
        return self.run.model.context.vocabulary

    @property
    def lookup(self) -> Any:
        return self.run.model.context.lookup

    @property
    def image_size(self) -> int:
        return int(self.run.model.context.image_sizes[-1])


def run_folder(path: str | Path) -> Path:
    """The run folder at ``path``: the folder itself, or ``path/run`` for a cell of ``ganbench run``."""
    path = Path(path)
    if not path.is_dir():
        raise ExploreError(f"{path}: no such folder; expected a run folder (ganbench train --out) or a cell "
                           "folder of ganbench run")
    for candidate in (path, path / "run"):
        if (candidate / CONFIG).is_file():
            return candidate
    raise ExploreError(f"{path} is not a run folder: it has no {CONFIG} (expected the --out folder of "
                       "ganbench train, or a cell of ganbench run)")


def open_run(path: str | Path, device: str | torch.device = "cpu") -> ExploreModel:
    """A training run with its catalog's evaluation network (if trained) and test query streams."""
    from ganbench.data.catalog import Catalog
    from ganbench.train.runs import load_run

    folder = run_folder(path)
    try:
        run = load_run(folder, device=device)
        catalog = Catalog.open(run.catalog_path)
    except (ValueError, OSError) as error:
        raise ExploreError(f"cannot open run {path}: {_one_line(error)}") from None
    label = folder.parent.name if folder.name == "run" and folder != Path(path) else folder.name
    eval_net = find_eval_net(catalog, run.model.context.lookup, device)
    return ExploreModel(label=label, run=run, eval_net=eval_net, query_streams=catalog_streams(catalog),
                        origin=f"run {path}")


def open_pretrained(name: str, device: str | torch.device = "cpu") -> ExploreModel:
    """A pretrained model shipped in the package, with the evaluation network exported with it."""
    from ganbench.pretrained import load_pretrained, load_pretrained_eval_net, pretrained_info

    try:
        info = pretrained_info(name)
        run = load_pretrained(name, device)
        eval_net = load_pretrained_eval_net(info, device)
    except (ValueError, OSError) as error:
        raise ExploreError(_one_line(error)) from None
    return ExploreModel(label=name, run=run, eval_net=eval_net, query_streams=info.query_streams,
                        origin=f"pretrained {name}")


def open_models(runs: list[str], pretrained: list[str], device: str | torch.device = "cpu"
                ) -> list[ExploreModel]:
    """The runs, then the named pretrained models; with neither, every shipped pretrained model."""
    from ganbench.pretrained import available_pretrained

    if not runs and not pretrained:
        pretrained = list(available_pretrained())
        if not pretrained:
            raise ExploreError("no RUN given and no pretrained model is installed (ganbench/pretrained/); "
                               "pass a run folder or regenerate them with `make pretrained`")
    models = [open_run(path, device) for path in runs] + [open_pretrained(n, device) for n in pretrained]
    return with_unique_labels(models)


def with_unique_labels(models: list[ExploreModel]) -> list[ExploreModel]:
    """Column labels made distinct ("restgan", "restgan (2)") so every column can be told apart."""
    seen: dict[str, int] = {}
    for model in models:
        seen[model.label] = seen.get(model.label, 0) + 1
        if seen[model.label] > 1:
            model.label = f"{model.label} ({seen[model.label]})"
    return models


def find_eval_net(catalog: Any, lookup: Any, device: str | torch.device = "cpu") -> Any | None:
    """The newest evaluation network stored with ``catalog`` for this lookup table, or None."""
    from ganbench.eval.evalnet import CLASSIFIER_FILE, EVAL_NET_DIRNAME, load_eval_net

    if lookup is None:
        return None
    files = sorted((catalog.root / EVAL_NET_DIRNAME).glob(f"*/{CLASSIFIER_FILE}"),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files:
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - an unreadable stored network is skipped, another may fit
            continue
        if payload.get("catalog_hash") == catalog.hash and payload.get("lookup_hash") == lookup.hash:
            return load_eval_net(path, device)
    return None


def catalog_streams(catalog: Any, split: str = "test") -> list[list[str]]:
    """The distinct query streams of one split, in catalog order."""
    streams: dict[tuple[str, ...], None] = {}
    for index in catalog.indices(split):
        query = catalog.items[int(index)].get("query") or []
        if query:
            streams[tuple(query)] = None
    return [list(stream) for stream in streams]


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

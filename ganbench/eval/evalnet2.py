"""The second, independent evaluation network: another architecture, trained on photos no generator sees.

Why: every image metric judged by one classifier rewards whatever that classifier happens to accept
(a generator trained on the train split can learn its blind spots, and the first net learned the same
photos). The second net differs in what it is and in what it learned from:

- architecture: a full-resolution 3x3 conv stem and 2x2 max-pooling, then three residual blocks (two
  3x3 convs each, GroupNorm, ReLU; a 1x1 projection where the width changes) each followed by 2x2
  max-pooling, widths ``width`` -> 8 x ``width`` (64 -> 4 px); global average pooling gives the pooled
  feature (8 x ``width`` values, for FID/KID) and a linear layer per head the logits (dropout 0.2 before
  the heads, in training only). The first net is plain stride-2 convolutions with BatchNorm.
- data: the catalog's *val* split (generators train on "train"): a seeded ``holdout`` fraction of it
  decides when to stop and which epoch to keep, the rest trains, with flips and random shifts (val is
  small: 300 photos on the 3,000-item catalog). Its per-head accuracy is reported on the test split.

Measured (issue 19, default [eval.net2], 2 AMD EPYC Zen 4 cores shared with a training run): on a
600-item ``ganbench data synth`` catalog (48 training + 12 held-out val photos) it reached test accuracy
type 0.583, gender 0.383, colour 0.483, fit 0.183, length 0.617 (46 epochs, best 31; 444 s): far below
the first net (0.95 / 0.92 / 0.95 / 0.57 / 0.93 from 480 photos), so on so small a catalog its
``second_*`` numbers are a weak judge. The 3,000-item catalog gives it 240 + 60 photos (not measured).

Same heads and classes as the first net (its label space is passed in). Stored in
``CATALOG/eval_net/net2-KEY/`` (KEY hashes the catalog, the lookup table, the classes and
:class:`~ganbench.config.SecondNetOptions`) and reused until any of them changes.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganbench.config import SecondNetOptions
from ganbench.data.build_lock import build_lock
from ganbench.data.files import torch_save_atomic, write_json_atomic
from ganbench.eval.attributes import LabelSpace
from ganbench.eval.convergence import Log, Schedule, fit_until_stable
from ganbench.eval.evalnet import (
    CLASSIFIER_FILE,
    EVAL_NET_DIRNAME,
    REPORT_FILE,
    AttributeClassifier,
    EvalNet,
    file_hash,
    load_net_file,
)
from ganbench.eval.evalnet_train import catalog_images_chw, split_report

FORMAT = "ganbench-eval-net2/1"


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(8, channels), channels)


class ResidualBlock(nn.Module):
    """Two 3x3 convs with GroupNorm and a skip connection (1x1 projection where the width changes)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), _norm(c_out), nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), _norm(c_out),
        )
        self.skip = nn.Identity() if c_in == c_out else nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.skip(x))


class ResidualClassifier(nn.Module):
    """Residual GroupNorm CNN with max-pooling: uint8 (B, 3, H, W) -> pooled (B, D) and logits per head."""

    prepare = AttributeClassifier.prepare  # the same input scaling as the first net

    def __init__(self, classes: dict[str, list[str]], image_size: int = 64, width: int = 16) -> None:
        super().__init__()
        self.classes = {head: list(names) for head, names in classes.items()}
        self.image_size = image_size
        widths = [width, 2 * width, 4 * width, 8 * width]
        stem = [nn.Conv2d(3, width, 3, padding=1, bias=False), _norm(width), nn.ReLU(inplace=True),
                nn.MaxPool2d(2)]
        stages = [nn.Sequential(ResidualBlock(a, b), nn.MaxPool2d(2))
                  for a, b in zip(widths[:-1], widths[1:], strict=True)]
        self.body = nn.Sequential(*stem, *stages)
        self.feature_dim = widths[-1]
        self.dropout = nn.Dropout(0.2)
        self.heads = nn.ModuleList([nn.Linear(self.feature_dim, len(n)) for n in self.classes.values()])

    def forward_prepared(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        pooled = self.body(x).mean(dim=(2, 3))
        dropped = self.dropout(pooled)
        return pooled, {head: layer(dropped) for head, layer in zip(self.classes, self.heads, strict=True)}

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        return self.forward_prepared(self.prepare(images))


def second_net_key(catalog_hash: str, lookup_hash: str, classes: dict, options: SecondNetOptions) -> str:
    """Hash naming a trained second net: changes with the catalog, lookup table, classes or options."""
    blob = json.dumps({"format": FORMAT, "catalog": catalog_hash, "lookup": lookup_hash,
                       "classes": classes, "options": options.model_dump()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def split_val(val: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, held out) catalog indices: a seeded ``holdout`` fraction of ``val`` held out (at least one
    when val has two or more items, never all of it)."""
    order = np.random.default_rng(seed).permutation(np.sort(val))
    n_held = max(0, min(max(int(round(holdout * len(val))), int(holdout > 0)), len(val) - 1))
    return np.sort(order[n_held:]), np.sort(order[:n_held])


def train_split_name(options: SecondNetOptions) -> str:
    """What the second net trained on, for metrics.json: "val (80%; 20% held out for stopping)"."""
    held = round(100 * options.holdout)
    return f"val ({100 - held}%; {held}% held out for stopping)"


def load_second_net(path: Path, device: str | torch.device = "cpu") -> EvalNet:
    """Load a second net saved by :func:`ensure_second_net` (``path``: its ``classifier.pt``)."""
    return load_net_file(path, ResidualClassifier, SecondNetOptions, FORMAT, "second evaluation network",
                         device)


def ensure_second_net(catalog: Any, lookup: Any, classes: dict[str, list[str]], options: SecondNetOptions,
                      device: str | torch.device = "cpu", log: Log = print) -> EvalNet:
    """The catalog's second evaluation network for ``classes`` (the first net's): loaded or trained."""
    key = second_net_key(catalog.hash, lookup.hash, classes, options)
    directory = Path(catalog.root) / EVAL_NET_DIRNAME / f"net2-{key}"
    with build_lock(directory, log):
        if (directory / CLASSIFIER_FILE).is_file():
            log(f"eval-net2: reusing {directory}")
            return load_second_net(directory / CLASSIFIER_FILE, device)
        return _train_and_store(catalog, lookup, classes, options, device, key, directory, log)


def _train_and_store(catalog: Any, lookup: Any, classes: dict[str, list[str]], options: SecondNetOptions,
                     device: str | torch.device, key: str, directory: Path, log: Log) -> EvalNet:
    val = np.asarray(catalog.indices("val"), dtype=np.int64)
    if len(val) == 0:
        raise ValueError(f"catalog {catalog.root} has no val items, which the second evaluation network "
                         "trains on; set eval.second_net = false to evaluate without it")
    fit_idx, held_idx = split_val(val, options.holdout, options.seed)
    space = LabelSpace(classes={h: tuple(n) for h, n in classes.items()}, lookup=lookup)
    labels = torch.from_numpy(space.label_matrix(catalog.items))
    images, size = catalog_images_chw(catalog, options.image_size)
    log(f"eval-net2: training on {len(fit_idx)} val images ({len(held_idx)} held out for stopping), "
        f"{size} px -> {options.image_size} px")
    start = time.perf_counter()
    torch.manual_seed(options.seed)
    model = ResidualClassifier(classes, image_size=options.image_size, width=options.width).to(device)
    schedule = Schedule(options.epochs, options.patience, options.batch_size, options.learning_rate,
                        options.seed, options.max_shift, options.min_epochs)
    fit = fit_until_stable(model, (images[fit_idx], labels[fit_idx]), (images[held_idx], labels[held_idx]),
                           schedule, log=lambda line: log(line.replace("eval-net", "eval-net2", 1)))
    test = np.asarray(catalog.indices("test"), dtype=np.int64)
    report = split_report(model, images[test], labels[test].numpy())
    report.update(train_seconds=round(time.perf_counter() - start, 2), training=fit.to_json(),
                  train_items=fit_idx.tolist(), holdout_items=held_idx.tolist(), key=key,
                  catalog_hash=catalog.hash, lookup_hash=lookup.hash)
    payload = {"format": FORMAT, "key": key, "options": options.model_dump(), "classes": model.classes,
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    directory.mkdir(parents=True, exist_ok=True)
    target = torch_save_atomic(payload, directory / CLASSIFIER_FILE)
    write_json_atomic(directory / REPORT_FILE, report)
    accuracies = ", ".join(f"{h} {e['accuracy']:.3f}" for h, e in report["heads"].items()
                           if e["accuracy"] is not None)
    log(f"eval-net2: test accuracy {accuracies} ({fit.epochs_run} epochs, {directory})")
    return EvalNet(model=model, options=options, key=key, path=target,
                   weights_hash=file_hash(target), report=report)

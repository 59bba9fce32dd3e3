"""The evaluation network: a small CNN with one classification head per attribute and a pooled feature.

It plays the role Inception-v3 plays for ImageNet: its per-head logits give the attribute Inception
Scores, its pooled feature gives FID / KID, retrieval and step distances. It is trained on the catalog's
real standardised train images (see :mod:`ganbench.eval.evalnet_train`) and stored with the catalog in
``CATALOG/eval_net/KEY/`` where ``KEY`` hashes the catalog hash, the lookup-table hash and the training
options, so it is reused until any of them changes.

Architecture (our choice; the paper does not describe its classifiers): images are resized to
``image_size`` (64 px), scaled to [-1, 1], then five stride-2 3x3 conv blocks (BatchNorm, ReLU; 64 ->
2 px) widen ``width`` -> 8 x ``width`` channels; global average pooling gives the pooled feature
(8 x ``width`` values) and a linear layer per head gives logits (pre-softmax, as IS needs). A stride-2
stem rather than a full-resolution one: on the 2,000-item synthetic catalog it trained in a third of
the CPU time and scored higher on every head but colour (fit 0.81 vs 0.59; benchmarks/eval_speed.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.config import EvalNetOptions, SecondNetOptions
from ganbench.data.files import torch_save_atomic, write_json_atomic

FORMAT = "ganbench-eval-net/2"  # /2: stride-2 stem (a /1 file holds another architecture)
EVAL_NET_DIRNAME = "eval_net"
CLASSIFIER_FILE = "classifier.pt"
REPORT_FILE = "report.json"


def _block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class AttributeClassifier(nn.Module):
    """Small CNN: uint8 (B, 3, H, W) images -> pooled feature (B, D) and logits per head."""

    def __init__(self, classes: dict[str, list[str]], image_size: int = 64, width: int = 16) -> None:
        super().__init__()
        self.classes = {head: list(names) for head, names in classes.items()}
        self.image_size = image_size
        widths = [width, 2 * width, 4 * width, 8 * width, 8 * width]
        layers = [_block(3, widths[0], 2)]
        layers += [_block(a, b, 2) for a, b in zip(widths[:-1], widths[1:], strict=True)]
        self.body = nn.Sequential(*layers)
        self.feature_dim = widths[-1]
        self.heads = nn.ModuleList([nn.Linear(self.feature_dim, len(n)) for n in self.classes.values()])

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (B, 3, H, W) -> float in [-1, 1] at ``image_size`` on the model's device."""
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
            raise ValueError(f"expected uint8 images (B, 3, H, W), got {images.dtype} {tuple(images.shape)}")
        device = next(self.parameters()).device
        x = images.to(device).float()
        if x.shape[-2:] != (self.image_size, self.image_size):
            x = F.interpolate(
                x,
                size=(self.image_size, self.image_size),
                mode="bilinear",
                antialias=True,
                align_corners=False,
            )
        return x / 127.5 - 1.0

    def forward_prepared(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        pooled = self.body(x).mean(dim=(2, 3))
        return pooled, {head: layer(pooled) for head, layer in zip(self.classes, self.heads, strict=True)}

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        return self.forward_prepared(self.prepare(images))


@dataclass
class EvalNet:
    """A trained classifier with what identifies it."""

    model: nn.Module  # AttributeClassifier, or the second net's ResidualClassifier (evalnet2)
    options: EvalNetOptions | SecondNetOptions
    key: str
    path: Path | None
    weights_hash: str
    report: dict = field(default_factory=dict)

    @property
    def classes(self) -> dict[str, list[str]]:
        return self.model.classes


def eval_net_key(catalog_hash: str, lookup_hash: str, options: EvalNetOptions) -> str:
    """Hash naming a trained classifier: changes when the catalog, lookup table or options change."""
    blob = json.dumps(
        {"format": FORMAT, "catalog": catalog_hash, "lookup": lookup_hash, "options": options.model_dump()},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def eval_net_dir(catalog_root: Path, key: str) -> Path:
    return Path(catalog_root) / EVAL_NET_DIRNAME / key


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def save_eval_net(
    model: AttributeClassifier,
    options: EvalNetOptions,
    key: str,
    directory: Path,
    report: dict,
    provenance: dict[str, Any],
) -> EvalNet:
    """Write ``classifier.pt`` and ``report.json`` atomically into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "key": key,
        "options": options.model_dump(),
        "classes": model.classes,
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        **provenance,
    }
    target = torch_save_atomic(payload, directory / CLASSIFIER_FILE)
    write_json_atomic(directory / REPORT_FILE, report)
    return EvalNet(
        model=model, options=options, key=key, path=target, weights_hash=file_hash(target), report=report
    )


def load_net_file(path: Path, model_class: type[nn.Module], options_class: type, expected_format: str,
                  what: str, device: str | torch.device = "cpu") -> EvalNet:
    """An evaluation network saved as ``classifier.pt`` (format ``expected_format``) with the
    ``report.json`` beside it, as a frozen :class:`EvalNet` on ``device`` (shared by both networks)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} file {path} does not exist")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != expected_format:
        raise ValueError(f"{path} is not a ganbench {what} (expected format {expected_format!r})")
    options = options_class(**payload["options"])
    model = model_class(payload["classes"], image_size=options.image_size, width=options.width)
    model.load_state_dict(payload["state_dict"])
    model.to(device).eval().requires_grad_(False)
    report_path = path.parent / REPORT_FILE
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    return EvalNet(model=model, options=options, key=payload["key"], path=path,
                   weights_hash=file_hash(path), report=report)


def load_eval_net(path: Path, device: str | torch.device = "cpu") -> EvalNet:
    """Load a classifier saved by :func:`save_eval_net` (``path`` is the ``classifier.pt`` file)."""
    return load_net_file(path, AttributeClassifier, EvalNetOptions, FORMAT, "evaluation network", device)

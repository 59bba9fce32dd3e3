"""Image–text matching pretraining of a model's own text encoder (StackGAN's fixed, pretrained text
embedding, learned here on the catalog's train split).

StackGAN conditions on char-CNN-RNN embeddings pretrained with an image–text matching objective (Reed et
al., 2016) and kept fixed; AttnGAN and DF-GAN do the same with DAMSM. No such encoder exists for a new
catalog, and one learned from scratch through the generator alone collapses towards the KL prior (see
README, "Choices that are ours"). This module trains the model's own encoder (its architecture, its
vocabulary, the text input it reads) against a small image encoder with a contrastive matching loss:

- every text sample (a title, or every query prefix) is matched to its item's image among the batch's
  images (cross-entropy over cosine similarities / temperature), and every image to its item's whole text;
- the image encoder is a small CNN (stride-2 3x3 conv + batch norm + ReLU blocks down to 4 px, widths
  doubling from ``width`` up to 8 x ``width``, global average pooling, a linear layer to the text
  dimension) on the real train images at the model's Stage-I size, randomly flipped;
- AdamW, a fixed number of epochs, and the epoch whose matching loss on the val split is lowest is kept
  (the last epoch when the val split is too small to score);
- other items whose text equals a sample's stay among its negatives unless ``mask_same_text`` (DAMSM leaves
  same-class items out; :mod:`ganbench.text.same_text`). On a 3,000-item synthetic catalog at batch 64 no
  title and 0.7-1.2% of whole queries share their text within a batch, but 45% of opening query steps do
  (58% with colour tokens; about one such negative each). Masking them moved the fit, length and details
  separation of restgan's and stackgan-prefix's encoders (word-swap shift of the embedding, nearest test
  query with the same value) by -0.014 to +0.045, within the spread between two pretraining seeds
  (``benchmarks/same_text_negatives.py``), so the default keeps them: no gain measured, and stored
  encoders stay valid.

No class label enters the objective; the labels only score the result in the report (the share of val
texts whose nearest val image has the same type / gender / colour cluster).
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganbench.nn.blocks import doublings
from ganbench.text.same_text import same_text_masks, text_groups

Log = Callable[[str], None]
ATTRIBUTES = ("type", "gender", "colour")


@dataclass(frozen=True)
class MatchingOptions:
    """Settings of the matching pretraining (part of the pretrained encoder's cache key)."""

    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    temperature: float = 0.1
    width: int = 16
    seed: int = 0
    mask_same_text: bool = False
    """Leave items with exactly the sample's text out of its negatives (see the module doc)."""

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "width"):
            if (value := getattr(self, name)) < 1:
                raise ValueError(f"text pretraining option {name} must be at least 1, got {value}")
        for name in ("learning_rate", "temperature"):
            if not (value := getattr(self, name)) > 0:
                raise ValueError(f"text pretraining option {name} must be positive, got {value}")


@dataclass
class TextPretraining:
    """What a model hands the pretraining: its encoder and how it reads a batch.

    ``encoder`` is trained in place; ``embed(batch)`` returns the model's text samples of a training batch
    (an object with ``embedding`` (N, D), ``item`` (N,) the batch item of each sample and ``final`` (N,)
    whether the sample reads the item's whole text); ``identity`` is everything besides the catalog that
    determines the trained weights (encoder kind, sizes, text input, ...), for the cache key.
    """

    encoder: nn.Module
    embed: Callable[[dict[str, Any]], Any]
    text_dim: int
    identity: dict[str, Any]
    options: MatchingOptions


class ImageEncoder(nn.Module):
    """A small CNN: (N, 3, S, S) images in [-1, 1] -> (N, out_dim) features."""

    def __init__(self, image_size: int, width: int, out_dim: int) -> None:
        super().__init__()
        n_down = doublings(4, image_size, "text pretraining image size")
        widths = [3] + [width * 2 ** min(i, 3) for i in range(max(n_down, 1))]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(widths, widths[1:], strict=False)):
            stride = 2 if i < n_down else 1
            layers += [nn.Conv2d(a, b, 3, stride, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        self.body = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.project = nn.Linear(widths[-1], out_dim)

    def forward(self, images: Tensor) -> Tensor:
        return self.project(self.body(images))


def matching_loss(text: Tensor, item: Tensor, final: Tensor, images: Tensor, temperature: float,
                  groups: Tensor | None = None) -> Tensor:
    """Contrastive image–text matching: each text sample picks its item's image among ``images``, each
    image picks its item's whole text among the whole texts (those with ``final``).

    ``text`` (N, D) text embeddings, ``item`` (N,) the row of ``images`` (B, D) each text belongs to;
    ``groups`` (N,) text ids (:func:`ganbench.text.same_text.text_groups`): when given, other items with
    the same text are no negatives.
    """
    similarity = F.normalize(text.float(), dim=-1) @ F.normalize(images.float(), dim=-1).T / temperature
    owners = item[final]  # one whole text per item
    by_image = similarity[final].T[owners]
    if groups is not None:
        text_mask, image_mask = same_text_masks(groups, item, final, len(images))
        similarity = similarity.masked_fill(text_mask, -torch.inf)
        by_image = by_image.masked_fill(image_mask, -torch.inf)
    text_to_image = F.cross_entropy(similarity, item)
    image_to_text = F.cross_entropy(by_image, torch.arange(len(owners), device=item.device))
    return text_to_image + image_to_text


def _flip(images: Tensor, generator: torch.Generator) -> Tensor:
    flip = (torch.rand(len(images), generator=generator) < 0.5).to(images.device).view(-1, 1, 1, 1)
    return torch.where(flip, images.flip(-1), images)


@dataclass
class MatchingData:
    """Batches for the pretraining: ``train(order)`` collates dataset positions into a batch;
    ``n_train`` positions exist; ``val`` are fixed validation batches (may be empty); ``reads`` is the
    model's text input ("title" | "query_stream"), needed by ``mask_same_text``."""

    batch: Callable[[Sequence[int]], dict[str, Any]]
    n_train: int
    val: list[dict[str, Any]]
    image_size: int
    reads: str | None = None


def _loss(spec: TextPretraining, samples: Any, features: Tensor, batch: dict[str, Any], reads: str | None
          ) -> Tensor:
    groups = None
    if spec.options.mask_same_text:
        if reads is None:
            raise ValueError("mask_same_text needs to know what the model reads (MatchingData.reads)")
        groups = text_groups(batch, samples.item, reads)
    return matching_loss(samples.embedding, samples.item, samples.final, features, spec.options.temperature,
                         groups)


def _step_loss(spec: TextPretraining, image_encoder: ImageEncoder, batch: dict[str, Any], data: MatchingData,
               generator: torch.Generator | None) -> Tensor:
    samples = spec.embed(batch)
    images = batch["images"][data.image_size]
    if generator is not None:
        images = _flip(images, generator)
    return _loss(spec, samples, image_encoder(images), batch, data.reads)


@torch.no_grad()
def _val_scores(spec: TextPretraining, image_encoder: ImageEncoder, data: MatchingData) -> dict[str, float]:
    """Mean val matching loss, and per attribute the share of whole val texts whose nearest val image (in
    the same batch) has the same label (labels -1 are skipped)."""
    losses, hits = [], {name: [0, 0] for name in ATTRIBUTES}
    for batch in data.val:
        samples = spec.embed(batch)
        features = image_encoder(batch["images"][data.image_size])
        losses.append(float(_loss(spec, samples, features, batch, data.reads)))
        whole = F.normalize(samples.embedding[samples.final].float(), dim=-1)
        nearest = (whole @ F.normalize(features.float(), dim=-1).T).argmax(dim=1)
        own = samples.item[samples.final]
        for name in ATTRIBUTES:
            labels = batch["labels"][name]
            known = (labels[own] >= 0) & (labels[nearest] >= 0)
            hits[name][0] += int((labels[own] == labels[nearest])[known].sum())
            hits[name][1] += int(known.sum())
    scores = {"val_loss": sum(losses) / len(losses)} if losses else {}
    scores |= {f"val_nearest_same_{name}": h / n for name, (h, n) in hits.items() if n}
    return scores


def train_matching(spec: TextPretraining, data: MatchingData, device: torch.device, log: Log = print
                   ) -> dict[str, Any]:
    """Train ``spec.encoder`` in place; returns the report (per-epoch losses, the kept epoch, scores)."""
    options = spec.options
    torch.manual_seed(options.seed)
    generator = torch.Generator().manual_seed(options.seed)
    image_encoder = ImageEncoder(data.image_size, options.width, spec.text_dim).to(device)
    encoder, flags = spec.encoder, [(p, p.requires_grad) for p in spec.encoder.parameters()]
    was_training = encoder.training
    encoder.requires_grad_(True)
    parameters = list(encoder.parameters()) + list(image_encoder.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=options.learning_rate, weight_decay=options.weight_decay)
    best: tuple[float, int, dict, dict] | None = None
    epochs, start = [], time.perf_counter()
    try:
        for epoch in range(1, options.epochs + 1):
            encoder.train(), image_encoder.train()
            order = torch.randperm(data.n_train, generator=generator)
            total, count = 0.0, 0
            for positions in order.split(options.batch_size):
                if len(positions) < 2:
                    continue
                loss = _step_loss(spec, image_encoder, _to(data.batch(positions.tolist()), device), data,
                                  generator)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total, count = total + float(loss.detach()), count + 1
            encoder.eval(), image_encoder.eval()
            scores = _val_scores(spec, image_encoder, _with_device(data, device))
            epochs.append({"epoch": epoch, "train_loss": total / max(count, 1)} | scores)
            log(f"text pretraining epoch {epoch}/{options.epochs}: matching loss {total / max(count, 1):.3f}"
                + (f", val {scores['val_loss']:.3f}" if "val_loss" in scores else ""))
            value = scores.get("val_loss", -epoch)  # without a val split the last epoch wins
            if best is None or value < best[0]:
                best = (value, epoch, copy.deepcopy(encoder.state_dict()), scores)
    finally:
        encoder.train(was_training)
        for parameter, flag in flags:
            parameter.requires_grad_(flag)
    assert best is not None
    encoder.load_state_dict(best[2])
    return {"epochs": epochs, "kept_epoch": best[1], "kept_scores": best[3], "n_train": data.n_train,
            "n_val_batches": len(data.val), "train_seconds": round(time.perf_counter() - start, 2),
            "image_size": data.image_size}


def _to(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, dict):
        return {k: _to(v, device) for k, v in batch.items()}
    return batch.to(device) if isinstance(batch, Tensor) else batch


def _with_device(data: MatchingData, device: torch.device) -> MatchingData:
    if device.type == "cpu":
        return data
    return dataclasses.replace(data, val=[_to(b, device) for b in data.val])

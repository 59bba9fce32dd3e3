"""Generating the evaluation images from the catalog's test query streams, features taken batch by batch.

Sampling choices (ours): the streams are the test items' queries in catalog order, taken in whole passes
(``n_samples`` is rounded to the nearest whole number of passes over the test streams, at least one, so
every query counts equally); each repeat gets fresh noise, since batches get their own seeds. Batch b is
generated with ``SeedSequence([seed, b])``, so a checkpoint evaluated twice with the same seed and batch
size gets the same images.

What draws the images is an :class:`ImageSource`: a trained model (:class:`ModelSource`) or a
calibration source (:mod:`ganbench.eval.calibration`), all scored by the same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from torch_fidelity import FeatureExtractorBase

from ganbench.data.streams import split_stream_items
from ganbench.eval.extractor import POOLED, logits_feature
from ganbench.eval.features import extract_features


@dataclass(frozen=True)
class EvaluationStreams:
    """The query streams to draw: ``steps`` per stream, ``items`` the catalog index of each stream's
    item, ``passes`` over the ``n_test`` test streams, ``requested`` the ``n_samples`` asked for (None:
    one pass)."""

    steps: list[list[str]]
    items: np.ndarray
    passes: int
    n_test: int
    requested: int | None

    def __len__(self) -> int:
        return len(self.steps)

    def describe(self) -> str:
        """One line for the log: how many streams and, when rounded, from what."""
        line = f"{len(self)} query streams ({self.passes} whole pass(es) over {self.n_test} test streams)"
        if self.requested is not None and self.requested != len(self):
            line += f"; n_samples {self.requested} rounded to whole passes so every query counts equally"
        return line

    def to_json(self) -> dict:
        return {"test_streams": self.n_test, "passes": self.passes, "n_samples_requested": self.requested}


def evaluation_streams(catalog: Any, n_samples: int | None) -> EvaluationStreams:
    """Whole passes over the test split's query streams: ``n_samples / n_test`` rounded to the nearest
    whole number (halves up; at least one pass and two images); one pass when ``n_samples`` is None."""
    test = split_stream_items(catalog, "test")
    if not test:
        raise ValueError(f"catalog {catalog.root} has no test item with a query stream to evaluate on")
    if n_samples is not None and int(n_samples) < 2:
        raise ValueError(
            f"n_samples must be at least 2 (distribution metrics need two images), got {n_samples}"
        )
    passes = 1 if n_samples is None else max(1, int(int(n_samples) / len(test) + 0.5))  # ties round up
    passes = max(passes, -(-2 // len(test)))  # distribution metrics need two images
    items = np.array(test * passes, dtype=np.int64)
    steps = [[str(step) for step in catalog.items[i]["query"]] for i in items]
    return EvaluationStreams(steps, items, passes, len(test), None if n_samples is None else int(n_samples))


class ImageSource(Protocol):
    """Whatever draws the evaluation images: one uint8 (n_steps, 3, H, W) stack per query stream.

    ``refines``: the source draws a refinement sequence (False: refinement metrics are n/a for it);
    ``shows_catalog_photos``: its images are the catalog's own photos of the streams' items, so FID/KID
    must compare them with a reference set that excludes those items; ``conditioning(texts)``: the
    model's conditioning statistics for the conditioning-strength diagnostic, or None.
    """

    refines: bool
    shows_catalog_photos: bool

    def draw(self, steps: list[list[str]], items: np.ndarray, seed: int) -> list[torch.Tensor]: ...

    def conditioning(self, texts: list[list[str]]) -> Any: ...


class ModelSource:
    """A trained GanModel as an image source (``model.generate`` under ``torch.no_grad``)."""

    refines = True
    shows_catalog_photos = False

    def __init__(self, model: Any) -> None:
        self.model = model
        model.eval()

    def draw(self, steps: list[list[str]], items: np.ndarray, seed: int) -> list[torch.Tensor]:
        with torch.no_grad():
            return self.model.generate(steps, seed)

    def conditioning(self, texts: list[list[str]]) -> Any:
        return self.model.conditioning(texts)


def batch_seed(seed: int, batch_index: int) -> int:
    return int(np.random.SeedSequence([int(seed), int(batch_index)]).generate_state(1)[0])


@dataclass
class GeneratedSet:
    """Generated images and their classifier features.

    ``final_images`` uint8 (S, 3, H, W) the last step of each stream; ``pooled`` (S, T, D) and
    ``predicted`` (S, T, n_heads) per step (zero / -1 past a stream's end); ``final_logits`` per head
    (S, C); ``generate_seconds`` and ``features_seconds`` the time spent in each.
    """

    final_images: torch.Tensor
    pooled: np.ndarray
    predicted: np.ndarray
    final_logits: dict[str, torch.Tensor]
    final_pooled: torch.Tensor
    generate_seconds: float
    features_seconds: float


def _check_batch(images: list, streams: list[list[str]]) -> None:
    if len(images) != len(streams):
        raise ValueError(
            f"model.generate returned {len(images)} image stacks for {len(streams)} query streams"
        )
    for stack, steps in zip(images, streams, strict=True):
        if not (
            torch.is_tensor(stack)
            and stack.dtype == torch.uint8
            and stack.dim() == 4
            and stack.shape[0] == len(steps)
            and stack.shape[1] == 3
        ):
            raise ValueError(
                f"model.generate must return uint8 (n_steps={len(steps)}, 3, H, W) per stream, got "
                f"{getattr(stack, 'dtype', type(stack))} {tuple(getattr(stack, 'shape', ()))}"
            )


class _Collector:
    """Accumulates per-step features of generated batches into padded (stream, step) arrays."""

    def __init__(self, streams: list[list[str]], heads: list[str]) -> None:
        self.n, self.max_steps, self.heads = len(streams), max(len(s) for s in streams), heads
        self.pooled: np.ndarray | None = None
        self.predicted = np.full((self.n, self.max_steps, len(heads)), -1, dtype=np.int64)
        self.finals: list[torch.Tensor] = []
        self.final_pooled: list[torch.Tensor] = []
        self.final_logits: dict[str, list[torch.Tensor]] = {h: [] for h in heads}

    def add(self, start: int, stacks: list[torch.Tensor], features: dict[str, torch.Tensor]) -> None:
        pooled = features[POOLED]
        if self.pooled is None:
            self.pooled = np.zeros((self.n, self.max_steps, pooled.shape[1]), dtype=np.float32)
        lengths = np.array([len(stack) for stack in stacks])
        ends = np.cumsum(lengths)
        for i, (first, end) in enumerate(zip(ends - lengths, ends, strict=True)):
            self.pooled[start + i, : end - first] = pooled[first:end].numpy()
            for j, head in enumerate(self.heads):
                self.predicted[start + i, : end - first, j] = features[logits_feature(head)][
                    first:end
                ].argmax(1)
        last = torch.from_numpy(ends - 1)
        self.finals.append(torch.cat([stack[-1:] for stack in stacks]))  # cat: uint8 stack is slow
        self.final_pooled.append(pooled[last])
        for head in self.heads:
            self.final_logits[head].append(features[logits_feature(head)][last])

    def result(self, generate_seconds: float, features_seconds: float) -> GeneratedSet:
        return GeneratedSet(
            final_images=torch.cat(self.finals),
            pooled=self.pooled,
            predicted=self.predicted,
            final_logits={h: torch.cat(v) for h, v in self.final_logits.items()},
            final_pooled=torch.cat(self.final_pooled),
            generate_seconds=generate_seconds,
            features_seconds=features_seconds,
        )


def generate_and_extract(
    source: ImageSource,
    streams: EvaluationStreams,
    heads: list[str],
    extractor: FeatureExtractorBase,
    seed: int,
    batch_size: int = 64,
    device: str | torch.device = "cpu",
) -> GeneratedSet:
    """Draw every stream's images in batches and take the classifier's features of every step."""
    collector = _Collector(streams.steps, heads)
    generate_s = features_s = 0.0
    for b, start in enumerate(range(0, len(streams), batch_size)):
        batch = streams.steps[start : start + batch_size]
        tick = time.perf_counter()
        stacks = source.draw(batch, streams.items[start : start + batch_size], batch_seed(seed, b))
        _check_batch(stacks, batch)
        stacks = [stack.cpu() for stack in stacks]
        tock = time.perf_counter()
        features = extract_features(torch.cat(stacks), extractor, batch_size=256, device=device)
        collector.add(start, stacks, features)
        generate_s, features_s = generate_s + tock - tick, features_s + time.perf_counter() - tock
    return collector.result(generate_s, features_s)

"""The embedded default data set: a synthetic catalog of pants, jeans and shorts product photos.

``synthesise(out_dir, n, seed)`` draws ``n`` items (attributes, title, query stream), renders each as a
256 px product photo and writes a catalog with ``ganbench.data.writer.write_catalog``. Rendering,
standardisation and PNG encoding run in ``workers`` processes, which hand the writer finished PNG bytes
(``EncodedImage``); the result does not depend on the number of workers.

Choice (ours): the renderer hands the writer RGBA photos whose alpha is the exact garment mask, so
standardisation crops, pads and resizes (pose jitter makes that real work) but never has to guess
the background; the RGB channels keep the off-white background and shadow of a product photo.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import numpy as np

from ganbench.data.catalog import Catalog
from ganbench.data.encode import EncodedImage, encode_image
from ganbench.data.standardise import DEFAULT_OPTIONS, StandardiseOptions
from ganbench.data.synth.items import make_items, render_at
from ganbench.data.writer import write_catalog

__all__ = ["SynthError", "encoded_images", "make_items", "render_at", "render_images", "synthesise"]

MAX_ITEMS = 10_000_000
CHUNK = 16


class SynthError(ValueError):
    """The synthesis request is invalid (item count, seed or worker count)."""


def _check(n: int, seed: int, workers: int) -> None:
    if not isinstance(n, int) or not 1 <= n <= MAX_ITEMS:
        raise SynthError(f"the number of items must be a whole number from 1 to {MAX_ITEMS:,}, got {n!r}")
    if not isinstance(seed, int) or seed < 0:
        raise SynthError(f"the seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(workers, int) or workers < 1:
        raise SynthError(f"workers must be a whole number >= 1, got {workers!r}")


Made = TypeVar("Made")


def _render_chunk(seed: int, start: int, items: list[dict]) -> list[np.ndarray]:
    return [render_at(seed, start + offset, item) for offset, item in enumerate(items)]


def _encode_chunk(
    options: StandardiseOptions, seed: int, start: int, items: list[dict]
) -> list[EncodedImage]:
    return [encode_image(photo, options) for photo in _render_chunk(seed, start, items)]


def _in_chunks(
    work: Callable[[int, int, list[dict]], list[Made]], items: list[dict], seed: int, workers: int
) -> Iterator[Made]:
    """``work(seed, start, chunk)`` over chunks of ``items``, results in item order.

    With several workers, at most ``2 * workers`` chunks are in flight, so memory stays bounded
    however slowly the consumer (the catalog writer) takes the results.
    """
    if workers == 1:
        for start in range(0, len(items), CHUNK):
            yield from work(seed, start, items[start:start + CHUNK])
        return
    with get_context("fork" if os.name == "posix" else "spawn").Pool(workers) as pool:
        pending: deque = deque()
        for start in range(0, len(items), CHUNK):
            pending.append(pool.apply_async(work, (seed, start, items[start:start + CHUNK])))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def render_images(items: list[dict], seed: int, workers: int = 1) -> Iterator[np.ndarray]:
    """The photos of ``items`` (made by ``make_items(seed, range(len(items)))``), in item order."""
    return _in_chunks(_render_chunk, items, seed, workers)


def encoded_images(
    items: list[dict], seed: int, workers: int = 1, options: StandardiseOptions = DEFAULT_OPTIONS
) -> Iterator[EncodedImage]:
    """The photos of ``items`` standardised with ``options`` and encoded as catalog PNGs, in item order."""
    return _in_chunks(partial(_encode_chunk, options), items, seed, workers)


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def synthesise(
    out_dir: str | Path, n: int, seed: int = 0, *, workers: int | None = None, overwrite: bool = False
) -> Catalog:
    """Draw, render and write a synthetic catalog of ``n`` items to ``out_dir``; return it opened."""
    workers = default_workers() if workers is None else workers
    _check(n, seed, workers)
    items = make_items(seed, range(n))
    images = encoded_images(items, seed, workers)
    return write_catalog(out_dir, items, images, source="synthetic", seed=seed, overwrite=overwrite)

"""Images made by any model, scored like a trained model: the draw schedule, the folder layout, the source.

Layout (our convention): ``DIR/<stream>/<draw>/<step>.png``, with ``stream`` the stream's number in
``ganbench data streams --split test`` (:mod:`ganbench.data.streams`), ``draw`` the noise draw of that
stream (0, 1, ...) and ``step`` the 0-based step of its query stream; every number is a plain decimal.
A CSV manifest with the header ``stream,step,seed,path`` (``seed`` being the draw, ``path`` relative to
the CSV's folder or absolute) may name the same images anywhere instead.

Which draws the evaluation needs (:func:`evaluation_draws`): draw ``p`` of every stream for pass ``p``
of ``[eval] n_samples``, then, when the passes give fewer than ``diversity_samples`` draws, the next
draws of the streams per-query diversity scores. A model's draws are made in the same batches and with
the same seeds as ``ganbench eval`` draws them, so images written by :func:`write_evaluation_images`
from a run score exactly what ``ganbench eval`` gives that run. The folder source hands out a stream's
draws in order (the k-th request of a stream gets draw k), which is the order of the schedule.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ganbench.config import EvalConfig
from ganbench.data.streams import split_stream_items
from ganbench.eval.diversity_samples import extra_seed, scored_stream_indices
from ganbench.eval.evaluate import evaluate_source
from ganbench.eval.generation import batch_seed, evaluation_streams

MANIFEST_COLUMNS = ("stream", "step", "seed", "path")
SHOWN_MISSING = 5


class ImageFolderError(ValueError):
    """An image folder or manifest that cannot be scored; the message names the path and what is wrong."""


@dataclass(frozen=True)
class DrawBatch:
    """One generate call of the evaluation: its streams (numbers), their draws, queries and batch seed."""

    streams: list[int]
    draws: list[int]
    steps: list[list[str]]
    seed: int


def _batches(streams: list[int], draws: list[int], steps: list[list[str]], seed: int, size: int
             ) -> list[DrawBatch]:
    return [DrawBatch(streams[i:i + size], draws[i:i + size], steps[i:i + size], batch_seed(seed, b))
            for b, i in enumerate(range(0, len(streams), size))]


def evaluation_draws(catalog: Any, settings: EvalConfig) -> list[DrawBatch]:
    """Every draw the evaluation of ``catalog`` with ``settings`` makes, in its batches (module doc)."""
    plan = evaluation_streams(catalog, settings.n_samples)
    numbers = list(range(plan.n_test)) * plan.passes
    draws = [p // plan.n_test for p in range(len(plan))]
    batches = _batches(numbers, draws, plan.steps, settings.seed, settings.batch_size)
    repeats = settings.diversity_samples - plan.passes
    if repeats > 0:
        chosen = [int(s) for s in scored_stream_indices(plan.n_test, plan.passes, settings.diversity_samples,
                                                        settings.diversity_streams, settings.seed)]
        extra_streams = chosen * repeats
        extra_draws = [plan.passes + r for r in range(repeats) for _ in chosen]
        batches += _batches(extra_streams, extra_draws, [plan.steps[s] for s in extra_streams],
                            extra_seed(settings.seed), settings.batch_size)
    return batches


def draws_per_stream(batches: list[DrawBatch]) -> Counter:
    """How many draws each stream needs."""
    return Counter(stream for batch in batches for stream in batch.streams)


def image_path(root: Path, stream: int, draw: int, step: int) -> Path:
    return Path(root) / str(stream) / str(draw) / f"{step}.png"


def write_evaluation_images(draw: Callable[[list[list[str]], int], list[torch.Tensor]], catalog: Any,
                            settings: EvalConfig, out_dir: str | Path) -> int:
    """Draw every image the evaluation needs with ``draw(steps, seed)`` (a model's ``generate``) and write
    them in the folder layout under ``out_dir`` (which must be empty or new); returns the image count."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ImageFolderError(f"{out_dir} is not empty; give a new or empty folder (nothing was written)")
    written = 0
    for batch in evaluation_draws(catalog, settings):
        stacks = draw(batch.steps, batch.seed)
        for stream, number, stack in zip(batch.streams, batch.draws, stacks, strict=True):
            for step, image in enumerate(stack.cpu()):
                path = image_path(out_dir, stream, number, step)
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(image.permute(1, 2, 0).numpy()).save(path)
                written += 1
    return written


@dataclass(frozen=True)
class ImageFolder:
    """The images found: ``files[(stream, draw, step)]`` is a path; ``origin`` says where they came from."""

    files: dict[tuple[int, int, int], Path]
    origin: str
    layout: str  # "folder" or "manifest"


def _number(text: str, what: str, where: str) -> int:
    if not text.isdigit():
        raise ImageFolderError(f"{where}: {what} {text!r} is not a whole number >= 0")
    return int(text)


def _scan_folder(root: Path) -> dict[tuple[int, int, int], Path]:
    files = {}
    for path in sorted(root.glob("*/*/*.png")):
        stream, draw = path.parent.parent.name, path.parent.name
        if stream.isdigit() and draw.isdigit() and path.stem.isdigit():
            files[(int(stream), int(draw), int(path.stem))] = path
    return files


def _read_manifest(path: Path) -> dict[tuple[int, int, int], Path]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImageFolderError(f"{path}: the header lacks {', '.join(missing)}; expected the columns "
                                   f"{','.join(MANIFEST_COLUMNS)}")
        files = {}
        for line, row in enumerate(reader, start=2):
            where = f"{path} line {line}"
            key = tuple(_number(row[c].strip(), c, where) for c in ("stream", "seed", "step"))
            if key in files:
                raise ImageFolderError(f"{where}: stream {key[0]}, seed {key[1]}, step {key[2]} is listed "
                                       "twice")
            files[key] = path.parent / row["path"].strip()
    return files


def read_image_folder(path: str | Path) -> ImageFolder:
    """The images of a folder (layout of the module doc) or of a CSV manifest."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        return ImageFolder(_read_manifest(path), f"manifest {path}", "manifest")
    if not path.is_dir():
        raise ImageFolderError(f"{path}: expected a folder laid out as <stream>/<draw>/<step>.png or a CSV "
                               f"manifest with the columns {','.join(MANIFEST_COLUMNS)}")
    files = _scan_folder(path)
    if not files:
        raise ImageFolderError(f"{path} holds no image laid out as <stream>/<draw>/<step>.png")
    return ImageFolder(files, f"folder {path}", "folder")


def check_complete(folder: ImageFolder, batches: list[DrawBatch]) -> int:
    """Every image the schedule needs must be there (checked before any work); returns how many it needs."""
    needed = [(stream, draw, step) for batch in batches
              for stream, draw, steps in zip(batch.streams, batch.draws, batch.steps, strict=True)
              for step in range(len(steps))]
    missing = [key for key in needed if key not in folder.files or not folder.files[key].is_file()]
    if missing:
        shown = "; ".join(f"stream {s} draw {d} step {t}" for s, d, t in missing[:SHOWN_MISSING])
        most = max(draws_per_stream(batches).values())
        raise ImageFolderError(f"{folder.origin}: {len(missing)} of the {len(needed)} images these [eval] "
                               f"settings need are missing (e.g. {shown}); each stream of `ganbench data "
                               f"streams --split test` needs its steps for draws 0..{most - 1}")
    return len(needed)


class FolderSource:
    """An :class:`~ganbench.eval.generation.ImageSource` reading the images of an :class:`ImageFolder`."""

    refines = True
    shows_catalog_photos = False

    def __init__(self, folder: ImageFolder, catalog: Any) -> None:
        self.folder = folder
        self.stream_of_item = {item: n for n, item in enumerate(split_stream_items(catalog, "test"))}
        self.handed_out: Counter = Counter()
        self.size: tuple[int, ...] | None = None

    def draw(self, steps: list[list[str]], items: np.ndarray, seed: int) -> list[torch.Tensor]:
        stacks = []
        for query, item in zip(steps, items, strict=True):
            stream = self.stream_of_item[int(item)]
            draw, self.handed_out[stream] = self.handed_out[stream], self.handed_out[stream] + 1
            stacks.append(torch.stack([self._image(self.folder.files[(stream, draw, step)])
                                       for step in range(len(query))]))
        return stacks

    def _image(self, path: Path) -> torch.Tensor:
        with Image.open(path) as opened:
            pixels = torch.from_numpy(np.asarray(opened.convert("RGB")).copy()).permute(2, 0, 1)
        if self.size is None:
            self.size = tuple(pixels.shape)
        if tuple(pixels.shape) != self.size or pixels.shape[1] != pixels.shape[2]:
            first = f"{self.size[2]}x{self.size[1]}"
            raise ImageFolderError(f"{path} is {pixels.shape[2]}x{pixels.shape[1]} px; every image must be "
                                   f"square and the size of the first one read ({first})")
        return pixels

    def conditioning(self, texts: list[list[str]]) -> None:
        return None  # images alone carry no conditioning statistics


def evaluate_images(path: str | Path, catalog: Any, lookup: Any, settings: EvalConfig,
                    log: Callable[[str], None] = print) -> dict:
    """All metrics of the images at ``path`` (a folder or a CSV manifest) for ``catalog``'s test streams,
    the same ``metrics.json`` as a trained model's plus ``images`` {path, layout, used, found}."""
    folder = read_image_folder(path)
    used = check_complete(folder, evaluation_draws(catalog, settings))
    log(f"eval: scoring {used} images of {folder.origin}")
    metrics = evaluate_source(FolderSource(folder, catalog), catalog, lookup, settings, log)
    metrics["images"] = {"path": str(path), "layout": folder.layout, "used": used, "found": len(folder.files)}
    return metrics

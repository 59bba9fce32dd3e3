"""``ganbench.load``: a shipped pretrained model or a training run as a :class:`Generator` of PIL images.

Choices (ours): a name that is an existing folder is read as a run folder (``ganbench train --out``) or a
cell folder of ``ganbench run`` (its ``run/``); any other name must be a shipped pretrained model. A
query stream is a list of steps (words or phrases); a single string is one step. Unknown words are read
as ``<unk>`` (as ``ganbench generate`` does) and listed by :meth:`Generator.unknown_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from ganbench.pretrained import available_pretrained, load_pretrained
from ganbench.train.runs import LoadedRun, load_run, refinement_strip


class LoadError(ValueError):
    """A name that is neither a run folder nor a shipped pretrained model."""


@dataclass
class Generator:
    """A loaded generator (EMA weights, eval mode); ``origin`` says what was loaded."""

    run: LoadedRun
    origin: str

    @property
    def model_name(self) -> str:
        return self.run.config.model.name

    @property
    def step(self) -> int:
        return self.run.step

    def generate(self, stream: Sequence[str] | str, seeds: Iterable[int] | int = (0,)
                 ) -> list[list[Image.Image]]:
        """Per seed (in order), the image of every step of ``stream`` as RGB PIL images."""
        steps = _steps(stream)
        strips = [refinement_strip(self.run, steps, seed)[0] for seed in _seeds(seeds)]
        return [[_pil(image) for image in strip] for strip in strips]

    def unknown_words(self, stream: Sequence[str] | str) -> list[str]:
        """The words of ``stream`` the model's vocabulary does not know (read as ``<unk>``)."""
        from ganbench.data.batches import unknown_words

        context, policy = self.run.model.context, self.run.model.text_policy()
        return unknown_words(_steps(stream), context.vocabulary, context.lookup, policy.colour_tokens)

    def draw(self, steps: list[list[str]], seed: int) -> list[torch.Tensor]:
        """A batch of query streams drawn with one seed, uint8 (n_steps, 3, H, W) each (what evaluation
        draws; :func:`ganbench.api.evaluate` and ``write_evaluation_images`` use it)."""
        with torch.no_grad():
            return self.run.model.generate(steps, seed)

    def write_evaluation_images(self, catalog: Any, out_dir: str | Path, settings: Any = None) -> int:
        """Every image ``ganbench eval`` would draw from this generator on ``catalog`` (a folder or an
        opened catalog), written as ``out_dir/<stream>/<draw>/<step>.png``; ``settings``: [eval] settings
        (an EvalConfig; default: the run's). Returns how many images were written."""
        from ganbench.data.catalog import Catalog
        from ganbench.eval.image_folder import write_evaluation_images

        catalog = Catalog.open(catalog) if isinstance(catalog, str | Path) else catalog
        self.run.model.eval()
        return write_evaluation_images(self.draw, catalog, settings or self.run.config.eval, out_dir)


def _steps(stream: Sequence[str] | str) -> list[str]:
    steps = [stream] if isinstance(stream, str) else list(stream)
    if not steps or not all(isinstance(step, str) and step.strip() for step in steps):
        raise ValueError(f"stream: expected a list of non-empty words or phrases, one per step (e.g. "
                         f"[\"women's black pants\", \"petite\"]), got {stream!r}")
    return steps


def _seeds(seeds: Iterable[int] | int) -> list[int]:
    chosen = [seeds] if isinstance(seeds, int) else list(seeds)
    if not chosen or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in chosen):
        raise ValueError(f"seeds: expected one or more whole numbers >= 0, got {seeds!r}")
    return chosen


def _pil(image: torch.Tensor) -> Image.Image:
    return Image.fromarray(image.permute(1, 2, 0).contiguous().numpy(), mode="RGB")


def _run_folder(path: Path) -> Path:
    """``path`` itself, or ``path/run`` for a cell folder of ``ganbench run``."""
    from ganbench.train.runs import CONFIG

    return path / "run" if not (path / CONFIG).is_file() and (path / "run" / CONFIG).is_file() else path


def load(name_or_run_folder: str | Path, device: str = "cpu", catalog: str | Path | None = None) -> Generator:
    """A shipped pretrained model (``restgan-synth``; see ``ganbench pretrained list``) or a run folder
    as a :class:`Generator` on ``device``; ``catalog`` overrides a run's catalog folder (moved)."""
    path = Path(name_or_run_folder)
    if path.is_dir():
        folder = _run_folder(path)
        return Generator(load_run(folder, device=device, catalog_path=catalog), f"run {folder}")
    name = str(name_or_run_folder)
    if name in available_pretrained():
        return Generator(load_pretrained(name, device), f"pretrained {name}")
    offered = ", ".join(available_pretrained()) or "none installed"
    raise LoadError(f"{name!r} is neither a run folder nor a pretrained model name; expected a folder "
                    f"written by `ganbench train --out` or `ganbench run`, or one of: {offered}")

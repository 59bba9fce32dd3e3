"""The refinement view as plain Python: query steps -> one image per step and model, with its readings.

Beside each image: the colour the words so far ask for (the colour term the title parser finds, its CIELAB
value from the model's lookup table, else colorspace's vocabulary), the generated garment's dominant colour
(``colorspace.dominant_colour``, measured as the evaluation does at 64 px) and their CIEDE2000; and, when
the model's catalog has an evaluation network, its predicted type / gender / colour cluster / fit / length.

Noise (our choice): the image of step t is the model's answer to the words of steps 1..t as one query
step, drawn with noise seed ``seed`` when the noise is locked and ``seed + t - 1`` when not. Several noise
seeds (``n_seeds``) are the consecutive seeds ``seed, seed + 1, ...``, each drawn as above, so a row of
images per step shows what the noise changes (unlocked, seed s at step t+1 shares its noise with seed
s + 1 at step t: the texts differ, the images are still the model's answers). Every model
of the zoo reads words in order (bag-of-words means and LSTM states of a prefix do not depend on where
the step boundaries are), so a locked column of a model with one noise per stream (restgan) is its own
strip for the stream, up to float rounding between batch sizes; asking for one step at a time is what lets
a model that draws fresh noise per step (every baseline) keep its noise.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ganbench.data.batches import step_tokens
from ganbench.explore.sources import ExploreError, ExploreModel

SHOWN_HEADS = ("type", "gender", "colour", "fit", "length")  # the eval net's heads, where it has them
MAX_SEEDS = 8  # noise seeds per step at most: each one is another image per step and model


@dataclass(frozen=True)
class ColourReading:
    """What colour a step asks for and what the garment shows (CIELAB), and how far apart (dE00)."""

    term: str | None
    requested_lab: tuple[float, float, float] | None
    dominant_lab: tuple[float, float, float]
    delta_e: float | None


@dataclass(frozen=True)
class StepImage:
    """One generated image (uint8 (S, S, 3) at the model's size) with its readings."""

    image: np.ndarray
    colour: ColourReading
    predictions: dict[str, str] = field(default_factory=dict)  # head -> class name; empty without eval net


@dataclass(frozen=True)
class UnknownWord:
    """A word some models do not know (read as ``<unk>``), with a suggestion when one is near."""

    word: str
    step: int  # 1-based
    models: tuple[str, ...]
    suggestion: str | None


@dataclass
class Column:
    """One model's images: per noise seed (in :attr:`Refinement.seeds` order) one per step; ``message``
    says why there are none."""

    label: str
    by_seed: list[list[StepImage]]
    message: str = ""

    @property
    def images(self) -> list[StepImage]:
        """The first seed's images, one per step."""
        return self.by_seed[0] if self.by_seed else []


@dataclass
class Refinement:
    steps: list[str]
    seed: int
    lock_noise: bool
    columns: list[Column]
    unknown: list[UnknownWord]
    seeds: list[int] = field(default_factory=list)  # every noise seed drawn, ``seed`` first


def clean_steps(steps: list[str]) -> list[str]:
    """The steps with runs of spaces collapsed; an empty query or a step without words is refused."""
    from ganbench.data.text import tokenize

    cleaned = [" ".join(str(step).split()) for step in steps]
    if not cleaned:
        raise ExploreError("the query is empty: type a first query such as \"women's black pants\"")
    for number, step in enumerate(cleaned, start=1):
        if not step:
            raise ExploreError(f"step {number} is empty: type at least one word")
        if not tokenize(step):
            raise ExploreError(f"step {number} ({step!r}) has no words, only punctuation")
    return cleaned


def unknown_words(model: ExploreModel, steps: list[str]) -> list[tuple[int, str]]:
    """(step number, word) for each word of ``steps`` the model's vocabulary lacks."""
    found = []
    for number, step in enumerate(steps, start=1):
        tokens = step_tokens(step, model.lookup, model.colour_model)
        found += [(number, token) for token in tokens if token not in model.vocabulary]
    return found


def suggestion(word: str, models: list[ExploreModel]) -> str | None:
    """The lookup table's suggestion for a misspelt colour term, else the nearest known word."""
    for model in models:
        if model.lookup is not None and (near := model.lookup.suggest(word)):
            return near
    known = sorted({t for m in models for t in m.vocabulary.tokens if not t.startswith("<")})
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    return close[0] if close else None


def flag_unknown(models: list[ExploreModel], steps: list[str]) -> list[UnknownWord]:
    """Unknown words across all models, each with the models that lack it and a suggestion."""
    lacking: dict[tuple[int, str], list[str]] = {}
    for model in models:
        for key in dict.fromkeys(unknown_words(model, steps)):  # a word twice in a step: the model once
            lacking.setdefault(key, []).append(model.label)
    return [UnknownWord(word, step, tuple(labels), suggestion(word, models))
            for (step, word), labels in lacking.items()]


def step_images(model: ExploreModel, steps: list[str], seed: int, lock_noise: bool) -> torch.Tensor:
    """uint8 (n_steps, 3, S, S): step t drawn from the words of steps 1..t (see the module docstring)."""
    images = []
    with torch.no_grad():
        for t in range(len(steps)):
            text = " ".join(steps[: t + 1])
            images.append(model.model.generate([[text]], seed if lock_noise else seed + t)[0][0])
    return torch.stack(images)


def requested_colours(model: ExploreModel, steps: list[str]) -> list[tuple[str | None, np.ndarray | None]]:
    """Per step: the colour term the words so far name and its CIELAB value (None where none)."""
    from ganbench.data.text import parse_attributes
    from ganbench.eval.colour import term_labs

    labs = term_labs(model.lookup)
    out = []
    for t in range(len(steps)):
        term = parse_attributes(" ".join(steps[: t + 1])).get("colour")
        out.append((term, labs.get(term) if term else None))
    return out


def colour_readings(model: ExploreModel, steps: list[str], images: torch.Tensor) -> list[ColourReading]:
    from colorspace import delta_e
    from ganbench.eval.colour import dominant_labs

    dominant = dominant_labs(images)
    readings = []
    for (term, lab), found in zip(requested_colours(model, steps), dominant, strict=True):
        difference = None if lab is None else float(delta_e(found, lab, method="ciede2000"))
        requested = None if lab is None else _triple(lab)
        readings.append(ColourReading(term, requested, _triple(found), difference))
    return readings


def predictions(eval_net: Any | None, images: torch.Tensor) -> list[dict[str, str]]:
    """The evaluation network's predicted class per shown head, per image (empty dicts without one)."""
    if eval_net is None:
        return [{} for _ in range(len(images))]
    with torch.no_grad():
        _, logits = eval_net.model(images)
    classes = eval_net.classes
    heads = [h for h in SHOWN_HEADS if h in logits]
    chosen = {h: logits[h].argmax(dim=1).tolist() for h in heads}
    return [{h: classes[h][chosen[h][i]] for h in heads} for i in range(len(images))]


def seed_images(model: ExploreModel, steps: list[str], seed: int, lock_noise: bool) -> list[StepImage]:
    """One noise seed's image per step, with readings."""
    images = step_images(model, steps, seed, lock_noise)
    colours = colour_readings(model, steps, images)
    guesses = predictions(model.eval_net, images)
    pixels = images.permute(0, 2, 3, 1).contiguous().numpy()
    return [StepImage(p, c, g) for p, c, g in zip(pixels, colours, guesses, strict=True)]


def refine_column(model: ExploreModel, steps: list[str], seeds: list[int], lock_noise: bool) -> Column:
    """One model's images with readings for every seed, or a message when none of the query's words is
    known."""
    words = [t for step in steps for t in step_tokens(step, model.lookup, model.colour_model)]
    if len(unknown_words(model, steps)) == len(words):
        return Column(model.label, [],
                      f"no word of the query is in {model.label}'s vocabulary: nothing to draw")
    return Column(model.label, [seed_images(model, steps, seed, lock_noise) for seed in seeds])


def refine(models: list[ExploreModel], steps: list[str], seed: int = 0, lock_noise: bool = True,
           n_seeds: int = 1) -> Refinement:
    """Every model's images for every step of the query at ``n_seeds`` noise seeds from ``seed`` on, with
    readings and unknown-word flags."""
    steps = clean_steps(steps)
    if not isinstance(seed, int) or seed < 0:
        raise ExploreError(f"the noise seed must be a whole number of 0 or more, got {seed!r}")
    if not isinstance(n_seeds, int) or not 1 <= n_seeds <= MAX_SEEDS:
        raise ExploreError(f"the number of noise seeds must be a whole number from 1 to {MAX_SEEDS}, "
                           f"got {n_seeds!r}")
    seeds = [seed + k for k in range(n_seeds)]
    columns = [refine_column(model, steps, seeds, lock_noise) for model in models]
    return Refinement(steps, seed, lock_noise, columns, flag_unknown(models, steps), seeds)


def known_words(models: list[ExploreModel]) -> list[str]:
    """The words some model knows (its vocabulary less the special tokens, plus the lookup table's colour
    terms, which a colour model reads as their cluster's token), sorted."""
    words = {t for m in models for t in m.vocabulary.tokens if not t.startswith("<")}
    words |= {term for m in models if m.lookup is not None for term in m.lookup.terms}
    return sorted(words)


def _triple(values: Any) -> tuple[float, float, float]:
    a, b, c = (float(v) for v in np.asarray(values, dtype=np.float64).reshape(3))
    return a, b, c

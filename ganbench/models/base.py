"""The model interface: the only thing the training harness, the evaluation and the report know about a GAN.

A registered model is built from its validated options and a :class:`ModelContext` (everything the
catalog and the colour lookup table tell it) and declares what the harness needs: its training phases
and the step budget of each (:meth:`GanModel.phases`), how it reads text (:meth:`GanModel.text_policy`)
and its word embeddings (:meth:`GanModel.token_embeddings`). It trains one step at a time and draws one
image per step of a query stream. EMA, precision, checkpoints, logging, samples and turning raw query
streams into token ids belong to the harness.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import nn

from ganbench.data.batches import TextPolicy, encode_for_generation
from ganbench.data.protocols import ColourLookup, TokenVocabulary


@dataclass(frozen=True)
class ModelContext:
    """What a model may know about the data it is trained on; built by the harness, passed in.

    ``vocabulary``: the catalog's train-split vocabulary plus one ``"<colour_K>"`` token per lookup
    cluster; ``lookup``: the colour lookup table, or ``None`` (``data.colour_lookup = "none"``);
    ``n_classes`` maps attribute name (``type``, ``gender``, ``colour``) to its number of classes;
    ``class_names`` the same names to the class labels; ``image_sizes`` the catalog sizes the batches
    carry, smallest first (the model draws at the largest).
    """

    vocabulary: TokenVocabulary
    lookup: ColourLookup | None
    n_classes: dict[str, int]
    class_names: dict[str, list[str]]
    image_sizes: tuple[int, ...]
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))


@dataclass(frozen=True)
class TrainingPhase:
    """One phase of a model's training: its ``name`` (passed to ``train_step``) and the settings whose
    sum is its number of steps, as dotted keys (``"train.stage1_steps"``, or a model option such as
    ``"model.options.warmup_steps"``)."""

    name: str
    budget: tuple[str, ...]


class GanModel(nn.Module, ABC):
    """Base class of every registered model.

    Subclasses set ``options_class`` (a pydantic model of their options, see
    :mod:`ganbench.models.options`; a plain dataclass works too) and implement the abstract methods.
    ``generator`` must be the ``nn.Module`` whose parameters the harness keeps an
    exponential moving average of; ``draw`` must use only ``generator`` so swapping in EMA weights
    changes what it draws.
    """

    options_class: ClassVar[type]
    description: ClassVar[str] = ""

    def __init__(self, options: Any, context: ModelContext) -> None:
        super().__init__()
        self.options = options
        self.context = context

    @property
    @abstractmethod
    def generator(self) -> nn.Module:
        """The module whose weights are averaged (EMA) and used for sampling."""

    @abstractmethod
    def phases(self) -> list[TrainingPhase]:
        """Training phases in order; the harness runs each for its budget, counting steps globally."""

    @abstractmethod
    def text_policy(self) -> TextPolicy:
        """How the model reads text; the harness encodes training batches and generation input by it."""

    @abstractmethod
    def configure_optimizers(self, train_options: Any) -> dict[str, torch.optim.Optimizer]:
        """Named optimisers, saved and restored by the harness (``train_options``: the [train] settings)."""

    @abstractmethod
    def train_step(self, batch: dict[str, Any], step: int, phase: str) -> dict[str, float]:
        """One update over ``batch`` in phase ``phase`` (a name from :meth:`phases`); returns named scalar
        losses. Precision (autocast) is entered by the harness around this call."""

    @abstractmethod
    def draw(self, queries: dict[str, torch.Tensor], seed: int) -> torch.Tensor:
        """Images for encoded query streams (:func:`ganbench.data.batches.encode_for_generation`, on the
        model's device): one per step, stream-major, float (steps, 3, H, W) in [-1, 1] at the largest
        image size. A non-recurrent model answers each prefix on its own. Same seed, same weights ->
        same images. Called in eval mode without gradients."""

    def text_conditioning(self, queries: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor] | None:
        """Optional: for encoded query streams (as :meth:`draw` gets them), the conditioning of each
        stream's whole text as a Gaussian ``(mu, sigma)``, each (n_streams, dim) float, for the
        conditioning-strength diagnostic (:mod:`ganbench.models.diagnostics`). ``None`` (the default)
        where the model has no such thing. Called in eval mode without gradients."""
        return None

    def text_pretraining(self) -> Any:
        """Optional: a ``ganbench.text.matching.TextPretraining`` (the model's text encoder and how it reads
        a batch) for the harness to pretrain by image–text matching before training, or load from the
        catalog's store; ``None`` (the default) for none."""
        return None

    def token_embeddings(self) -> tuple[list[str], torch.Tensor] | None:
        """The text encoder's word embeddings (tokens, matrix) for colour-term studies, if it has any."""
        return None

    @torch.no_grad()
    def generate(self, query_streams: list[list[str]], seed: int) -> list[torch.Tensor]:
        """One image per step of every query stream, e.g. ``[["women's black pants", "petite"]]``:
        per stream a uint8 tensor (n_steps, 3, H, W) on the CPU."""
        queries = self._encoded(query_streams)
        with _evaluating(self.generator):
            images = self.draw(queries, seed)
        pixels = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu()
        return list(pixels.split(queries["n_steps"].tolist()))

    @torch.no_grad()
    def conditioning(self, query_streams: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor] | None:
        """:meth:`text_conditioning` of raw query streams (what the harness and the evaluation call)."""
        if type(self).text_conditioning is GanModel.text_conditioning:
            return None  # the model offers none: nothing to encode
        queries = self._encoded(query_streams)
        with _evaluating(self.generator):
            return self.text_conditioning(queries)

    def _encoded(self, query_streams: list[list[str]]) -> dict[str, torch.Tensor]:
        """Raw query streams checked and encoded by the model's text policy, on its device."""
        check_query_streams(query_streams)
        device = next(self.generator.parameters()).device
        queries = encode_for_generation(query_streams, self.context.vocabulary, self.context.lookup,
                                        self.text_policy())
        return {name: tensor.to(device) for name, tensor in queries.items()}


@contextmanager
def _evaluating(module: nn.Module) -> Iterator[None]:
    """``module`` in eval mode inside the block, back in its former mode afterwards."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


def check_query_streams(query_streams: Any) -> None:
    """Query streams must be a non-empty list of non-empty lists of non-empty strings."""
    if not isinstance(query_streams, list | tuple) or not query_streams:
        raise ValueError(f"query_streams must be a non-empty list of query streams, got {query_streams!r}")
    for number, stream in enumerate(query_streams, start=1):
        if isinstance(stream, str) or not isinstance(stream, list | tuple) or not stream:
            raise ValueError(f"query stream {number} must be a non-empty list of steps, got {stream!r}")
        if not all(isinstance(step, str) and step.strip() for step in stream):
            raise ValueError(f"query stream {number} has an empty or non-text step: {stream!r}")

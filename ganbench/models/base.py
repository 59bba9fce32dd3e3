"""The model interface: the only thing the training harness and the evaluation know about a GAN.

A registered model is built from its validated options and a :class:`ModelContext` (everything the
catalog and the colour lookup table tell it), trains one step at a time, and generates one image per
step of a query stream. EMA, precision, checkpoints, logging and samples belong to the harness.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import nn


@dataclass(frozen=True)
class ModelContext:
    """What a model may know about the data it is trained on; built by the harness, passed in.

    ``vocabulary`` is a ``ganbench.data.text.Vocabulary`` (train split only); ``lookup`` a
    ``colorspace.LookupTable`` or ``None``; ``n_classes`` maps attribute name (``type``, ``gender``,
    ``colour``) to its number of classes; ``class_names`` maps the same names to the class labels.
    """

    vocabulary: Any
    lookup: Any
    n_classes: dict[str, int]
    class_names: dict[str, list[str]]
    image_sizes: tuple[int, ...]
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))


class GanModel(nn.Module, ABC):
    """Base class of every model in the zoo.

    Subclasses set ``options_class`` (a dataclass of their own validated options) and implement the
    abstract methods. ``generator`` must be the ``nn.Module`` whose parameters the harness keeps an
    exponential moving average of; ``generate`` must use only ``generator`` (and the text encoder if
    the text encoder lives inside ``generator``) so swapping in EMA weights changes what it draws.
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
    def configure_optimizers(self, train_options: Any) -> dict[str, torch.optim.Optimizer]:
        """Named optimisers, saved and restored by the harness."""

    @abstractmethod
    def train_step(self, batch: dict[str, Any], step: int, phase: str) -> dict[str, float]:
        """One discriminator + generator update over ``batch``; returns named scalar losses.

        ``phase`` is ``"stage1"``, ``"stage2"`` or ``"joint"``, chosen by the harness from
        ``stages()``. Precision (autocast) is entered by the harness around this call.
        """

    def stages(self) -> list[str]:
        """Training phases in order; the harness splits the step budget between them."""
        return ["stage1", "stage2"]

    @abstractmethod
    def generate(self, query_streams: list[list[str]], seed: int) -> list[torch.Tensor]:
        """One image per step of every query stream.

        A query stream is a list of steps, each step one or more words (``["women's black pants",
        "petite", "capri"]``). Returns, per stream, a uint8 tensor (n_steps, 3, H, W) at the final
        stage's size, on the CPU. A non-recurrent model answers each prefix on its own. Same seed,
        same weights -> same images.
        """

    def conditioning(self, query_streams: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor] | None:
        """Optional: the text conditioning of each stream's whole text as a Gaussian, ``(mu, sigma)``, each
        (n_streams, dim) float, for the conditioning-strength diagnostic
        (:mod:`ganbench.models.diagnostics`). ``None`` (the default) where the model has no such thing."""
        return None

    def text_pretraining(self) -> Any:
        """Optional: a ``ganbench.text.matching.TextPretraining`` (the model's text encoder and how it reads
        a batch) for the harness to pretrain by image–text matching before training, or load from the
        catalog's store; ``None`` (the default) for none."""
        return None

    def token_embeddings(self) -> tuple[list[str], torch.Tensor] | None:
        """The text encoder's word embeddings (tokens, matrix) for colour-term studies, if it has any."""
        return None

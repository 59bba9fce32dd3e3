"""Shared fixtures of the training-harness tests: a tiny catalog and a minimal fake GanModel.

The fake model is registered as ``"fake-gan"``; it is deliberately small (a bag of word embeddings
conditioning a linear generator and a one-layer discriminator) so the harness can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ganbench.data.batches import TextPolicy
from ganbench.models.base import GanModel, ModelContext, TrainingPhase
from ganbench.models.registry import register_model

COLOURS = {"black": (20, 20, 20), "red": (200, 30, 30), "navy blue": (20, 30, 110), "white": (240, 240, 240)}
TYPES = ("pants", "jeans", "shorts")
GENDERS = ("women's", "men's")
EXTRAS = ("petite", "slim", "capri", "distressed")


def tiny_items(n: int = 16) -> tuple[list[dict], list[np.ndarray]]:
    """``n`` catalog items (all in the train split) and their 48 px images (a coloured box on grey)."""
    items, images = [], []
    colours = list(COLOURS)
    for i in range(n):
        colour, kind, gender = colours[i % len(colours)], TYPES[i % 3], GENDERS[i % 2]
        extra = EXTRAS[i % len(EXTRAS)]
        items.append({"id": f"item{i:03d}", "title": f"{gender} {colour} {kind} {extra}",
                      "query": [f"{gender} {colour} {kind}", extra], "type": kind, "gender": gender,
                      "colour": colour, "colour_lab": None, "split": "train"})
        image = np.full((48, 48, 3), 128, np.uint8)
        image[8 + i % 4 : 40, 12:36] = COLOURS[colour]
        images.append(image)
    return items, images


def make_tiny_catalog(out_dir: Path, n: int = 16) -> Path:
    from ganbench.data.writer import write_catalog

    items, images = tiny_items(n)
    write_catalog(out_dir, items, images, source="synthetic", seed=0, min_freq=1, sizes=(16, 32))
    return out_dir


@dataclass
class FakeOptions:
    width: int = 8
    z_dim: int = 4
    colour_model: bool = False
    nan_at_step: int = -1  # report a NaN loss at this step (to test the harness's divergence check)


def adversarial_step(discriminator: nn.Module, optimizers: dict, real: torch.Tensor,
                     fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One non-saturating GAN update: the discriminator, then the generator; returns both losses."""
    d_loss = (nn.functional.softplus(-discriminator(real)).mean()
              + nn.functional.softplus(discriminator(fake.detach())).mean())
    optimizers["discriminator"].zero_grad()
    d_loss.backward()
    optimizers["discriminator"].step()
    g_loss = nn.functional.softplus(-discriminator(fake)).mean()
    optimizers["generator"].zero_grad()
    g_loss.backward()
    optimizers["generator"].step()
    return d_loss, g_loss


@register_model("fake-gan")
class FakeGan(GanModel):
    """Embedding bag -> linear generator; one conv discriminator. Two phases like StackGAN."""

    options_class = FakeOptions
    description = "test double for the training harness"
    step_hook: ClassVar[Callable[[int], None] | None] = None  # called inside every train_step (tests set it)

    def __init__(self, options: FakeOptions, context: ModelContext) -> None:
        super().__init__(options, context)
        size = context.image_sizes[-1]
        self.size = size
        self._generator = nn.ModuleDict({
            "embed": nn.EmbeddingBag(len(context.vocabulary), options.width),
            "to_image": nn.Linear(options.width + options.z_dim, 3 * size * size),
        })
        features = 4 * (size // 4) ** 2
        self.discriminator = nn.Sequential(nn.Conv2d(3, 4, 4, 4), nn.Flatten(), nn.Linear(features, 1))

    @property
    def generator(self) -> nn.Module:
        return self._generator

    def configure_optimizers(self, train_options: Any) -> dict[str, torch.optim.Optimizer]:
        lr, betas = train_options.lr, train_options.betas
        self.optimizers = {
            "generator": torch.optim.Adam(self._generator.parameters(), lr, betas=betas),
            "discriminator": torch.optim.Adam(self.discriminator.parameters(), lr, betas=betas),
        }
        return self.optimizers

    def _draw(self, tokens: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        text = self._generator["embed"](tokens)
        flat = self._generator["to_image"](torch.cat([text, noise], dim=1))
        return torch.tanh(flat).reshape(-1, 3, self.size, self.size)

    def train_step(self, batch: dict[str, Any], step: int, phase: str) -> dict[str, float]:
        real = batch["images"][self.size]
        noise = torch.randn(len(real), self.options.z_dim, device=real.device)
        fake = self._draw(batch["query_tokens"], noise)
        d_loss, g_loss = adversarial_step(self.discriminator, self.optimizers, real, fake)
        if FakeGan.step_hook is not None:
            FakeGan.step_hook(step)
        nan = float("nan") if step == self.options.nan_at_step else 0.0
        return {"d_loss": d_loss.item() + nan, "g_loss": g_loss.item()}

    def phases(self) -> list[TrainingPhase]:
        return [TrainingPhase("stage1", ("train.stage1_steps",)),
                TrainingPhase("stage2", ("train.stage2_steps",))]

    def text_policy(self) -> TextPolicy:
        return TextPolicy("query_stream", colour_tokens=self.options.colour_model)

    def draw(self, queries: dict[str, torch.Tensor], seed: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        images = []
        for tokens, ends, n_steps in zip(queries["query_tokens"], queries["step_ends"], queries["n_steps"],
                                         strict=True):
            noise = torch.randn(1, self.options.z_dim, generator=generator).to(tokens.device)
            images += [self._draw(tokens[: int(end) + 1].unsqueeze(0), noise) for end in ends[:n_steps]]
        return torch.cat(images)


def tiny_config_dict(catalog: Path, **train: Any) -> dict[str, Any]:
    """A run config (as TOML would give it) for the fake model at 16/32 px, batch 4."""
    return {
        "data": {"catalog": str(catalog), "stage1_size": 16, "stage2_size": 32, "colour_lookup": "none"},
        "model": {"name": "fake-gan", "options": {"width": 8}},
        "train": {"batch_size": 4, "stage1_steps": 3, "stage2_steps": 3, "log_every": 1, "sample_every": 3,
                  "checkpoint_every": 2, "precision": "fp32", "channels_last": False, "device": "cpu",
                  "sample_queries": [["women's black pants", "petite"], ["men's red shorts"]]} | train,
    }


class FakeLookup:
    """Two colour clusters over four terms, with the LookupTable methods the harness uses."""

    terms = {"black": 0, "navy blue": 0, "red": 1, "white": 1}
    n_clusters = 2
    cluster_names = ["dark", "light"]

    def find_terms(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        found, start = [], 0
        while start < len(tokens):
            for length in (2, 1):
                term = " ".join(tokens[start : start + length])
                if term in self.terms and len(tokens[start : start + length]) == length:
                    found.append((start, start + length, term))
                    start += length
                    break
            else:
                start += 1
        return found

    def cluster_of(self, term: str) -> int | None:
        return self.terms.get(term)

    def centroid(self, cluster_id: int) -> list[float]:
        return [20.0, 0.0, 0.0] if cluster_id == 0 else [90.0, 0.0, 0.0]

    def lookup(self, word: str) -> Any:
        return type("Result", (), {"cluster_id": self.terms.get(word)})()


def tiny_context(lookup: Any = None, sizes: tuple[int, int] = (16, 32)) -> ModelContext:
    from ganbench.data.batches import model_vocabulary
    from ganbench.data.text import Vocabulary, tokenize

    items, _ = tiny_items()
    vocabulary = Vocabulary.build([tokenize(i["title"]) for i in items])
    return ModelContext(vocabulary=model_vocabulary(vocabulary, lookup), lookup=lookup,
                        n_classes={"type": 3, "gender": 2, "colour": 0}, class_names={}, image_sizes=sizes)

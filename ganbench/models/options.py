"""Model options: typed dataclass fields with small-CPU defaults, checked in ``__post_init__``.

Every field is an ``int``, ``float``, ``bool`` or ``str``; integer widths must be positive (fields named
in ``ZERO_ALLOWED`` may be 0), float weights must be finite and non-negative. String options
listed in ``CHOICES`` must be one of their values. A bad value is a :class:`ValueError` whose sentence
names the option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "bool": (bool,), "str": (str,)}


class OptionError(ValueError):
    """A model option with a wrong type or an impossible value."""


def validate_options(options: Any) -> None:
    """Check every field of the ``options`` dataclass against its annotation and value rules."""
    zero_allowed = getattr(options, "ZERO_ALLOWED", frozenset())
    choices: dict[str, tuple[str, ...]] = getattr(options, "CHOICES", {})
    owner = type(options).__name__
    for spec in fields(options):
        value = getattr(options, spec.name)
        expected = _TYPES.get(str(spec.type))
        if expected is None:
            raise OptionError(
                f"{owner}.{spec.name}: options must be int, float, bool or str, not {spec.type}"
            )
        if not isinstance(value, expected) or (spec.type != "bool" and isinstance(value, bool)):
            raise OptionError(f"model option {spec.name} must be {spec.type}, got {value!r}")
        if spec.type == "int" and value < (0 if spec.name in zero_allowed else 1):
            least = "0 or more" if spec.name in zero_allowed else "at least 1"
            raise OptionError(f"model option {spec.name} must be {least}, got {value}")
        if spec.type == "float" and not (math.isfinite(value) and value >= 0):
            raise OptionError(f"model option {spec.name} must be a finite number >= 0, got {value}")
        if spec.name in choices and value not in choices[spec.name]:
            raise OptionError(f"model option {spec.name} must be one of {list(choices[spec.name])}, "
                              f"got {value!r}")


@dataclass
class StackGanOptions:
    """Widths and weights of every StackGAN-family model (defaults: a small CPU configuration).

    ``gf_dim``/``df_dim``: generator/discriminator base widths (StackGAN paper scale: 128/64 for
    Stage I); ``z_dim``: noise size; ``embedding_dim``: word embedding size; ``text_dim``: text
    embedding size; ``condition_dim``: CA code size; ``residual_blocks``: Stage-II residual blocks;
    ``kl_weight``: weight of the CA KL term (2.0 in the StackGAN code); ``stage2_residual``: Stage II
    outputs the upsampled Stage-I image plus a learned residual (our choice, on by default: StackGAN-v1
    has no such path and the paper is silent; it keeps a briefly trained Stage II from drawing flat grey).
    """

    ZERO_ALLOWED: ClassVar[frozenset[str]] = frozenset({"residual_blocks"})
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "text_training": ("frozen", "fine-tune", "scratch"),
        "mismatch_attributes": ("all", "paper", "shifted"),
        "aux_attributes": ("all", "paper"),
    }

    gf_dim: int = 16
    df_dim: int = 16
    z_dim: int = 32
    embedding_dim: int = 32
    text_dim: int = 64
    condition_dim: int = 32
    residual_blocks: int = 2
    kl_weight: float = 2.0
    stage2_residual: bool = True
    text_training: str = "frozen"
    """How the text encoder learns (our choice, see README): "frozen" pretrains it by image-text matching on
    the catalog's train split and keeps it fixed (as StackGAN's char-CNN-RNN embedding), "fine-tune" trains
    the pretrained encoder on with the generator, "scratch" trains it with the generator only."""
    text_pretrain_epochs: int = 20
    """Epochs of the image-text matching pretraining (the epoch with the lowest val-split loss is kept)."""
    mismatch_attributes: str = "all"
    """What a mismatching (real image, text) pair must contradict (:mod:`ganbench.models.mismatch`):
    "all" = any labelled attribute the text names (type, gender, colour cluster, fit, length), "paper" =
    type, gender or colour only (the attributes the paper's classifier judges), "shifted" = the official
    StackGAN pairing with the next image of the shuffled batch, whatever it shows."""
    mode_seeking_weight: float = 0.0
    """Weight of the mode-seeking term (Mao et al., CVPR 2019): the generator also draws every sample with a
    second noise and is pushed to make the two images differ in proportion to their noises; 0 = off."""

    def __post_init__(self) -> None:
        validate_options(self)


@dataclass
class AuxClassifierOptions(StackGanOptions):
    """StackGAN options plus the auxiliary classifier (AC-GAN): its loss weight and what it judges."""

    aux_weight: float = 1.0
    """Weight of both classification losses (the discriminator's on real, the generator's on fake)."""
    aux_attributes: str = "all"
    """Which labelled attributes get a classifier head: "all" = every attribute the catalog labels with two
    or more classes (type, gender, colour cluster, fit, length), "paper" = the paper's type, gender and
    colour."""

"""Model options: pydantic models declared like the settings tree's tables (one typed field per option
with its default and a one-line docstring under it), checked by the same machinery when a cell's
settings are built (:mod:`ganbench.config.options`).

Strict like the tree: ``"8"`` is not an integer and ``1`` is not ``true``; unknown options are errors.
Widths are at least 1 (``residual_blocks`` may be 0); weights are finite and 0 or more. A bad value is a
``pydantic.ValidationError`` (a ``ValueError``) naming the option.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Width = Annotated[int, Field(ge=1)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
TextTraining = Literal["frozen", "fine-tune", "scratch"]


class ModelOptions(BaseModel):
    """Base of a model's options ([model.options]): strict, unknown keys refused, field docstrings kept."""

    model_config = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)


class StackGanOptions(ModelOptions):
    """Widths and weights of every StackGAN-family model (defaults: a small CPU configuration)."""

    gf_dim: Width = 16
    """Generator base width (StackGAN paper scale: 128 for Stage I)."""
    df_dim: Width = 16
    """Discriminator base width (StackGAN paper scale: 64 for Stage I)."""
    z_dim: Width = 32
    """Noise size."""
    embedding_dim: Width = 32
    """Word embedding size."""
    text_dim: Width = 64
    """Text embedding size."""
    condition_dim: Width = 32
    """Conditioning-augmentation code size."""
    residual_blocks: Annotated[int, Field(ge=0)] = 2
    """Stage-II residual blocks (0 or more)."""
    kl_weight: Weight = 2.0
    """Weight of the conditioning-augmentation KL term (2.0 in the StackGAN code)."""
    stage2_residual: bool = True
    """Stage II outputs the upsampled Stage-I image plus a learned residual (our choice: StackGAN-v1 has
    no such path and the paper is silent; it keeps a briefly trained Stage II from drawing flat grey)."""
    text_training: TextTraining = "frozen"
    """How the text encoder learns (our choice, see README): "frozen" pretrains it by image-text matching on
    the catalog's train split and keeps it fixed (as StackGAN's char-CNN-RNN embedding), "fine-tune" trains
    the pretrained encoder on with the generator, "scratch" trains it with the generator only."""
    text_pretrain_epochs: Width = 20
    """Epochs of the image-text matching pretraining (the epoch with the lowest val-split loss is kept)."""
    mismatch_attributes: Literal["all", "paper", "shifted"] = "all"
    """What a mismatching (real image, text) pair must contradict (:mod:`ganbench.models.mismatch`):
    "all" = any labelled attribute the text names (type, gender, colour cluster, fit, length), "paper" =
    type, gender or colour only (the attributes the paper's classifier judges), "shifted" = the official
    StackGAN pairing with the next image of the shuffled batch, whatever it shows."""
    mode_seeking_weight: Weight = 0.0
    """Weight of the mode-seeking term (Mao et al., CVPR 2019): the generator also draws every sample with a
    second noise and is pushed to make the two images differ in proportion to their noises; 0 = off."""


class AuxClassifierOptions(StackGanOptions):
    """StackGAN options plus the auxiliary classifier (AC-GAN): its loss weight and what it judges."""

    aux_weight: Weight = 1.0
    """Weight of both classification losses (the discriminator's on real, the generator's on fake)."""
    aux_attributes: Literal["all", "paper"] = "all"
    """Which labelled attributes get a classifier head: "all" = every attribute the catalog labels with two
    or more classes (type, gender, colour cluster, fit, length), "paper" = the paper's type, gender and
    colour."""

"""The shared StackGAN model that every registered model of the zoo configures with a :class:`Recipe`.

One training step = one discriminator update + one generator update (StackGAN): the discriminator sees
real/matching, real/mismatching (an item contradicting the text: :mod:`ganbench.models.mismatch`) and
fake pairs, conditioned on the detached CA mean as in the StackGAN code; the generator minimises the
non-saturating adversarial loss plus ``kl_weight`` x KL. Phases: ``stage1`` trains the text encoder
(unless it is frozen), Stage-I CA/generator and the Stage-I discriminator; ``stage2`` keeps all of those
fixed and trains the Stage-II CA/generator and the Stage-II discriminator (StackGAN freezes Stage I);
``joint`` trains both at once, Stage II reading the detached Stage-I image (as the official Stage II does).

Choices where the papers are silent (ours):
- The text encoder lives inside ``generator``, so EMA covers it; the discriminator sees only the detached
  CA mean. By default (``text_training = "frozen"``) it is pretrained by image–text matching on the
  catalog's train split and kept fixed, as StackGAN's char-CNN-RNN embedding was
  (:meth:`StackGanModel.text_pretraining`, run by the harness through :mod:`ganbench.text`);
  ``"fine-tune"`` trains the pretrained encoder on with the generator, ``"scratch"`` trains it with the
  generator only (which without an auxiliary classifier collapses towards the KL prior).
- Auxiliary classifier (AC-GAN): the discriminator learns the classes on real images only; the generator
  is pushed to make fakes classified as the item's labels. Class labels describe the whole item, so for
  query-stream models they apply only to the sample of the last step; label -1 (unknown) is ignored.
  Attributes with fewer than two classes get no head.
- Generation uses the CA mean (no CA noise), so an image changes only with the text and ``z``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ganbench.data.batches import colour_token
from ganbench.models.base import GanModel, ModelContext
from ganbench.models.mismatch import attribute_word_table, wrong_items
from ganbench.models.options import StackGanOptions
from ganbench.models.text_inputs import TEXT_INPUTS, SampleSet, step_samples, stream_samples, title_samples
from ganbench.nn.discriminators import Discriminator
from ganbench.nn.generators import GeneratorOutput, TwoStageGenerator
from ganbench.nn.losses import (
    classification_loss,
    consistency_loss,
    discriminator_loss,
    generator_adversarial_loss,
    kl_divergence,
)
from ganbench.nn.text_encoders import TEXT_ENCODERS, build_text_encoder
from ganbench.text.matching import MatchingOptions, TextPretraining

PHASE_STAGES: dict[str, tuple[int, ...]] = {"stage1": (1,), "stage2": (2,), "joint": (1, 2)}


@dataclass(frozen=True)
class Recipe:
    """What distinguishes one StackGAN-family model from another (everything else is shared)."""

    text_encoder: str  # "bow" | "lstm"
    text_input: str  # "title" | "query_steps"
    aux_classifier: bool = False
    aux_weight: float = 1.0
    shared_noise: bool = False
    consistency_weight: float = 0.0
    colour_model: bool = False
    colour_centroid_feature: bool = False

    def check(self, context: ModelContext) -> None:
        if self.text_encoder not in TEXT_ENCODERS:
            raise ValueError(
                f"text encoder must be one of {sorted(TEXT_ENCODERS)}, got {self.text_encoder!r}"
            )
        if self.text_input not in TEXT_INPUTS:
            raise ValueError(f"text input must be one of {list(TEXT_INPUTS)}, got {self.text_input!r}")
        if self.colour_model and context.lookup is None:
            raise ValueError(
                "option colour_model = true needs a colour lookup table, but the model context has "
                "none; set colour_model = false or configure data.colour_lookup"
            )
        if self.colour_model and self.text_input != "query_steps":
            raise ValueError(
                "the colour model replaces colour words in query streams; it needs text input "
                f"'query_steps', not {self.text_input!r}"
            )
        if self.colour_centroid_feature and not self.colour_model:
            raise ValueError("option colour_centroid_feature = true needs colour_model = true")


def _stage_sizes(image_sizes: tuple[int, ...]) -> tuple[int, int]:
    if len(image_sizes) != 2 or image_sizes[1] < image_sizes[0]:
        raise ValueError(
            f"image_sizes must be (stage1, stage2) with stage2 >= stage1, got {tuple(image_sizes)}"
        )
    return int(image_sizes[0]), int(image_sizes[1])


@contextmanager
def _frozen(module: nn.Module) -> Iterator[None]:
    """Parameters of ``module`` get no gradients inside the block (saves the discriminator's weight grads
    during the generator update)."""
    flags = [(p, p.requires_grad) for p in module.parameters()]
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)


@contextmanager
def _evaluating(module: nn.Module) -> Iterator[None]:
    """``module`` in eval mode inside the block, back in its former mode afterwards."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


class StackGanModel(GanModel):
    """A two-stage StackGAN whose text side, auxiliary heads and noise policy come from :meth:`recipe`."""

    options_class = StackGanOptions

    @classmethod
    @abstractmethod
    def recipe(cls, options: Any) -> Recipe:
        """The model's recipe, built from its options."""

    def __init__(self, options: Any, context: ModelContext) -> None:
        super().__init__(options, context)
        self.settings = self.recipe(options)
        self.settings.check(context)
        self.image_sizes = _stage_sizes(context.image_sizes)
        o = options
        n_tokens = len(context.vocabulary)  # includes the colour-cluster tokens
        encoder = build_text_encoder(
            self.settings.text_encoder, n_tokens, o.embedding_dim, o.text_dim, self._centroid_features()
        )
        self.image_generator = TwoStageGenerator(
            encoder,
            o.text_dim,
            o.condition_dim,
            o.z_dim,
            o.gf_dim,
            self.image_sizes,
            o.residual_blocks,
            o.stage2_residual,
        )
        if o.text_training == "frozen":  # pretrained by the harness (text_pretraining), then fixed
            self.image_generator.text_encoder.requires_grad_(False)
        classes = self._class_counts()
        self.discriminators = nn.ModuleDict(
            {  # Stage II has StackGAN's extra unconditional head
                f"stage{stage}": Discriminator(size, o.df_dim, o.condition_dim, stage == 2, classes)
                for stage, size in enumerate(self.image_sizes, start=1)
            }
        )
        words = attribute_word_table(context.vocabulary, context.lookup)
        self.register_buffer("attribute_words", words, persistent=False)  # for mismatching pairs
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.to(context.device)

    # --- construction helpers -------------------------------------------------------------------------
    def _class_counts(self) -> dict[str, int]:
        if not self.settings.aux_classifier:
            return {}
        return {name: int(n) for name, n in self.context.n_classes.items() if n >= 2}

    def _centroid_features(self) -> Tensor | None:
        """Per-token Lab centroid / 100 for colour-cluster tokens (zeros for other tokens)."""
        if not self.settings.colour_centroid_feature:
            return None
        vocabulary, lookup = self.context.vocabulary, self.context.lookup
        table = torch.zeros(len(vocabulary), 3)
        for cluster in range(lookup.n_clusters):
            token = colour_token(cluster)
            if token in vocabulary:
                table[vocabulary.id_of(token)] = (
                    torch.as_tensor(lookup.centroid(cluster), dtype=torch.float32) / 100
                )
        return table

    # --- the interface ----------------------------------------------------------------------------------
    @property
    def generator(self) -> nn.Module:
        return self.image_generator

    def configure_optimizers(self, train_options: Any) -> dict[str, torch.optim.Optimizer]:
        """Adam for the generator and the discriminators with ``train_options.lr`` and ``.betas``
        (StackGAN: 2e-4, (0.5, 0.999), also the defaults when ``train_options`` lacks them).

        The fused Adam kernel is used on CPU and CUDA: same update, several times faster on this CPU
        (measured: 275 vs 715 ms per step for 9.7 M parameters under load)."""
        lr = float(getattr(train_options, "lr", 2e-4))
        betas = tuple(getattr(train_options, "betas", (0.5, 0.999)))
        fused = next(self.parameters()).device.type in ("cpu", "cuda") or None
        parts = {"generator": self.image_generator, "discriminator": self.discriminators}
        self.optimizers = {
            name: torch.optim.Adam(_trainable(part), lr=lr, betas=betas, fused=fused)
            for name, part in parts.items()
        }
        return self.optimizers

    def train_step(self, batch: dict[str, Any], step: int, phase: str) -> dict[str, float]:
        if phase not in PHASE_STAGES:
            raise ValueError(f"phase must be one of {sorted(PHASE_STAGES)}, got {phase!r}")
        if not self.optimizers:
            raise RuntimeError("call configure_optimizers(train_options) before train_step")
        stages = PHASE_STAGES[phase]
        with torch.set_grad_enabled(1 in stages):  # the text encoder trains with Stage I
            samples = self._batch_samples(batch)
        noise = samples.noise(self.options.z_dim, samples.embedding.dtype)
        output = self.image_generator(samples.embedding, noise, stages)
        losses = self._discriminator_step(batch, samples, output, stages)
        losses.update(self._generator_step(batch, samples, output, stages))
        return dict(
            zip(losses, torch.stack([v.detach().float() for v in losses.values()]).tolist(), strict=True)
        )

    @torch.no_grad()
    def generate(self, query_streams: list[list[str]], seed: int) -> list[Tensor]:
        _check_streams(query_streams)
        generator = self.image_generator
        with _evaluating(generator):
            samples = self._stream_samples(query_streams)
            rng = torch.Generator(device=samples.embedding.device).manual_seed(int(seed))
            noise = samples.noise(self.options.z_dim, samples.embedding.dtype, rng)
            images = generator(samples.embedding, noise, (1, 2), sample=False).images[2]
        pixels = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu()
        return list(pixels.split([len(stream) for stream in query_streams]))

    @torch.no_grad()
    def conditioning(self, query_streams: list[list[str]]) -> tuple[Tensor, Tensor]:
        """Stage I's conditioning augmentation (the one the text encoder learns through) at the last step
        of every stream: its mean and sigma, in eval mode."""
        _check_streams(query_streams)
        with _evaluating(self.image_generator):
            samples = self._stream_samples(query_streams)  # one per step, stream-major
            last = torch.tensor([len(s) for s in query_streams]).cumsum(0).sub(1).to(samples.item.device)
            _, mu, logvar = self.image_generator.stage1_conditioning(samples.embedding[last], False)
        return mu.float(), torch.exp(0.5 * logvar.float())

    def text_pretraining(self) -> TextPretraining | None:
        """The encoder and how this model reads a batch, for the image–text matching pretraining;
        ``None`` with ``text_training = "scratch"``. Models reading the same text with the same encoder get
        the same identity, so they share one pretrained encoder."""
        o, recipe = self.options, self.settings
        if o.text_training == "scratch":
            return None
        identity = {"encoder": recipe.text_encoder, "text_input": recipe.text_input,
                    "colour_model": recipe.colour_model, "centroid_feature": recipe.colour_centroid_feature,
                    "embedding_dim": o.embedding_dim, "text_dim": o.text_dim}
        return TextPretraining(encoder=self.image_generator.text_encoder, embed=self._batch_samples,
                               text_dim=o.text_dim, identity=identity,
                               options=MatchingOptions(epochs=o.text_pretrain_epochs))

    def token_embeddings(self) -> tuple[list[str], Tensor] | None:
        weight = self.image_generator.text_encoder.words.embedding.weight
        return list(self.context.vocabulary.tokens), weight.detach().float().cpu()

    # --- the training step's parts ----------------------------------------------------------------------
    def _stream_samples(self, query_streams: list[list[str]]) -> SampleSet:
        """Samples of raw query streams (generation and the conditioning diagnostic)."""
        generator = self.image_generator
        return stream_samples(
            generator.text_encoder,
            self.settings.text_input,
            query_streams,
            self.context.vocabulary,
            self.context.lookup,
            self.settings.colour_model,
            self.settings.shared_noise,
            next(generator.parameters()).device,
        )

    def _batch_samples(self, batch: dict[str, Any]) -> SampleSet:
        encoder = self.image_generator.text_encoder
        if self.settings.text_input == "title":
            return title_samples(encoder, batch["title_tokens"], batch["title_lengths"])
        return step_samples(encoder, batch["query_tokens"], batch["step_ends"], self.settings.shared_noise)

    def _real_images(self, batch: dict[str, Any], stage: int) -> Tensor:
        size = self.image_sizes[stage - 1]
        if size not in batch["images"]:
            raise KeyError(
                f"the batch has images at sizes {sorted(batch['images'])}, the model needs {size} px"
            )
        return batch["images"][size]

    def _sample_labels(self, batch: dict[str, Any], samples: SampleSet) -> dict[str, Tensor]:
        """Each sample's class labels; -1 (ignored) where the sample does not see the whole item."""
        return {
            name: torch.where(samples.final, batch["labels"][name][samples.item], -1)
            for name in self._class_counts()
        }

    def _discriminator_step(
        self, batch: dict[str, Any], samples: SampleSet, output: GeneratorOutput, stages: tuple[int, ...]
    ) -> dict[str, Tensor]:
        optimizer = self.optimizers["discriminator"]
        optimizer.zero_grad(set_to_none=True)
        adversarial = classes = samples.embedding.new_zeros((), dtype=torch.float32)
        wrong = wrong_items(batch, self.settings.text_input, self.attribute_words, samples.item)
        for stage in stages:
            critic = self.discriminators[f"stage{stage}"]
            real = critic.features(self._real_images(batch, stage))
            fake = critic.features(output.images[stage].detach())
            condition = output.mu[stage].detach()
            adversarial = adversarial + discriminator_loss(
                critic.conditional_logits(real[samples.item], condition),
                critic.conditional_logits(real[wrong], condition),
                critic.conditional_logits(fake, condition),
                critic.unconditional_logits(real),
                critic.unconditional_logits(fake),
            )
            if self.settings.aux_classifier:
                labels = {name: batch["labels"][name] for name in self._class_counts()}
                classes = classes + classification_loss(critic.class_logits(real), labels)
        loss = adversarial + self.settings.aux_weight * classes
        loss.backward()
        optimizer.step()
        losses = {"d_loss": loss, "d_adversarial": adversarial}
        if self.settings.aux_classifier:
            losses["d_classes"] = classes
        return losses

    def _generator_step(
        self, batch: dict[str, Any], samples: SampleSet, output: GeneratorOutput, stages: tuple[int, ...]
    ) -> dict[str, Tensor]:
        optimizer = self.optimizers["generator"]
        optimizer.zero_grad(set_to_none=True)
        zero = samples.embedding.new_zeros((), dtype=torch.float32)
        adversarial = kl = classes = consistency = zero
        with _frozen(self.discriminators):
            for stage in stages:
                critic = self.discriminators[f"stage{stage}"]
                fake = critic.features(output.images[stage])
                adversarial = adversarial + generator_adversarial_loss(
                    critic.conditional_logits(fake, output.mu[stage].detach()),
                    critic.unconditional_logits(fake),
                )
                kl = kl + kl_divergence(output.mu[stage], output.logvar[stage])
                if self.settings.aux_classifier:
                    classes = classes + classification_loss(
                        critic.class_logits(fake), self._sample_labels(batch, samples)
                    )
                if self.settings.consistency_weight > 0:
                    consistency = consistency + consistency_loss(output.images[stage], samples.previous)
        loss = (
            adversarial
            + self.options.kl_weight * kl
            + self.settings.aux_weight * classes
            + self.settings.consistency_weight * consistency
        )
        loss.backward()
        optimizer.step()
        losses = {"g_loss": loss, "g_adversarial": adversarial, "kl": kl}
        if self.settings.aux_classifier:
            losses["g_classes"] = classes
        if self.settings.consistency_weight > 0:
            losses["consistency"] = consistency
        return losses


def _trainable(module: nn.Module) -> list[nn.Parameter]:
    return [p for p in module.parameters() if p.requires_grad]


def _check_streams(query_streams: Any) -> None:
    """Query streams must be a list of non-empty lists of non-empty strings."""
    if not isinstance(query_streams, (list, tuple)) or not query_streams:
        raise ValueError(f"query_streams must be a non-empty list of query streams, got {query_streams!r}")
    for number, stream in enumerate(query_streams, start=1):
        if isinstance(stream, str) or not isinstance(stream, (list, tuple)) or not stream:
            raise ValueError(f"query stream {number} must be a non-empty list of steps, got {stream!r}")
        if not all(isinstance(step, str) and step.strip() for step in stream):
            raise ValueError(f"query stream {number} has an empty or non-text step: {stream!r}")

"""The shared StackGAN model that every registered model of the zoo configures with a :class:`Recipe`.

One training step = one discriminator update + one generator update (StackGAN): the discriminator sees
real/matching, real/mismatching (an item contradicting the text: :mod:`ganbench.models.mismatch`) and
fake pairs, conditioned on the detached CA mean as in the StackGAN code; the generator minimises the
non-saturating adversarial loss plus ``kl_weight`` x KL (plus, where the recipe asks, the auxiliary
classes, the step consistency and the mode-seeking term). Phases: ``stage1`` trains the text encoder
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
  Attributes with fewer than two classes get no head. Which attributes get one is the recipe's
  ``aux_attributes`` (option ``aux_attributes``: the paper's type / gender / colour, or also fit and
  length, the words that refine a query: without them nothing but the adversarial loss asks for those).
- Mode seeking (Mao et al., CVPR 2019, option ``mode_seeking_weight``): the generator draws every sample a
  second time with other noise (shared across a stream's steps where the model shares noise) and adds
  ``weight / (mean|G(z1) - G(z2)| / mean|z1 - z2| + 1e-5)`` per stage (batch means), MSGAN's term; the
  second images are not shown to the discriminator. The CA noise of the two draws differs too.
- Generation samples the CA code as training does (the official StackGAN test code samples it too), with
  its noise drawn from the generation seed and shared like ``z``: batch-norm statistics are learned on
  sampled codes, and the CA mean alone gave Stage I's first layer 0.70 of the variance that those
  statistics normalise by in a 400-step run (issue 18), a shift that differed by model.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ganbench.data.batches import TextPolicy, colour_token
from ganbench.models.base import GanModel, ModelContext, TrainingPhase
from ganbench.models.mismatch import (
    ALL_ATTRIBUTES,
    ATTRIBUTE_SETS,
    attribute_word_table,
    shifted_items,
    wrong_items,
)
from ganbench.models.options import StackGanOptions
from ganbench.models.text_inputs import SampleSet, generation_samples, step_samples, title_samples
from ganbench.nn.discriminators import Discriminator
from ganbench.nn.generators import GeneratorOutput, TwoStageGenerator
from ganbench.nn.losses import (
    classification_loss,
    consistency_loss,
    discriminator_loss,
    generator_adversarial_loss,
    kl_divergence,
    mode_seeking_loss,
)
from ganbench.nn.text_encoders import TEXT_ENCODERS, build_text_encoder
from ganbench.text.matching import MatchingOptions, TextPretraining

PHASE_STAGES: dict[str, tuple[int, ...]] = {"stage1": (1,), "stage2": (2,), "joint": (1, 2)}
STACKGAN_PHASES = [TrainingPhase("stage1", ("train.stage1_steps",)),
                   TrainingPhase("stage2", ("train.stage2_steps",))]


@dataclass(frozen=True)
class Recipe:
    """What distinguishes one StackGAN-family model from another (everything else is shared)."""

    text_encoder: str  # "bow" | "lstm"
    text: TextPolicy
    aux_classifier: bool = False
    aux_weight: float = 1.0
    shared_noise: bool = False
    consistency_weight: float = 0.0
    colour_centroid_feature: bool = False
    aux_attributes: tuple[str, ...] = ALL_ATTRIBUTES  # heads, where the catalog labels >= 2 classes
    mismatch_attributes: str = "all"  # a key of mismatch.ATTRIBUTE_SETS, or "shifted"
    mode_seeking_weight: float = 0.0

    @classmethod
    def shared_options(cls, options: Any) -> dict[str, Any]:
        """The recipe fields every StackGAN-family model takes from its options alike."""
        return {"mismatch_attributes": options.mismatch_attributes,
                "mode_seeking_weight": options.mode_seeking_weight}

    def check(self, context: ModelContext) -> None:
        if self.text_encoder not in TEXT_ENCODERS:
            raise ValueError(
                f"text encoder must be one of {sorted(TEXT_ENCODERS)}, got {self.text_encoder!r}"
            )
        if self.text.colour_tokens and context.lookup is None:
            raise ValueError(
                "option colour_model = true needs a colour lookup table, but the model context has "
                "none; set colour_model = false or configure data.colour_lookup"
            )
        if self.text.colour_tokens and self.text.reads != "query_stream":
            raise ValueError(
                "the colour model replaces colour words in query streams; it needs a model that reads "
                f"the query stream, not the {self.text.reads}"
            )
        if self.colour_centroid_feature and not self.text.colour_tokens:
            raise ValueError("option colour_centroid_feature = true needs colour_model = true")
        if self.mismatch_attributes not in (*ATTRIBUTE_SETS, "shifted"):
            raise ValueError(f"mismatch_attributes must be one of {[*ATTRIBUTE_SETS, 'shifted']}, "
                             f"got {self.mismatch_attributes!r}")


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
        self.image_sizes = (int(context.image_sizes[0]), int(context.image_sizes[-1]))
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
        self.contradicted = ATTRIBUTE_SETS.get(self.settings.mismatch_attributes, ())
        words = attribute_word_table(context.vocabulary, context.lookup, self.contradicted)
        self.register_buffer("attribute_words", words, persistent=False)  # for mismatching pairs
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.to(context.device)

    # --- construction helpers -------------------------------------------------------------------------
    def _class_counts(self) -> dict[str, int]:
        if not self.settings.aux_classifier:
            return {}
        judged = self.settings.aux_attributes
        return {name: int(n) for name, n in self.context.n_classes.items() if n >= 2 and name in judged}

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
        """Adam for the generator and the discriminators with ``train_options.lr`` and ``.betas`` (the
        [train] settings; their defaults are StackGAN's 2e-4 and (0.5, 0.999)).

        The fused Adam kernel is used on CPU and CUDA: same update, several times faster on this CPU
        (measured: 275 vs 715 ms per step for 9.7 M parameters under load)."""
        lr, betas = float(train_options.lr), tuple(train_options.betas)
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
        second = None
        if self.settings.mode_seeking_weight > 0:
            other_noise = samples.noise(self.options.z_dim, samples.embedding.dtype)
            second = (noise, other_noise, self.image_generator(samples.embedding, other_noise, stages))
        losses.update(self._generator_step(batch, samples, output, stages, second))
        return dict(
            zip(losses, torch.stack([v.detach().float() for v in losses.values()]).tolist(), strict=True)
        )

    def phases(self) -> list[TrainingPhase]:
        return list(STACKGAN_PHASES)

    def text_policy(self) -> TextPolicy:
        return self.settings.text

    def draw(self, queries: dict[str, Tensor], seed: int) -> Tensor:
        generator = self.image_generator
        rng = torch.Generator(device=queries["n_steps"].device).manual_seed(int(seed))
        samples = generation_samples(generator.text_encoder, queries, self.settings.shared_noise)
        dtype = samples.embedding.dtype
        noise = samples.noise(self.options.z_dim, dtype, rng)
        condition_noise = {stage: samples.noise(self.options.condition_dim, dtype, rng) for stage in (1, 2)}
        return generator(samples.embedding, noise, (1, 2), condition_noise=condition_noise).images[2]

    def text_conditioning(self, queries: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """Stage I's conditioning augmentation (the one the text encoder learns through) at the last step
        of every stream: its mean and sigma."""
        samples = generation_samples(self.image_generator.text_encoder, queries, self.settings.shared_noise)
        last = queries["n_steps"].cumsum(0).sub(1)  # samples are one per step, stream-major
        _, mu, logvar = self.image_generator.stage1_conditioning(samples.embedding[last], False)
        return mu.float(), torch.exp(0.5 * logvar.float())

    def text_pretraining(self) -> TextPretraining | None:
        """The encoder and how this model reads a batch, for the image–text matching pretraining;
        ``None`` with ``text_training = "scratch"``. Models reading the same text with the same encoder get
        the same identity, so they share one pretrained encoder."""
        o, recipe = self.options, self.settings
        if o.text_training == "scratch":
            return None
        identity = {"encoder": recipe.text_encoder, "reads": recipe.text.reads,
                    "colour_tokens": recipe.text.colour_tokens,
                    "centroid_feature": recipe.colour_centroid_feature,
                    "embedding_dim": o.embedding_dim, "text_dim": o.text_dim}
        return TextPretraining(encoder=self.image_generator.text_encoder, embed=self._batch_samples,
                               text_dim=o.text_dim, identity=identity,
                               options=MatchingOptions(epochs=o.text_pretrain_epochs))

    def token_embeddings(self) -> tuple[list[str], Tensor] | None:
        weight = self.image_generator.text_encoder.words.embedding.weight
        return list(self.context.vocabulary.tokens), weight.detach().float().cpu()

    # --- the training step's parts ----------------------------------------------------------------------
    def _batch_samples(self, batch: dict[str, Any]) -> SampleSet:
        encoder = self.image_generator.text_encoder
        if self.settings.text.reads == "title":
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

    def _wrong_items(self, batch: dict[str, Any], samples: SampleSet) -> Tensor:
        """The real item each sample is paired with as a mismatching pair (option mismatch_attributes)."""
        if self.settings.mismatch_attributes == "shifted":
            return shifted_items(batch, samples.item)
        return wrong_items(batch, self.settings.text.reads, self.attribute_words, samples.item,
                           self.contradicted)

    def _discriminator_step(
        self, batch: dict[str, Any], samples: SampleSet, output: GeneratorOutput, stages: tuple[int, ...]
    ) -> dict[str, Tensor]:
        optimizer = self.optimizers["discriminator"]
        optimizer.zero_grad(set_to_none=True)
        adversarial = classes = samples.embedding.new_zeros((), dtype=torch.float32)
        wrong = self._wrong_items(batch, samples)
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
        self, batch: dict[str, Any], samples: SampleSet, output: GeneratorOutput, stages: tuple[int, ...],
        second: tuple[Tensor, Tensor, GeneratorOutput] | None = None,
    ) -> dict[str, Tensor]:
        """The generator update; ``second`` = (noise, other noise, the images drawn with the other noise)
        for the mode-seeking term."""
        optimizer = self.optimizers["generator"]
        optimizer.zero_grad(set_to_none=True)
        zero = samples.embedding.new_zeros((), dtype=torch.float32)
        adversarial = kl = classes = consistency = mode_seeking = zero
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
                if second is not None:
                    noise, other_noise, other = second
                    mode_seeking = mode_seeking + mode_seeking_loss(
                        output.images[stage], other.images[stage], noise, other_noise)
        loss = (
            adversarial
            + self.options.kl_weight * kl
            + self.settings.aux_weight * classes
            + self.settings.consistency_weight * consistency
            + self.settings.mode_seeking_weight * mode_seeking
        )
        loss.backward()
        optimizer.step()
        losses = {"g_loss": loss, "g_adversarial": adversarial, "kl": kl}
        if self.settings.aux_classifier:
            losses["g_classes"] = classes
        if self.settings.consistency_weight > 0:
            losses["consistency"] = consistency
        if second is not None:
            losses["mode_seeking"] = mode_seeking
        return losses


def _trainable(module: nn.Module) -> list[nn.Parameter]:
    return [p for p in module.parameters() if p.requires_grad]

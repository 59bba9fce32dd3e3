"""``stackgan-ac``: ``stackgan-lstm`` plus an auxiliary classifier (AC-GAN).

The classifier judges the same attributes as restgan's (option ``aux_attributes``: all five labelled
attributes by default, or the paper's type, gender and colour), so the ladder's step from stackgan-lstm to
stackgan-ac adds exactly what restgan has.

Choices (the paper is silent): one 4x4-conv classification head per attribute on each discriminator's
features; the discriminator learns the classes on real images only, the generator is pushed towards the
item's classes; the colour classes are the lookup table's clusters (the harness's labels); unknown
labels (-1) are ignored; ``aux_weight`` scales both classification losses.
"""

from __future__ import annotations

from ganbench.data.batches import TextPolicy
from ganbench.models.mismatch import ATTRIBUTE_SETS
from ganbench.models.options import AuxClassifierOptions
from ganbench.models.registry import register_model
from ganbench.models.stackgan import Recipe, StackGanModel


@register_model("stackgan-ac")
class StackGanAc(StackGanModel):
    options_class = AuxClassifierOptions
    description = "StackGAN-LSTM on the title plus an auxiliary classifier (option aux_attributes)"

    @classmethod
    def recipe(cls, options: AuxClassifierOptions) -> Recipe:
        return Recipe(
            text_encoder="lstm", text=TextPolicy("title"), aux_classifier=True, aux_weight=options.aux_weight,
            aux_attributes=ATTRIBUTE_SETS[options.aux_attributes], **Recipe.shared_options(options),
        )

"""``stackgan-bow``: StackGAN conditioned on the whole product title through a bag-of-words encoder.

Choices (the paper is silent): the title's word embeddings are averaged and projected by a linear layer +
LeakyReLU to the text embedding; by default (``text_training = "frozen"``) this encoder is pretrained by
image-text matching and kept fixed, as for every model (``"fine-tune"`` / ``"scratch"`` train it with the
generator); no auxiliary classifier; at generation every prefix of a query stream is read as a title and
answered independently with its own noise.
"""

from __future__ import annotations

from ganbench.data.batches import TextPolicy
from ganbench.models.options import StackGanOptions
from ganbench.models.registry import register_model
from ganbench.models.stackgan import Recipe, StackGanModel


@register_model("stackgan-bow")
class StackGanBow(StackGanModel):
    options_class = StackGanOptions
    description = "StackGAN on the whole title, bag-of-words text encoder"

    @classmethod
    def recipe(cls, options: StackGanOptions) -> Recipe:
        return Recipe(text_encoder="bow", text=TextPolicy("title"), **Recipe.shared_options(options))

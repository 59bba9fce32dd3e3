"""``stackgan-lstm``: StackGAN conditioned on the whole product title through an LSTM encoder.

Choices (the paper is silent): one unidirectional LSTM layer, by default (``text_training = "frozen"``)
pretrained by image-text matching and kept fixed, as for every model (``"fine-tune"`` / ``"scratch"``
train it with the generator); the text embedding is its hidden state after the title's last word; no
auxiliary classifier; at generation every prefix of a query stream is read as a title and answered
independently with its own noise.
"""

from __future__ import annotations

from ganbench.data.batches import TextPolicy
from ganbench.models.options import StackGanOptions
from ganbench.models.registry import register_model
from ganbench.models.stackgan import Recipe, StackGanModel


@register_model("stackgan-lstm")
class StackGanLstm(StackGanModel):
    options_class = StackGanOptions
    description = "StackGAN on the whole title, LSTM text encoder (last hidden state)"

    @classmethod
    def recipe(cls, options: StackGanOptions) -> Recipe:
        return Recipe(text_encoder="lstm", text=TextPolicy("title"), **Recipe.shared_options(options))

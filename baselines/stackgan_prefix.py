"""``stackgan-prefix``: StackGAN trained on every prefix of the query stream as an independent sample.

The naive way to answer a growing query: each prefix ("women's black pants", "... petite", "... petite
capri") is one training sample paired with the item's image, with fresh noise per prefix, so nothing
ties the images of consecutive steps together.

Choices (the paper is silent): the LSTM encoder (so the only differences from ``restgan`` are the noise,
the auxiliary classifier and the colour model); the LSTM's output at a prefix's last word equals running
it on the prefix alone, so all prefixes of a stream are encoded in one pass; no colour model.
"""

from __future__ import annotations

from ganbench.data.batches import TextPolicy
from ganbench.models.options import StackGanOptions
from ganbench.models.registry import register_model
from ganbench.models.stackgan import Recipe, StackGanModel


@register_model("stackgan-prefix")
class StackGanPrefix(StackGanModel):
    options_class = StackGanOptions
    description = "StackGAN-LSTM trained on every query prefix independently (fresh noise per prefix)"

    @classmethod
    def recipe(cls, options: StackGanOptions) -> Recipe:
        return Recipe(text_encoder="lstm", text=TextPolicy("query_stream"), shared_noise=False,
                      **Recipe.shared_options(options))

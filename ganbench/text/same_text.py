"""Same-text negatives of the matching loss: which in-batch negatives carry exactly the positive's text.

In a contrastive batch every other item's image is a negative for a text sample. When that item reads the
same text (the same opening query step "women's black pants", or the same whole query), the loss asks one
text to prefer its own image over an image it describes just as well. AttnGAN's DAMSM leaves items of the
positive's class out of the negatives; :func:`same_text_masks` does the same for items whose text equals
the positive's (equal token sequences, which is all the encoder reads), used by
``MatchingOptions.mask_same_text``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

READINGS = ("title", "query_stream")


def text_groups(batch: dict[str, Any], item: Tensor, reads: str) -> Tensor:
    """(N,) one id per text sample, equal exactly when two samples' token sequences are equal.

    A title reader has one sample per item (its title); a query-stream reader one per query step in
    item-major order (the query up to that step). Samples in another layout are a ``ValueError``.
    """
    item = item.cpu()
    if reads == "title":
        lengths = batch["title_lengths"].tolist()
        if item.tolist() != list(range(len(lengths))):
            raise ValueError("same-text masking of a title reader needs one text sample per item, in order")
        texts = [tuple(row[:n]) for row, n in zip(batch["title_tokens"].tolist(), lengths, strict=True)]
    elif reads == "query_stream":
        steps = batch["n_steps"].tolist()
        expected = [i for i, n in enumerate(steps) for _ in range(n)]
        if item.tolist() != expected:
            raise ValueError("same-text masking of a query-stream reader needs one text sample per query "
                             "step, item-major")
        tokens, ends = batch["query_tokens"].tolist(), batch["step_ends"].tolist()
        texts = [tuple(tokens[i][: ends[i][s] + 1]) for i, n in enumerate(steps) for s in range(n)]
    else:
        raise ValueError(f"reads must be one of {READINGS}, got {reads!r}")
    ids: dict[tuple, int] = {}
    return torch.tensor([ids.setdefault(text, len(ids)) for text in texts], dtype=torch.long)


def same_text_masks(groups: Tensor, item: Tensor, final: Tensor, n_images: int) -> tuple[Tensor, Tensor]:
    """The negatives to leave out: (N, n_images) text-to-image, True where another item has a sample with
    this sample's text; (F, F) image-to-text over the whole texts (``final``, in order), True where another
    item's whole text equals the image's own."""
    groups = groups.to(item.device)
    same = groups.unsqueeze(1) == groups.unsqueeze(0)
    owner = torch.nn.functional.one_hot(item, n_images).float()
    shares = (same.float() @ owner) > 0
    text_to_image = shares & (torch.arange(n_images, device=item.device) != item.unsqueeze(1))
    whole = groups[final]
    image_to_text = (whole.unsqueeze(1) == whole.unsqueeze(0)) & ~torch.eye(len(whole), dtype=torch.bool,
                                                                             device=item.device)
    return text_to_image, image_to_text

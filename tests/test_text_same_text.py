"""Same-text negatives of the matching pretraining (issue 18): which samples share a text, the masks, the
loss with and without them, the option and its cache key."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from _asserts import raises_naming
from _models_helpers import build_model, tiny_context

from ganbench.data.batches import TextPolicy, encode_for_generation
from ganbench.text.matching import MatchingData, MatchingOptions, matching_loss, train_matching
from ganbench.text.same_text import same_text_masks, text_groups
from ganbench.text.store import text_encoder_key

STREAMS = [["women's black pants", "slim"], ["women's black pants", "capri"], ["men's navy blue jeans"]]


def _query_batch() -> dict:
    context = tiny_context(with_lookup=False)
    return encode_for_generation(STREAMS, context.vocabulary, None, TextPolicy("query_stream"))


def test_query_prefixes_with_equal_words_share_a_group_and_mask_only_other_items():
    batch = _query_batch()
    item, final = torch.tensor([0, 0, 1, 1, 2]), torch.tensor([False, True, False, True, True])
    groups = text_groups(batch, item, "query_stream")
    assert groups.tolist() == [0, 1, 0, 2, 3]  # both opening steps read "women's black pants"
    text_to_image, image_to_text = same_text_masks(groups, item, final, 3)
    assert text_to_image.tolist() == [[False, True, False], [False] * 3, [True, False, False], [False] * 3,
                                      [False] * 3]
    assert not image_to_text.any()  # the whole queries differ


def test_titles_are_grouped_by_their_tokens_and_other_layouts_are_refused():
    batch = {"title_tokens": torch.tensor([[4, 5, 0], [4, 5, 6], [4, 5, 9]]),
             "title_lengths": torch.tensor([2, 2, 3])}
    groups = text_groups(batch, torch.arange(3), "title")
    assert groups.tolist() == [0, 0, 1]  # padding and tokens past the length do not count
    _, image_to_text = same_text_masks(groups, torch.arange(3), torch.ones(3, dtype=torch.bool), 3)
    assert image_to_text.tolist() == [[False, True, False], [True, False, False], [False] * 3]
    with raises_naming(ValueError, "title"):
        text_groups(batch, torch.tensor([0, 0, 1]), "title")
    with raises_naming(ValueError, "query"):
        text_groups(_query_batch(), torch.tensor([0, 1, 2]), "query_stream")


def test_masking_lets_a_text_that_two_items_share_match_without_penalty():
    images = torch.eye(3)
    item, final = torch.tensor([0, 0, 1, 1, 2]), torch.tensor([False, True, False, True, True])
    shared = (images[0] + images[1]) * 10  # one text, equally close to both of its items' images
    text = torch.stack([shared, images[0], shared, images[1], images[2]])
    groups = torch.tensor([0, 1, 0, 2, 3])
    kept = matching_loss(text, item, final, images, 0.01)
    masked = matching_loss(text, item, final, images, 0.01, groups)
    assert masked < 1e-3
    assert kept == pytest.approx(2 * math.log(2) / 5, rel=1e-3)  # two of five samples cannot pick


def test_the_option_trains_with_masks_and_needs_to_know_the_reading():
    model = build_model("stackgan-prefix", context=tiny_context(with_lookup=False))
    spec = model.text_pretraining()
    spec = dataclasses.replace(spec, options=MatchingOptions(epochs=1, batch_size=3, mask_same_text=True))
    start = {k: v.clone() for k, v in spec.encoder.state_dict().items()}
    batch = _query_batch() | {"images": {16: torch.rand(3, 3, 16, 16) * 2 - 1},
                              "labels": {name: torch.zeros(3, dtype=torch.long)
                                         for name in ("type", "gender", "colour")}}
    data = MatchingData(batch=lambda positions: batch, n_train=3, val=[batch], image_size=16)
    with raises_naming(ValueError, "mask_same_text", "MatchingData.reads"):
        train_matching(spec, data, torch.device("cpu"), log=lambda text: None)
    data = dataclasses.replace(data, reads="query_stream")
    losses = {}
    for mask in (True, False):
        spec.encoder.load_state_dict(start)
        options = dataclasses.replace(spec.options, mask_same_text=mask)
        report = train_matching(dataclasses.replace(spec, options=options), data, torch.device("cpu"),
                                log=lambda text: None)
        losses[mask] = report["epochs"][0]["train_loss"]
    assert losses[True] < losses[False]  # the opening steps' shared text no longer counts against them


def test_the_default_keeps_stored_encoders_keys_and_masking_gets_its_own():
    spec = build_model("stackgan-prefix").text_pretraining()
    key = text_encoder_key(spec, "catalog", "vocabulary", "lookup", 64)
    masked = dataclasses.replace(spec, options=dataclasses.replace(spec.options, mask_same_text=True))
    assert text_encoder_key(masked, "catalog", "vocabulary", "lookup", 64) != key
    assert key == "eb44826c1a5a4485"  # the key this encoder had before the option existed

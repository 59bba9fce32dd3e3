"""Mismatching pairs contradict at least one attribute the text names; the shift is only the fallback."""

from __future__ import annotations

import pytest
import torch
from _asserts import raises_naming
from _models_helpers import TrainOptions, build_model, tiny_batch, tiny_context

from ganbench.data.batches import TextPolicy, encode_for_generation
from ganbench.models import stackgan
from ganbench.models.mismatch import (
    ALL_ATTRIBUTES,
    ATTRIBUTE_SETS,
    attribute_word_table,
    contradicting_items,
    named_attributes,
    sample_names,
    wrong_items,
)
from ganbench.models.text_inputs import step_samples, title_samples


def test_word_table_marks_type_gender_and_colour_words():
    context = tiny_context()
    table = attribute_word_table(context.vocabulary, context.lookup)
    marks = {token: tuple(table[context.vocabulary.id_of(token)].tolist())
             for token in ("pants", "women's", "black", "navy", "<colour_1>", "petite")}
    assert marks == {"pants": (True, False, False), "women's": (False, True, False),
                     "black": (False, False, True), "navy": (False, False, True),
                     "<colour_1>": (False, False, True), "petite": (False, False, False)}


def test_a_prefix_names_what_its_words_so_far_name():
    context = tiny_context()
    table = attribute_word_table(context.vocabulary, context.lookup)
    streams = [["women's pants", "black", "petite"], ["red shorts"]]
    encoded = encode_for_generation(streams, context.vocabulary, context.lookup, TextPolicy())
    named = named_attributes(encoded["query_tokens"], encoded["step_ends"], table)
    assert named[0].tolist() == [[True, True, False], [True, True, True], [True, True, True]]
    assert named[1].tolist() == [[True, False, True], [False] * 3, [False] * 3]  # then padding


def test_the_wrong_item_contradicts_a_named_attribute_where_the_shift_would_not():
    labels = torch.tensor([[0, 1, 0], [0, 1, 0], [0, 0, 0], [1, 1, 0]])  # (type, gender, colour) per item
    shift = torch.tensor([1, 2, 3, 0])
    named = torch.tensor([[False, True, False],   # names the gender: only item 2 differs in it
                          [True, False, False],   # names the type: only item 3 differs
                          [False, False, True],   # names the colour: every item has colour 0
                          [False, False, False]])  # names nothing
    item = torch.tensor([0, 0, 0, 0])
    for seed in range(20):
        torch.manual_seed(seed)
        chosen = contradicting_items(named, labels, item, shift)
        assert chosen.tolist() == [2, 3, 1, 1]  # the last two fall back to the shift of item 0


def test_unknown_labels_never_count_as_a_contradiction():
    labels = torch.tensor([[0, 1, 0], [-1, -1, -1], [1, 1, 0]])
    named = torch.tensor([[True, True, True]])
    chosen = {contradicting_items(named, labels, torch.tensor([0]), torch.tensor([1, 2, 0])).item()
              for _ in range(30)}
    assert chosen == {2}


def test_the_draw_spreads_over_every_contradicting_item():
    labels = torch.tensor([[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 0, 0]])
    named = torch.tensor([[True, False, False]])
    torch.manual_seed(0)
    chosen = {contradicting_items(named, labels, torch.tensor([0]), torch.tensor([3, 0, 1, 2])).item()
              for _ in range(60)}
    assert chosen == {1, 2}


def _satisfies(batch, item, other, named, attributes=("type", "gender", "colour")) -> bool:
    own, theirs = ([batch["labels"][a][i].item() for a in attributes] for i in (item, other))
    return all(not n or o < 0 or t < 0 or o == t for n, o, t in zip(named, own, theirs, strict=True))


@pytest.mark.parametrize("name", ["restgan", "stackgan-bow"])
def test_models_pair_every_sample_with_a_contradicting_item(name):
    model = build_model(name)
    batch = tiny_batch(model.context, model.text_policy().colour_tokens)
    # items 0 and 1 agree on every label, so the shift (0 -> 1) would pair item 0 with a matching image
    batch["labels"] = {"type": torch.tensor([0, 0, 2, 1]), "gender": torch.tensor([1, 1, 1, -1]),
                       "colour": torch.tensor([0, 0, 2, -1]), "fit": torch.tensor([0, 0, -1, 1]),
                       "length": torch.tensor([0, 0, 1, -1])}
    encoder = model.generator.text_encoder
    if model.text_policy().reads == "title":
        samples = title_samples(encoder, batch["title_tokens"], batch["title_lengths"])
    else:
        samples = step_samples(encoder, batch["query_tokens"], batch["step_ends"], True)
    torch.manual_seed(0)
    attributes = model.contradicted
    chosen = wrong_items(batch, model.text_policy().reads, model.attribute_words, samples.item, attributes)
    named = sample_names(batch, model.text_policy().reads, model.attribute_words)
    for sample, other in enumerate(chosen.tolist()):
        item = samples.item[sample].item()
        assert other != item
        assert not _satisfies(batch, item, other, named[sample].tolist(), attributes), (sample, item, other)


def test_the_training_step_uses_the_drawn_wrong_items(monkeypatch):
    model = build_model("stackgan-lstm")
    model.configure_optimizers(TrainOptions())
    calls = []
    original = stackgan.wrong_items

    def recording(*args):
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr(stackgan, "wrong_items", recording)
    model.train_step(tiny_batch(model.context, False), 0, "stage1")
    assert len(calls) == 1 and len(calls[0]) == 4


def test_with_all_attributes_the_word_table_marks_fit_and_length_words():
    context = tiny_context()
    table = attribute_word_table(context.vocabulary, context.lookup, ALL_ATTRIBUTES)
    marks = {token: tuple(table[context.vocabulary.id_of(token)].tolist()) for token in ("slim", "capri")}
    assert marks == {"slim": (False, False, False, True, False), "capri": (False, False, False, False, True)}


def test_all_attributes_find_an_item_that_differs_only_in_fit_where_the_paper_three_fall_back():
    labels = torch.tensor([[0, 1, 0, 0, 0], [0, 1, 0, 1, 0], [0, 1, 0, 0, 0]])  # item 1 differs in fit only
    named = torch.tensor([[True, True, True, True, False]])  # a prefix that names fit ("... slim")
    item, shift = torch.tensor([0]), torch.tensor([2, 0, 1])
    chosen_all = {contradicting_items(named, labels, item, shift).item() for _ in range(20)}
    chosen_paper = contradicting_items(named[:, :3], labels[:, :3], item, shift).item()
    assert chosen_all == {1} and chosen_paper == 2  # the paper's three: nothing contradicts, the shift


@pytest.mark.parametrize("mode", ["paper", "all"])
def test_the_model_contradicts_the_attributes_its_option_names(mode):
    model = build_model("restgan", mismatch_attributes=mode)
    assert model.contradicted == ATTRIBUTE_SETS[mode]
    assert model.attribute_words.shape[1] == len(ATTRIBUTE_SETS[mode])


def test_shifted_mismatch_is_the_official_pairing(monkeypatch):
    model = build_model("restgan", mismatch_attributes="shifted")
    model.configure_optimizers(TrainOptions())
    monkeypatch.setattr(stackgan, "wrong_items", lambda *args: pytest.fail("shifted draws no wrong item"))
    calls = []
    original = stackgan.shifted_items
    monkeypatch.setattr(stackgan, "shifted_items", lambda *args: calls.append(original(*args)) or calls[-1])
    batch = tiny_batch(model.context, True)
    model.train_step(batch, 0, "stage1")
    item = torch.repeat_interleave(torch.arange(4), batch["n_steps"])
    assert len(calls) == 1 and calls[0].tolist() == batch["mismatch_index"][item].tolist()


def test_an_unknown_mismatch_mode_is_refused_with_the_choices():
    with raises_naming(ValueError, "mismatch_attributes", "'colour'", "'paper'"):
        build_model("restgan", mismatch_attributes="colour")

"""Generation: one uint8 image per query step at the Stage-II size, deterministic for a seed, drawn by
the generator module alone (so the harness's EMA swap changes it)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _models_helpers import MODEL_NAMES, QUERIES, SIZES, build_model

STREAMS = [
    ["women's black pants", "petite", "capri"],
    ["men's navy blue jeans"],
    ["unheard-of words", "slim"],
]


def _with_random_weights(model):
    """A fresh StackGAN draws near-grey images (weights ~ N(0, 0.02)); larger weights make noise visible."""
    torch.manual_seed(1)
    with torch.no_grad():
        for p in model.generator.parameters():
            p.normal_(0.0, 0.3)
    return model


@pytest.fixture(scope="module")
def models():
    return {name: _with_random_weights(build_model(name)) for name in MODEL_NAMES}


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_one_image_per_step_at_the_final_size(models, name):
    images = models[name].generate(STREAMS, seed=1)
    assert [tuple(x.shape) for x in images] == [(len(s), 3, SIZES[1], SIZES[1]) for s in STREAMS]
    assert all(x.dtype == torch.uint8 and x.device.type == "cpu" for x in images)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_same_seed_same_images_other_seed_other_images(models, name):
    model = models[name]
    first, again, other = (model.generate(QUERIES, seed=s) for s in (7, 7, 8))
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))


def test_generation_keeps_the_training_mode(models):
    model = models["restgan"]
    model.train()
    model.generate(QUERIES[:1], seed=0)
    assert model.generator.training
    model.eval()
    model.generate(QUERIES[:1], seed=0)
    assert not model.generator.training
    model.train()


def test_generation_uses_the_generator_weights():
    # without the Stage-II residual path, so that a zero output layer draws flat grey
    model = _with_random_weights(build_model("stackgan-lstm", stage2_residual=False))
    before = model.generate(QUERIES[:1], seed=0)[0]
    with torch.no_grad():  # what an EMA swap does: new generator weights, same model object
        for p in model.generator.stage2.to_image.parameters():
            p.zero_()
    after = model.generate(QUERIES[:1], seed=0)[0]
    assert not torch.equal(before, after)
    assert set(after.unique().tolist()) <= {127, 128}  # tanh(0) -> mid grey


def _generation_noise(model, streams) -> torch.Tensor:
    seen = []
    handle = model.generator.stage1.register_forward_pre_hook(
        lambda module, args: seen.append(args[1].clone())
    )
    try:
        model.generate(streams, seed=3)
    finally:
        handle.remove()
    return seen[0]


@pytest.mark.parametrize(
    ("name", "options", "shared"),
    [
        ("restgan", {}, True),
        ("restgan", {"shared_noise": False}, False),
        ("stackgan-prefix", {}, False),
        ("stackgan-bow", {}, False),
    ],
)
def test_restgan_carries_the_same_noise_across_steps(name, options, shared):
    noise = _generation_noise(build_model(name, **options), STREAMS[:1])
    assert len(noise) == 3
    assert torch.equal(noise[0], noise[1]) == shared and torch.equal(noise[0], noise[2]) == shared


def test_title_models_read_every_prefix_as_a_title():
    model = build_model("stackgan-bow")
    seen = []
    handle = model.generator.text_encoder.register_forward_pre_hook(lambda module, args: seen.append(args))
    try:
        model.generate(STREAMS[:1], seed=0)
    finally:
        handle.remove()
    tokens, ends = seen[0]
    decoded = [
        model.context.vocabulary.decode(row[: end + 1].tolist())
        for row, end in zip(tokens, ends[:, 0], strict=True)
    ]
    assert decoded == [
        ["women's", "black", "pants"],
        ["women's", "black", "pants", "petite"],
        ["women's", "black", "pants", "petite", "capri"],
    ]


def test_restgan_colour_model_reads_cluster_tokens():
    model = build_model("restgan")
    seen = []
    handle = model.generator.text_encoder.register_forward_pre_hook(lambda module, args: seen.append(args))
    try:
        model.generate([["men's navy blue jeans", "slim"]], seed=0)
    finally:
        handle.remove()
    tokens, ends = seen[0]
    assert model.context.vocabulary.decode(tokens[0].tolist()) == ["men's", "<colour_1>", "jeans", "slim"]
    assert ends.tolist() == [[2, 3]]


@pytest.mark.parametrize("streams", [[], [[]], ["women's pants"], [["women's pants", "  "]], [["ok", 3]]])
def test_bad_query_streams_are_refused_with_a_sentence(models, streams):
    with pytest.raises(ValueError, match="query stream"):
        models["restgan"].generate(streams, seed=0)


def test_token_embeddings_cover_the_vocabulary(models):
    tokens, matrix = models["restgan"].token_embeddings()
    assert tokens == models["restgan"].context.vocabulary.tokens
    assert matrix.shape == (len(tokens), models["restgan"].options.embedding_dim)


def test_colour_term_vectors_follow_the_models_text_policy():
    """A colour-token model reads a cluster's terms as one token; a word model reads their words."""
    from ganbench.models.embeddings import colour_term_vectors

    terms = ["navy", "navy blue", "black"]
    restgan = colour_term_vectors(build_model("restgan"), terms)
    assert restgan.source == "cluster token"
    assert np.array_equal(restgan.vectors["navy"], restgan.vectors["navy blue"])
    assert not np.array_equal(restgan.vectors["navy"], restgan.vectors["black"])
    model = build_model("stackgan-bow")
    bow = colour_term_vectors(model, terms)
    assert bow.source == "word" and bow.coverage.averaged == ["navy blue"]
    tokens, matrix = model.token_embeddings()
    words = [matrix[tokens.index(word)].numpy() for word in ("navy", "blue")]
    assert np.allclose(bow.vectors["navy blue"], np.mean(words, axis=0))

"""Issue 18's training options and generation fix: which attributes the auxiliary classifier judges, the
mode-seeking term, and generation that samples the conditioning as training does."""

from __future__ import annotations

import pytest
import torch
from _models_helpers import QUERIES, TrainOptions, build_model, tiny_batch

from ganbench.models import stackgan
from ganbench.nn.losses import mode_seeking_loss


@pytest.mark.parametrize("name", ["stackgan-ac", "restgan"])
@pytest.mark.parametrize(("mode", "heads"), [("paper", ["colour", "gender", "type"]),
                                             ("all", ["colour", "fit", "gender", "length", "type"])])
def test_the_auxiliary_classifier_judges_the_attributes_its_option_names(name, mode, heads):
    model = build_model(name, aux_attributes=mode)
    for critic in model.discriminators.values():
        assert sorted(key.removeprefix("classes_") for key in critic.class_heads) == heads
    model.configure_optimizers(TrainOptions())
    losses = model.train_step(tiny_batch(model.context, model.text_policy().colour_tokens), 0, "stage1")
    assert losses["d_classes"] > 0 and losses["g_classes"] > 0


def test_fit_and_length_labels_reach_the_generator_loss_only_at_the_last_step():
    model = build_model("restgan", aux_attributes="all")
    batch = tiny_batch(model.context, True)
    samples = model._batch_samples(batch)
    labels = model._sample_labels(batch, samples)
    final_items = samples.item[samples.final]
    assert labels["fit"][samples.final].tolist() == batch["labels"]["fit"][final_items].tolist()
    assert (labels["length"][~samples.final] == -1).all()


def test_the_mode_seeking_term_falls_as_two_draws_grow_apart():
    noise, other_noise = torch.zeros(4, 8), torch.ones(4, 8)
    images = torch.zeros(4, 3, 8, 8)
    near, far = mode_seeking_loss(images, images + 0.01, noise, other_noise), mode_seeking_loss(
        images, images + 0.5, noise, other_noise)
    assert far < near and torch.isclose(far, torch.tensor(1 / (0.5 + 1e-5)))


@pytest.mark.parametrize("name", ["restgan", "stackgan-bow"])
def test_mode_seeking_draws_a_second_noise_shared_like_the_first(name, monkeypatch):
    model = build_model(name, mode_seeking_weight=1.0)
    model.configure_optimizers(TrainOptions())
    seen = []
    monkeypatch.setattr(stackgan, "mode_seeking_loss",
                        lambda *args: seen.append(args) or mode_seeking_loss(*args))
    batch = tiny_batch(model.context, model.text_policy().colour_tokens)
    losses = model.train_step(batch, 0, "stage1")
    assert "mode_seeking" in losses and len(seen) == 1
    images, other_images, noise, other_noise = seen[0]
    assert not torch.equal(noise, other_noise) and not torch.equal(images, other_images)
    if model.settings.shared_noise:  # restgan: both noises are one row per stream, across its steps
        item = model._batch_samples(batch).item
        for rows in (noise, other_noise):
            assert all(torch.equal(rows[i], rows[j]) for i in range(len(item)) for j in range(len(item))
                       if item[i] == item[j])


def test_without_mode_seeking_no_second_draw_is_made():
    model = build_model("restgan")
    model.configure_optimizers(TrainOptions())
    losses = model.train_step(tiny_batch(model.context, True), 0, "stage1")
    assert "mode_seeking" not in losses


def _generation_variance_ratio(model) -> float:
    """Per-feature variance of Stage I's first linear layer at generation, over the batch-norm running
    variance it is normalised by (1 when generation draws codes as training did)."""
    fc = model.generator.stage1.fc
    captured = []
    handle = fc[0].register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    try:
        model.generate(QUERIES * 128, seed=0)
    finally:
        handle.remove()
    return float((captured[-1].var(dim=0) / fc[1].running_var).mean())


@pytest.mark.parametrize("name", ["restgan", "stackgan-lstm"])
def test_generation_draws_conditioning_codes_as_training_did(name):
    """Issue 18: generating from the CA mean gave Stage I's first layer less variance than the batch-norm
    statistics learned on sampled codes normalise by."""
    model = build_model(name)
    fc = model.generator.stage1.fc
    fc[1].momentum = None  # cumulative average: the statistics of all the training-mode passes below
    fc[1].reset_running_stats()
    samples = model._batch_samples(tiny_batch(model.context, model.text_policy().colour_tokens))
    embedding = samples.embedding.detach().repeat(64, 1)
    with torch.no_grad():
        for _ in range(8):
            model.generator(embedding, torch.randn(len(embedding), model.options.z_dim), (1,))
    ratio = _generation_variance_ratio(model)
    assert 0.8 < ratio < 1.25, ratio


def test_generation_stays_a_function_of_the_seed():
    model = build_model("restgan")
    first, again, other = (model.generate(QUERIES, seed) for seed in (3, 3, 4))
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))

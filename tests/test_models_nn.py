"""The shared StackGAN building blocks: shapes at CPU and paper sizes, encoders, CA and losses."""

from __future__ import annotations

import pytest
import torch
from _asserts import raises_naming

from ganbench.nn import ConditioningAugmentation, Discriminator, Stage1Generator, Stage2Generator
from ganbench.nn.blocks import doublings, init_stackgan_weights
from ganbench.nn.losses import classification_loss, consistency_loss, discriminator_loss, kl_divergence
from ganbench.nn.text_encoders import build_text_encoder


@pytest.mark.parametrize("size", [16, 32, 64])
def test_stage1_generator_draws_its_size(size):
    images = Stage1Generator(condition_dim=4, z_dim=3, gf_dim=2, image_size=size)(
        torch.randn(2, 4), torch.randn(2, 3)
    )
    assert images.shape == (2, 3, size, size) and images.abs().max() <= 1


@pytest.mark.parametrize(("stage1", "stage2"), [(16, 32), (16, 16), (32, 128), (64, 256)])
def test_stage2_generator_refines_to_its_size(stage1, stage2):
    generator = Stage2Generator(
        condition_dim=4, gf_dim=2, input_size=stage1, output_size=stage2, residual_blocks=1
    )
    images = generator(torch.rand(1, 3, stage1, stage1) * 2 - 1, torch.randn(1, 4))
    assert images.shape == (1, 3, stage2, stage2)


@pytest.mark.parametrize("size", [16, 64, 256])
def test_discriminator_heads(size):
    critic = Discriminator(
        size, df_dim=2, condition_dim=4, unconditional_head=True, class_counts={"type": 3, "gender": 2}
    )
    features = critic.features(torch.randn(2, 3, size, size))
    assert features.shape == (2, 16, 4, 4)
    assert critic.conditional_logits(features, torch.randn(2, 4)).shape == (2,)
    assert critic.unconditional_logits(features).shape == (2,)
    assert {k: v.shape for k, v in critic.class_logits(features).items()} == {
        "type": (2, 3),
        "gender": (2, 2),
    }
    assert Discriminator(size, 2, 4, unconditional_head=False).unconditional_logits(features) is None


def test_sizes_that_are_not_powers_of_two_are_refused():
    with raises_naming(ValueError, "Stage-I", "48 px"):
        Stage1Generator(4, 3, 2, 48)
    assert doublings(16, 256, "x") == 4


def test_stackgan_initialisation():
    layer = torch.nn.Sequential(torch.nn.Conv2d(64, 64, 3), torch.nn.BatchNorm2d(64))
    init_stackgan_weights(layer)
    assert abs(layer[0].weight.std().item() - 0.02) < 0.002 and layer[0].bias.abs().max() == 0
    assert abs(layer[1].weight.mean().item() - 1.0) < 0.01


@pytest.mark.parametrize("kind", ["bow", "lstm"])
def test_text_encoder_prefix_equals_the_prefix_alone(kind):
    torch.manual_seed(0)
    encoder = build_text_encoder(kind, n_tokens=12, embedding_dim=5, text_dim=6)
    tokens = torch.tensor([[3, 4, 5, 6, 0, 0], [7, 8, 9, 10, 11, 2]])
    ends = torch.tensor([[1, 3, -1], [0, 2, 5]])
    steps = encoder(tokens, ends)
    assert steps.shape == (2, 3, 6)
    alone = encoder(tokens[:1, :2], torch.tensor([[1]]))[0, 0]
    assert torch.allclose(steps[0, 0], alone, atol=1e-6)
    padded = encoder(torch.tensor([[7, 8, 9, 0, 0]]), torch.tensor([[2]]))[0, 0]
    assert torch.allclose(steps[1, 1], padded, atol=1e-6)


def test_fixed_features_are_concatenated_and_not_trained():
    table = torch.zeros(12, 3)
    table[5] = torch.tensor([0.5, 0.1, -0.2])
    encoder = build_text_encoder("lstm", 12, 5, 6, fixed_features=table)
    assert encoder.words(torch.tensor([[5]]))[0, 0, 5:].tolist() == pytest.approx([0.5, 0.1, -0.2])
    assert "words.fixed_features" not in dict(encoder.named_parameters())
    with raises_naming(ValueError, "fixed_features", "11", "12"):
        build_text_encoder("bow", 12, 5, 6, fixed_features=torch.zeros(11, 3))
    with raises_naming(ValueError, "'gru'", "bow", "lstm"):
        build_text_encoder("gru", 12, 5, 6)


def test_conditioning_augmentation_samples_around_its_mean():
    torch.manual_seed(0)
    ca = ConditioningAugmentation(text_dim=6, condition_dim=4)
    embedding = torch.randn(3, 6)
    code, mu, logvar = ca(embedding, sample=False)
    assert torch.equal(code, mu) and mu.shape == logvar.shape == (3, 4)
    sampled, mu2, _ = ca(embedding)
    assert torch.equal(mu, mu2) and not torch.equal(sampled, mu)
    assert kl_divergence(torch.zeros(2, 4), torch.zeros(2, 4)).item() == 0
    assert kl_divergence(torch.ones(2, 4), torch.zeros(2, 4)).item() == pytest.approx(0.5)


def test_discriminator_loss_rewards_a_right_discriminator():
    big = torch.full((4,), 10.0)
    right = discriminator_loss(big, -big, -big, big, -big)
    wrong = discriminator_loss(-big, big, big, -big, big)
    assert right.item() < 1e-3 < wrong.item()


def test_classification_loss_ignores_unknown_labels():
    logits = {"type": torch.tensor([[5.0, 0.0], [0.0, 5.0]]), "colour": torch.zeros(2, 3)}
    known = classification_loss(logits, {"type": torch.tensor([0, -1]), "colour": torch.tensor([-1, -1])})
    expected = torch.nn.functional.cross_entropy(logits["type"][:1], torch.tensor([0]))
    assert known.item() == pytest.approx(expected.item())
    assert torch.isfinite(known)


def test_consistency_loss_compares_consecutive_steps_only():
    images = torch.stack([torch.zeros(3, 2, 2), torch.ones(3, 2, 2), torch.ones(3, 2, 2) * 5])
    assert consistency_loss(images, torch.tensor([-1, 0, 1])).item() == pytest.approx((1 + 4) / 2)
    assert consistency_loss(images, torch.tensor([-1, -1, -1])).item() == 0


@pytest.mark.parametrize("channels_last", [False, True])
def test_whole_map_conv_equals_the_convolution_forward_and_backward(channels_last):
    from torch.nn import functional

    from ganbench.nn.blocks import WholeMapConv

    torch.manual_seed(0)
    head = WholeMapConv(8, 3, 4, 4)
    x = torch.randn(5, 8, 4, 4, requires_grad=True)
    if channels_last:
        x = x.detach().contiguous(memory_format=torch.channels_last).requires_grad_()
    ours = head(x)
    reference = functional.conv2d(x, head.weight, head.bias, stride=4)
    assert ours.shape == reference.shape == (5, 3, 1, 1)
    torch.testing.assert_close(ours, reference)
    grads = torch.autograd.grad(ours.square().sum(), [x, head.weight, head.bias])
    reference_grads = torch.autograd.grad(reference.square().sum(), [x, head.weight, head.bias])
    for ours_grad, reference_grad in zip(grads, reference_grads, strict=True):
        torch.testing.assert_close(ours_grad, reference_grad)
    larger = torch.randn(2, 8, 8, 8)
    torch.testing.assert_close(head(larger), functional.conv2d(larger, head.weight, head.bias, stride=4))

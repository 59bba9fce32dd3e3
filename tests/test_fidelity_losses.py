"""The discriminator loss weights its terms as the official StackGAN code does.

At logit 0 every BCE term has gradient +-0.5 / n per element, so the gradient of the total loss with
respect to each input reads off that term's weight.
"""

from __future__ import annotations

import pytest
import torch

from ganbench.nn.losses import discriminator_loss

NAMES = ("real", "wrong", "fake", "real_unconditional", "fake_unconditional")


def _term_weights(with_unconditional: bool) -> dict[str, float]:
    n = 4
    inputs = {name: torch.zeros(n, requires_grad=True) for name in NAMES}
    used = NAMES if with_unconditional else NAMES[:3]
    discriminator_loss(*(inputs[name] for name in used)).backward()
    return {name: inputs[name].grad.abs().sum().item() / 0.5 for name in used}


def test_stage2_weighting_is_real_half_and_fake_wrong_unconditional_third():
    weights = _term_weights(with_unconditional=True)
    expected = {"real": 1 / 2, "real_unconditional": 1 / 2, "fake": 1 / 3, "wrong": 1 / 3,
                "fake_unconditional": 1 / 3}
    assert weights == pytest.approx(expected)


def test_stage1_weighting_is_real_plus_half_fake_and_wrong():
    assert _term_weights(with_unconditional=False) == pytest.approx({"real": 1.0, "fake": 0.5, "wrong": 0.5})


def test_the_value_matches_the_official_formula():
    generator = torch.Generator().manual_seed(0)
    real, wrong, fake, real_u, fake_u = (torch.randn(8, generator=generator) for _ in NAMES)
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def term(x, target):
        return bce(x, torch.full_like(x, target))

    official = (term(real, 1) + term(real_u, 1)) / 2 + (term(fake, 0) + term(wrong, 0) + term(fake_u, 0)) / 3
    assert discriminator_loss(real, wrong, fake, real_u, fake_u).item() == pytest.approx(official.item())

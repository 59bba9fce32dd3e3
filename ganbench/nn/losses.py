"""Losses of the StackGAN family: matching-aware adversarial terms, KL, auxiliary classes, consistency,
mode seeking.

Discriminator outputs are logits (BCE-with-logits), which autocast handles safely; StackGAN's code used a
sigmoid + BCE, which is the same loss.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _bce(logits: Tensor, target: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def kl_divergence(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, sigma^2) || N(0, I)), averaged over elements as in the StackGAN code."""
    return torch.mean(-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()))


def discriminator_loss(
    real: Tensor,
    wrong: Tensor,
    fake: Tensor,
    real_unconditional: Tensor | None = None,
    fake_unconditional: Tensor | None = None,
) -> Tensor:
    """Matching-aware loss: real/matching -> 1, real/mismatching -> 0, fake -> 0, weighted as the
    official StackGAN code (StackGAN-Pytorch ``miscc/utils.py``, ``compute_discriminator_loss``).

    Conditional head only: ``real + (fake + wrong) / 2``. With the unconditional head (Stage II):
    ``(real + real_unconditional) / 2 + (fake + wrong + fake_unconditional) / 3``, each term a mean BCE.
    """
    real_term, wrong_term, fake_term = _bce(real, 1.0), _bce(wrong, 0.0), _bce(fake, 0.0)
    if real_unconditional is None or fake_unconditional is None:
        return real_term + (fake_term + wrong_term) / 2
    real_term = (real_term + _bce(real_unconditional, 1.0)) / 2
    return real_term + (fake_term + wrong_term + _bce(fake_unconditional, 0.0)) / 3


def generator_adversarial_loss(fake: Tensor, fake_unconditional: Tensor | None = None) -> Tensor:
    """Non-saturating generator loss on the conditional (and unconditional) heads."""
    loss = _bce(fake, 1.0)
    if fake_unconditional is not None:
        loss = loss + _bce(fake_unconditional, 1.0)
    return loss


def classification_loss(logits: dict[str, Tensor], labels: dict[str, Tensor]) -> Tensor:
    """Sum over attributes of the mean cross-entropy over known labels (label -1 = unknown, ignored).

    An attribute with no known label in the batch adds zero (no NaN, no host synchronisation).
    """
    total = next(iter(logits.values())).new_zeros(())
    for name, attribute_logits in logits.items():
        target = labels[name]
        summed = F.cross_entropy(attribute_logits.float(), target, ignore_index=-1, reduction="sum")
        total = total + summed / (target >= 0).sum().clamp(min=1)
    return total


def consistency_loss(images: Tensor, previous: Tensor) -> Tensor:
    """Mean L1 distance between each image and the image of its previous query step.

    ``previous`` holds, per image, the row of the previous step's image or -1 (first step: no term).
    """
    has_previous = previous >= 0
    earlier = images[previous.clamp(min=0)]
    distance = (images - earlier).abs().flatten(1).mean(dim=1) * has_previous
    return distance.sum() / has_previous.sum().clamp(min=1)


MODE_SEEKING_EPS = 1e-5  # MSGAN's constant


def mode_seeking_loss(images: Tensor, other_images: Tensor, noise: Tensor, other_noise: Tensor) -> Tensor:
    """MSGAN's term (Mao et al., CVPR 2019): ``1 / (mean|I1 - I2| / mean|z1 - z2| + eps)``, means over the
    whole batch as in their code; it falls as two draws of one condition with different noise grow apart."""
    image_distance = (images.float() - other_images.float()).abs().mean()
    noise_distance = (noise.float() - other_noise.float()).abs().mean()
    return 1.0 / (image_distance / noise_distance + MODE_SEEKING_EPS)

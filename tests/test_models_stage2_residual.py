"""The Stage-II residual path (option ``stage2_residual``): upsampled Stage-I image plus a tanh residual."""

from __future__ import annotations

import pytest
import torch
from _models_helpers import MODEL_NAMES, build_model
from torch import nn

from ganbench.nn import Stage2Generator


def _generator(skip: bool) -> Stage2Generator:
    torch.manual_seed(0)
    return Stage2Generator(
        condition_dim=4, gf_dim=2, input_size=8, output_size=16, residual_blocks=1, skip=skip
    )


def test_residual_path_with_a_zero_residual_shows_the_upsampled_stage1_image():
    generator = _generator(skip=True)
    nn.init.zeros_(generator.to_image[0].weight)
    stage1 = torch.rand(2, 3, 8, 8) * 2 - 1
    images = generator(stage1, torch.randn(2, 4))
    expected = stage1.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert images.shape == (2, 3, 16, 16)
    assert torch.allclose(images, expected)


def test_residual_path_stays_in_range_and_trains_the_residual():
    generator = _generator(skip=True)
    stage1 = torch.rand(2, 3, 8, 8) * 2 - 1
    images = generator(stage1, torch.randn(2, 4))
    assert images.abs().max() <= 1
    images.sum().backward()
    assert generator.to_image[0].weight.grad.abs().sum() > 0


def test_without_the_residual_path_the_output_ignores_a_zero_residual():
    generator = _generator(skip=False)
    nn.init.zeros_(generator.to_image[0].weight)
    images = generator(torch.rand(1, 3, 8, 8) * 2 - 1, torch.randn(1, 4))
    assert torch.count_nonzero(images) == 0  # tanh(0): flat grey, as plain StackGAN-v1


@pytest.mark.parametrize("residual", [True, False])
def test_every_model_takes_the_option_through_its_options(residual):
    for name in MODEL_NAMES:
        model = build_model(name, stage2_residual=residual)
        assert model.generator.stage2.skip is residual

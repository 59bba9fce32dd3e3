"""Model options: typed fields with defaults, bad values refused with sentences naming the option."""

from __future__ import annotations

import dataclasses

import pytest
from _models_helpers import MODEL_NAMES, build_model

from ganbench.models.registry import get_model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_options_are_typed_dataclasses_with_defaults(name):
    options_class = get_model(name).options_class
    options_class()  # the defaults are valid
    for field in dataclasses.fields(options_class):
        assert field.type in ("int", "float", "bool", "str"), field
        assert field.default is not dataclasses.MISSING


def test_restgan_has_every_ablation_flag():
    names = {f.name for f in dataclasses.fields(get_model("restgan").options_class)}
    assert {
        "colour_model",
        "colour_centroid_feature",
        "aux_classifier",
        "shared_noise",
        "consistency_loss",
        "consistency_weight",
    } <= names


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"gf_dim": 0}, "model option gf_dim must be at least 1, got 0"),
        ({"residual_blocks": -1}, "model option residual_blocks must be 0 or more, got -1"),
        ({"kl_weight": -0.5}, "model option kl_weight must be a finite number >= 0"),
        ({"consistency_weight": float("nan")}, "model option consistency_weight must be a finite number"),
        ({"z_dim": "8"}, "model option z_dim must be int, got '8'"),
        ({"text_dim": True}, "model option text_dim must be int, got True"),
        ({"shared_noise": 1}, "model option shared_noise must be bool, got 1"),
    ],
)
def test_bad_option_values_are_named(values, message):
    with pytest.raises(ValueError, match=message):
        get_model("restgan").options_class(**values)


def test_zero_residual_blocks_and_integer_weights_are_fine():
    options = get_model("restgan").options_class(residual_blocks=0, kl_weight=1)
    assert options.residual_blocks == 0


def test_centroid_feature_needs_the_colour_model():
    with pytest.raises(ValueError, match="colour_centroid_feature = true needs colour_model = true"):
        build_model("restgan", colour_model=False, colour_centroid_feature=True)

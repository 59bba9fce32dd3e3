"""Model options: pydantic models with typed fields and defaults, bad values refused naming the option."""

from __future__ import annotations

import typing

import pytest
from _models_helpers import MODEL_NAMES, build_model
from pydantic import BaseModel, ValidationError

from ganbench.models.registry import get_model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_options_are_strict_pydantic_models_with_described_defaults(name):
    options_class = get_model(name).options_class
    assert issubclass(options_class, BaseModel) and options_class.model_config["extra"] == "forbid"
    options_class()  # the defaults are valid
    for option, spec in options_class.model_fields.items():
        assert not spec.is_required(), option
        assert spec.description, f"{option} needs a docstring under it"


def test_choices_are_literals():
    fields = get_model("restgan").options_class.model_fields
    assert typing.get_args(fields["text_training"].annotation) == ("frozen", "fine-tune", "scratch")
    assert typing.get_args(fields["aux_attributes"].annotation) == ("all", "paper")


def test_restgan_has_every_ablation_flag():
    names = set(get_model("restgan").options_class.model_fields)
    assert {
        "colour_model",
        "colour_centroid_feature",
        "aux_classifier",
        "shared_noise",
        "consistency_loss",
        "consistency_weight",
    } <= names


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"gf_dim": 0}, "greater_than_equal"),
        ({"residual_blocks": -1}, "greater_than_equal"),
        ({"kl_weight": -0.5}, "greater_than_equal"),
        ({"consistency_weight": float("nan")}, "finite_number"),
        ({"z_dim": "8"}, "int_type"),
        ({"text_dim": True}, "int_type"),
        ({"shared_noise": 1}, "bool_type"),
        ({"text_training": "pretrained"}, "literal_error"),
        ({"widht": 8}, "extra_forbidden"),
    ],
)
def test_bad_option_values_are_named(values, kind):
    with pytest.raises(ValidationError) as caught:
        get_model("restgan").options_class(**values)
    (error,) = caught.value.errors()
    assert error["loc"] == tuple(values) and error["type"] == kind


def test_zero_residual_blocks_and_integer_weights_are_fine():
    options = get_model("restgan").options_class(residual_blocks=0, kl_weight=1)
    assert options.residual_blocks == 0 and options.kl_weight == 1.0


def test_centroid_feature_needs_the_colour_model():
    with pytest.raises(ValueError, match="colour_centroid_feature = true needs colour_model = true"):
        build_model("restgan", colour_model=False, colour_centroid_feature=True)

"""``ganbench config show``, the CPU-scale defaults of a bare ``ganbench train``, and errors that name the
command-line option the user typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _models_helpers import MODEL_NAMES
from _train_helpers import make_tiny_catalog
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.config import ConfigError, load_config
from ganbench.config.profiles import CPU_DEFAULTS
from ganbench.config.reference import config_reference, field_descriptions, type_name
from ganbench.config.run_section import CatalogRecipe, ImportRecipe, SynthesisRecipe, VariantConfig
from ganbench.config.schema import SECTIONS, EvalNetOptions, SecondNetOptions
from ganbench.config.validate import every_key
from ganbench.models.registry import get_model

TABLES = [*SECTIONS.values(), CatalogRecipe, SynthesisRecipe, ImportRecipe, VariantConfig, EvalNetOptions,
          SecondNetOptions]


@pytest.mark.parametrize("table", TABLES, ids=lambda cls: cls.__name__)
def test_every_config_key_has_a_one_line_description(table: type) -> None:
    descriptions = field_descriptions(table)
    for name in table.model_fields:
        text = descriptions.get(name, "")
        assert text and "\n" not in text, f"{table.__name__}.{name} needs a docstring line under it"


def test_options_are_described_from_the_docstrings_under_their_fields() -> None:
    descriptions = field_descriptions(get_model("stackgan-bow").options_class)
    assert descriptions["gf_dim"].startswith("Generator base width (StackGAN paper scale")
    assert descriptions["z_dim"] == "Noise size."


def test_json_schema_comes_from_the_same_declaration() -> None:
    result = CliRunner().invoke(main, ["config", "show", "--json", "--model", "restgan"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    train = schema["$defs"]["TrainConfig"]
    assert train["additionalProperties"] is False
    assert train["properties"]["lr"]["exclusiveMinimum"] == 0
    assert train["properties"]["precision"]["enum"] == ["auto", "bf16", "fp32"]
    assert train["properties"]["batch_size"]["description"].startswith("Catalog items per training step")
    options = schema["$defs"]["ModelConfig"]["properties"]["options"]["properties"]
    assert options["text_training"]["enum"] == ["frozen", "fine-tune", "scratch"]


def test_types_are_spelled_compactly() -> None:
    rows = {row.key: row for row in config_reference()["train"]}
    assert rows["train.precision"].type == "auto|bf16|fp32" and rows["train.precision"].default == '"auto"'
    assert rows["train.sample_queries"].type == "list[list[str]]"
    assert rows["train.betas"].type == "tuple[float, float]" and rows["train.betas"].default == "[0.5, 0.999]"
    assert type_name(str | None) == "str (optional)"


def test_config_show_prints_every_key_type_default_and_description() -> None:
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    reference = config_reference()
    assert all(f"[{section}]" in lines for section in SECTIONS)
    shown = {row.key: row for rows in reference.values() for row in rows}
    assert set(every_key()) - {"run.variants"} <= set(shown)  # nested tables key by key: eval.net.epochs
    assert {"run.variants.NAME.config", "run.catalog.import.src", "eval.net.epochs"} <= set(shown)
    for key, row in shown.items():
        key_line = next(i for i, line in enumerate(lines) if line.startswith(f"{key}: "))
        assert row.description and lines[key_line + 1].strip() == row.description
    assert "train.batch_size: int = 32  (ganbench train without --config: 16)" in lines
    assert "`ganbench config show --model NAME`" in result.output


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_config_show_with_a_model_lists_its_options(name: str) -> None:
    result = CliRunner().invoke(main, ["config", "show", "--model", name])
    assert result.exit_code == 0, result.output
    for option in get_model(name).options_class.model_fields:
        assert any(line.startswith(f"model.options.{option}: ") for line in result.output.splitlines())
    assert "model.options.gf_dim: int = 16" in result.output


def test_config_show_names_the_mistyped_model_option() -> None:
    result = CliRunner().invoke(main, ["config", "show", "--model", "restgn"])
    assert result.exit_code == 2 and "--model" in result.output and "did you mean 'restgan'" in result.output


def test_named_options_and_defaults_layers_in_load_config(tmp_path: Path) -> None:
    config = load_config(None, ["train.lr=0.01"], named={"model.name": ("fake-gan", "--model fake-gan")},
                         defaults=CPU_DEFAULTS, defaults_name="the CPU-scale defaults")
    assert (config.data.stage1_size, config.train.stage1_steps, config.train.lr) == (32, 900, 0.01)
    with pytest.raises(ConfigError) as caught:
        load_config(None, named={"model.name": ("restgn", "--model restgn")})
    assert str(caught.value).startswith("--model restgn") and "--set" not in str(caught.value)
    file = tmp_path / "run.toml"
    file.write_text('[model]\nname = "fake-gan"\n[data]\nstage1_size = 16\n', encoding="utf-8")
    assert load_config(file, defaults={"data.stage1_size": 32, "data.stage2_size": 64}).data.stage1_size == 16


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_catalog(tmp_path_factory.mktemp("reference") / "catalog", n=12)


def test_train_without_config_uses_and_names_the_cpu_defaults(catalog: Path, tmp_path: Path) -> None:
    settings = ["data.stage1_size=16", "data.stage2_size=32", "train.batch_size=4", "train.stage1_steps=1",
                "train.stage2_steps=1", 'data.colour_lookup="none"']
    tiny = [part for setting in settings for part in ("--set", setting)]
    result = CliRunner().invoke(main, ["train", "--model", "fake-gan", "--catalog", str(catalog),
                                       "--out", str(tmp_path / "run"), *tiny])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("no --config: using the CPU")]
    assert len(notes) == 1 and "32 -> 64 px, batch 16, 900 + 30 steps" in notes[0]
    saved = load_config(tmp_path / "run" / "config.toml")
    assert (saved.train.lr, saved.train.ema_decay, saved.train.checkpoint_every) == (1e-3, 0.95, 100)


def test_train_names_the_option_the_user_typed(catalog: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["train", "--model", "restgn", "--catalog", str(catalog),
                                       "--out", str(tmp_path / "run")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: --model restgn" in result.output and "--set model.name" not in result.output
    assert "did you mean 'restgan'?" in result.output and not (tmp_path / "run").exists()

"""Config validation: every kind of bad key stops with a message naming the key, the file and a fix."""

from __future__ import annotations

from pathlib import Path

import _train_helpers  # noqa: F401  (registers the "fake-gan" test model)
import pytest

from ganbench.config import ConfigError, build_run_config, config_to_toml, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    return str(caught.value)


BASE = '[model]\nname = "fake-gan"\n'


def test_valid_file_loads_with_types_and_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + '[model.options]\nwidth = 12\n[train]\nbatch_size = 8\nlr = 1\n'
                 'betas = [0.0, 0.9]\n[data]\nstage1_size = 32\nstage2_size = 128\n')
    config = load_config(path)
    assert config.train.batch_size == 8
    assert config.train.lr == 1.0 and isinstance(config.train.lr, float)
    assert config.train.betas == (0.0, 0.9)
    assert config.model.options.width == 12 and config.model.options.z_dim == 4
    assert (config.data.stage1_size, config.data.stage2_size) == (32, 128)
    assert config.source == str(path)


def test_unknown_key_names_key_file_and_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[train]\nbatchsize = 8\n")
    message = error_of(path)
    assert str(path) in message
    assert "'train.batchsize'" in message and "did you mean 'train.batch_size'" in message


def test_unknown_section_and_key_in_wrong_section(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, BASE + "[trian]\nseed = 1\n"))
    assert "'trian'" in message and "did you mean 'train'" in message
    message = error_of(write(tmp_path, BASE + "[train]\nstage1_size = 32\n"))
    assert "'train.stage1_size'" in message and "did you mean 'data.stage1_size'" in message


def test_unknown_model_option_suggests_the_options_field(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, BASE + "[model.options]\nwidht = 8\n"))
    assert "'model.options.widht'" in message and "did you mean 'model.options.width'" in message


def test_unknown_model_name_suggests_registered_one(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[model]\nname = "fake-gna"\n'))
    assert "'model.name'" in message and "fake-gan" in message


def test_wrong_types_are_named(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, BASE + '[train]\nbatch_size = "32"\nchannels_last = 1\n'))
    assert "2 problems" in message
    assert "'train.batch_size' must be an integer, got a string ('32')" in message
    assert "'train.channels_last' must be true or false" in message
    message = error_of(write(tmp_path, BASE + '[train]\nprecision = "fp16"\n'))
    assert "'train.precision' must be one of 'auto', 'bf16', 'fp32'" in message
    message = error_of(write(tmp_path, BASE + "[model.options]\nwidth = 8.5\n"))
    assert "'model.options.width' must be an integer" in message
    message = error_of(write(tmp_path, BASE + "[train]\nbetas = [0.5]\n"))
    assert "'train.betas' must be a list of 2 items" in message


def test_impossible_values(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, BASE + "[data]\nstage1_size = 64\nstage2_size = 32\n"))
    assert "'data.stage2_size' must be larger than stage1_size (64)" in message
    message = error_of(write(tmp_path, BASE + "[data]\nstage1_size = 48\n"))
    assert "'data.stage1_size' must be a power of two" in message
    message = error_of(write(tmp_path, BASE + "[train]\nema_decay = 1.5\nbatch_size = 0\n"))
    assert "'train.ema_decay' must be less than 1, got a number (1.5)" in message
    assert "'train.batch_size' must be at least" in message
    message = error_of(write(tmp_path, BASE + "[train]\nsample_queries = [[\"ok\"], []]\n"))
    assert "'train.sample_queries'" in message


def test_missing_model_name_and_bad_toml(tmp_path: Path) -> None:
    assert "'model.name' is required" in error_of(write(tmp_path, "[train]\nseed = 1\n"))
    message = error_of(write(tmp_path, "[train\nseed = 1\n"))
    assert "not valid TOML" in message and str(tmp_path / "run.toml") in message
    assert "does not exist" in error_of(tmp_path / "missing.toml")


def test_overrides_are_parsed_as_toml_and_validated(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    config = load_config(path, ["train.batch_size=32", "data.catalog=catalogs/synth",
                                "train.betas=[0.0, 0.99]", "model.options.colour_model=true"])
    assert config.train.batch_size == 32 and config.data.catalog == "catalogs/synth"
    assert config.train.betas == (0.0, 0.99) and config.model.options.colour_model is True
    message = error_of(path, ("train.batchsize=32",))
    assert "--set train.batchsize=32" in message and "did you mean 'train.batch_size'" in message
    message = error_of(path, ("train.batch_size=many",))
    assert "--set train.batch_size=many" in message and "must be an integer" in message
    assert "expected SECTION.KEY=VALUE" in error_of(path, ("train.batch_size",))
    message = error_of(path, ("train.seed.x=1",))
    assert "--set train.seed.x=1" in message and "'train.seed' must be an integer" in message
    with_seed = write(tmp_path, BASE + "[train]\nseed = 1\n")
    assert "is a value, not a table" in error_of(with_seed, ("train.seed.x=1",))


def test_from_dict_names_its_source() -> None:
    with pytest.raises(ConfigError, match=r"experiment.toml \[cell 2\]: 'train.sed'"):
        build_run_config({"model": {"name": "fake-gan"}, "train": {"sed": 1}}, "experiment.toml [cell 2]")


def test_resolved_config_round_trips_through_toml(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE), ['data.catalog="dir with \\"quotes\\" and ünïcode"',
                                                 'train.sample_queries=[["a \\\\ b", "c"]]', "eval.seed=3"])
    path = tmp_path / "resolved.toml"
    path.write_text(config_to_toml(config), encoding="utf-8")
    again = load_config(path)
    assert again == config
    assert again.data.catalog == 'dir with "quotes" and ünïcode'
    assert again.train.sample_queries == [["a \\ b", "c"]]

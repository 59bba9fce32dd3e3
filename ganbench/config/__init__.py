"""Run configuration: section dataclasses, strict TOML loading with ``--set`` overrides, TOML writing."""

from ganbench.config.loader import apply_overrides, config_to_toml, load_config, parse_override, write_config
from ganbench.config.schema import (
    ConfigError,
    DataConfig,
    EvalConfig,
    ModelConfig,
    RunConfig,
    TrainConfig,
)

__all__ = ["ConfigError", "DataConfig", "EvalConfig", "ModelConfig", "RunConfig", "TrainConfig",
           "apply_overrides", "config_to_toml", "load_config", "parse_override", "write_config"]

"""The settings tree: section dataclasses, strict TOML loading with ``--set`` overrides, TOML writing."""

from ganbench.config.dotted import flatten, set_dotted
from ganbench.config.loader import config_to_toml, load_config, parse_override, write_config
from ganbench.config.schema import (
    ConfigError,
    DataConfig,
    EvalConfig,
    EvalNetOptions,
    ExperimentConfig,
    LauncherConfig,
    ModelConfig,
    ReportConfig,
    RunConfig,
    SecondNetOptions,
    TrainConfig,
)

__all__ = ["ConfigError", "DataConfig", "EvalConfig", "EvalNetOptions", "ExperimentConfig", "LauncherConfig",
           "ModelConfig", "ReportConfig", "RunConfig", "SecondNetOptions", "TrainConfig", "config_to_toml",
           "flatten", "load_config", "parse_override", "set_dotted", "write_config"]

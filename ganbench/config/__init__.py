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
from ganbench.config.validate import build_run_config, config_as_dict

__all__ = [
    "ConfigError", "DataConfig", "EvalConfig", "EvalNetOptions", "ExperimentConfig", "LauncherConfig",
    "ModelConfig", "ReportConfig", "RunConfig", "SecondNetOptions", "TrainConfig", "build_run_config",
    "config_as_dict", "config_to_toml", "flatten", "load_config", "parse_override", "set_dotted",
    "write_config",
]

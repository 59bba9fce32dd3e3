"""The settings tree: pydantic models per TOML table, strict loading with overrides, TOML writing."""

from ganbench.config.dotted import flatten, set_dotted
from ganbench.config.fields import ConfigError
from ganbench.config.loader import build_run_config, layered_config, load_config, load_section, parse_override
from ganbench.config.schema import (
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
from ganbench.config.validate import config_as_dict
from ganbench.config.writer import config_to_toml, write_config

__all__ = [
    "ConfigError", "DataConfig", "EvalConfig", "EvalNetOptions", "ExperimentConfig", "LauncherConfig",
    "ModelConfig", "ReportConfig", "RunConfig", "SecondNetOptions", "TrainConfig", "build_run_config",
    "config_as_dict", "config_to_toml", "flatten", "layered_config", "load_config", "load_section",
    "parse_override", "set_dotted", "write_config",
]

"""Command options that are settings of the tree: each flag names its dotted key, takes its default and
its check from the tree (never its own), and reaches the settings as an override naming the flag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ganbench.config import RunConfig, config_as_dict, flatten


@dataclass(frozen=True)
class SettingFlag:
    """``--flag`` for the setting ``key``; ``kind`` the click type the value is parsed as."""

    flag: str
    key: str
    kind: Any
    help: str

    @property
    def parameter(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


def _default_text(key: str) -> str:
    value = flatten(config_as_dict(RunConfig())).get(key)
    return "unset" if value is None else str(value)


def setting_flags(flags: tuple[SettingFlag, ...]) -> Callable:
    """Decorator adding one click option per flag (no click default: unset flags leave the setting)."""

    def decorate(command: Callable) -> Callable:
        for spec in reversed(flags):
            help_text = f"{spec.help} [{spec.key}; default: {_default_text(spec.key)}]"
            command = click.option(spec.flag, spec.parameter, type=spec.kind, default=None,
                                   help=help_text)(command)
        return command

    return decorate


def given_settings(flags: tuple[SettingFlag, ...], values: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Dotted key -> (value, the option that set it) for every flag the user gave."""
    return {spec.key: (values[spec.parameter], f"{spec.flag} {values[spec.parameter]}")
            for spec in flags if values.get(spec.parameter) is not None}

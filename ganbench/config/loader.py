"""Reading a run configuration from a TOML file plus ``--set key=value`` overrides, and writing it back."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ganbench.config.schema import ConfigError, RunConfig
from ganbench.config.toml_writer import to_toml
from ganbench.config.validate import build_run_config, config_as_dict


def read_toml(path: str | Path) -> dict[str, Any]:
    """The parsed TOML file; a missing or malformed file is a :class:`ConfigError` naming it."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def parse_override(text: str) -> tuple[str, Any]:
    """``"train.batch_size=32"`` -> ``("train.batch_size", 32)``; the value is read as TOML, else a string."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {text!r}: expected SECTION.KEY=VALUE, e.g. --set train.batch_size=32")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()  # a bare word such as a path: taken as a string
    return key, value


def _set_key(values: dict[str, Any], key: str, value: Any, origin: str) -> None:
    table = values
    parts = key.split(".")
    for depth, part in enumerate(parts[:-1]):
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{origin}: '{'.'.join(parts[:depth + 1])}' is a value, not a table")
        table = child
    table[parts[-1]] = value


def apply_overrides(values: dict[str, Any], overrides: list[str]) -> dict[str, str]:
    """Set every override into ``values`` in place; returns key -> the ``--set`` text, for error messages."""
    origins: dict[str, str] = {}
    for text in overrides:
        key, value = parse_override(text)
        _set_key(values, key, value, f"--set {text!r}")
        origins[key] = f"--set {text}"
    return origins


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = (),
                named: Mapping[str, tuple[Any, str]] | None = None,
                defaults: Mapping[str, Any] | None = None, defaults_name: str = "<defaults>") -> RunConfig:
    """The validated config: ``defaults`` (dotted keys; the dataclass defaults when ``None``), then the
    file at ``path``, then ``named`` settings (dotted key -> (value, the option that set it, e.g.
    ``"--model restgn"``)), then the ``--set`` ``overrides``. Errors name the layer a bad value came from.
    """
    values = read_toml(path) if path is not None else {}
    origins: dict[str, str] = {}
    for key, value in (defaults or {}).items():
        if not _has_key(values, key):
            _set_key(values, key, value, defaults_name)
    for key, (value, origin) in (named or {}).items():
        _set_key(values, key, value, origin)
        origins[key] = origin
    origins |= apply_overrides(values, list(overrides))
    source = str(path) if path is not None else (defaults_name if defaults else "<defaults>")
    return build_run_config(values, source, origins)


def _has_key(values: dict[str, Any], key: str) -> bool:
    table: Any = values
    for part in key.split("."):
        if not isinstance(table, dict) or part not in table:
            return False
        table = table[part]
    return True


def config_to_toml(config: RunConfig) -> str:
    """The fully resolved config as TOML text, readable again by :func:`load_config`."""
    return to_toml(config_as_dict(config))


def write_config(config: RunConfig, path: str | Path) -> None:
    Path(path).write_text(config_to_toml(config), encoding="utf-8")

"""Reading settings from TOML plus ``--set key=value`` overrides, and writing a run's settings back."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ganbench.config.dotted import DottedKeyError, flatten, set_dotted
from ganbench.config.schema import RUN_SECTIONS, SECTIONS, ConfigError, RunConfig
from ganbench.config.toml_writer import to_toml
from ganbench.config.validate import ProblemList, build_run_config, build_section, config_as_dict


def read_toml(path: str | Path) -> dict[str, Any]:
    """The parsed TOML file; a missing or malformed file is a :class:`ConfigError` naming it."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError(f"configuration file {path} does not exist (expected a TOML file)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
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


def apply_overrides(values: dict[str, Any], overrides: Iterable[tuple[str, Any, str]]) -> dict[str, str]:
    """Set every (dotted key, value, origin) into ``values`` in place, later ones winning; returns
    key -> origin, so an error names the override that caused it."""
    origins: dict[str, str] = {}
    for key, value, origin in overrides:
        try:
            set_dotted(values, key, value)
        except DottedKeyError as error:
            raise ConfigError(f"{origin}: {error}") from None
        origins[key] = origin
    return origins


def _layers(named: Mapping[str, tuple[Any, str]] | None, texts: Iterable[str]) -> list[tuple[str, Any, str]]:
    """A command's ``named`` settings (dotted key -> (value, the option that set it, e.g. ``"--model
    restgn"``)), then its ``--set`` texts, as (dotted key, value, origin)."""
    layers = [(key, value, origin) for key, (value, origin) in (named or {}).items()]
    return layers + [(*parse_override(text), f"--set {text}") for text in texts]


def load_config(path: str | Path | None = None, overrides: Iterable[str] = (),
                named: Mapping[str, tuple[Any, str]] | None = None,
                defaults: Mapping[str, Any] | None = None, defaults_name: str = "<defaults>") -> RunConfig:
    """The validated settings of a run: ``defaults`` (dotted keys; the dataclass defaults when ``None``),
    then the file at ``path``, then ``named`` settings, then the ``--set`` ``overrides``. Errors name the
    layer a bad value came from."""
    values = read_toml(path) if path is not None else {}
    given = flatten(values)
    for key, value in (defaults or {}).items():
        if key not in given:
            set_dotted(values, key, value)
    origins = apply_overrides(values, _layers(named, overrides))
    source = str(path) if path is not None else (defaults_name if defaults else "<defaults>")
    return build_run_config(values, source, origins)


def load_section(name: str, path: str | Path | None = None, overrides: Iterable[str] = (),
                 named: Mapping[str, tuple[Any, str]] | None = None) -> Any:
    """One section of the settings (e.g. ``"eval"``) from ``path`` (or the defaults), then ``named``
    settings and ``--set`` ``overrides`` of that section only, validated on its own (``ganbench eval``
    reads a run's [eval] without the rest; ``eval-net train`` needs no model)."""
    values = read_toml(path) if path is not None else {}
    changes = _layers(named, overrides)
    stray = [origin for key, _, origin in changes if not key.startswith(f"{name}.")]
    if stray:
        raise ConfigError(f"{stray[0]}: only [{name}] settings ({name}.KEY=VALUE) apply here")
    origins = apply_overrides(values, changes)
    problems = ProblemList(str(path) if path is not None else "<defaults>", origins)
    section = build_section(SECTIONS[name], values.get(name, {}), name, problems)
    problems.raise_if_any()
    return section


def config_to_toml(config: RunConfig) -> str:
    """A run's fully resolved settings as TOML text, readable again by :func:`load_config`."""
    return to_toml(config_as_dict(config, RUN_SECTIONS))


def write_config(config: RunConfig, path: str | Path) -> None:
    Path(path).write_text(config_to_toml(config), encoding="utf-8")

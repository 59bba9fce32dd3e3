"""Generic validation of nested dicts (from TOML) against the section dataclasses of a config.

Every key is checked by name (unknown -> nearest valid key), by type (from the dataclass annotations) and
by the section's ``check()`` (impossible values); all problems are gathered and reported together.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, Literal

from ganbench.config.schema import SECTIONS, ConfigError, ModelConfig, RunConfig


class _Problems:
    """Collects problems, each attributed to the file or the ``--set`` override that caused it."""

    def __init__(self, source: str, origins: dict[str, str] | None) -> None:
        self.source = source
        self.origins = origins or {}
        self.lines: list[str] = []

    def add(self, key: str, sentence: str) -> None:
        origin = next((o for k, o in self.origins.items()
                       if key == k or key.startswith(k + ".") or k.startswith(key + ".")), None)
        where = f"{origin} (over {self.source})" if origin else self.source
        self.lines.append(f"{where}: '{key}' {sentence}")

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise ConfigError(self.lines[0])
        if self.lines:
            listed = "\n  - ".join(self.lines)
            raise ConfigError(f"{len(self.lines)} problems in the configuration:\n  - {listed}")


def describe(hint: Any) -> str:
    """The expected type of ``hint`` in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return "true or false"
    if hint is int:
        return "an integer"
    if hint is float:
        return "a number"
    if hint is str:
        return "a string"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args if a is not type(None))
    if origin is list:
        return f"a list of ({describe(args[0])})" if args else "a list"
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a list of ({describe(args[0])})"
        return f"a list of {len(args)} items ({', '.join(describe(a) for a in args)})"
    if origin is dict:
        return f"a table of ({describe(args[1])})" if args else "a table"
    return getattr(hint, "__name__", str(hint))


class _Mismatch(Exception):
    pass


def convert(value: Any, hint: Any) -> Any:
    """``value`` as the type ``hint`` says, or raise ``_Mismatch``; ints are accepted for floats."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if hint is bool or hint is str:
        if isinstance(value, hint):
            return value
        raise _Mismatch
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Mismatch
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch
    if origin is Literal:
        if value in args and all(type(value) is type(a) for a in args if a == value):
            return value
        raise _Mismatch
    if origin in (typing.Union, types.UnionType):
        for arm in args:
            if arm is type(None):
                continue
            try:
                return convert(value, arm)
            except _Mismatch:
                continue
        raise _Mismatch
    if origin in (list, tuple) and isinstance(value, list | tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise _Mismatch
            return tuple(convert(v, a) for v, a in zip(value, args, strict=True))
        item = args[0] if args else Any
        items = [convert(v, item) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict and isinstance(value, dict):
        return {str(k): convert(v, args[1] if args else Any) for k, v in value.items()}
    raise _Mismatch


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} ({text[:60]}{'...' if len(text) > 60 else ''})"


def _nearest(key: str, candidates: list[str]) -> str:
    """A hint: the same name in another section, else the closest valid key here, else all of them."""
    leaf = key.rsplit(".", 1)[-1]
    every_key = [f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
    same_leaf = [c for c in every_key if c.rsplit(".", 1)[-1] == leaf and c != key]
    by_leaf = {c.rsplit(".", 1)[-1]: c for c in candidates}
    near = same_leaf or [by_leaf[n] for n in difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)]
    return f"; did you mean '{near[0]}'?" if near else f"; valid keys here: {', '.join(candidates)}"


def build_section(cls: type, table: Any, prefix: str, problems: _Problems,
                  skip: tuple[str, ...] = ()) -> Any:
    """An instance of the dataclass ``cls`` from ``table``, recording every problem in ``problems``."""
    if not isinstance(table, dict):
        problems.add(prefix, f"must be a table ([{prefix}]), got {_shown(table)}")
        return cls()
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init and f.name not in skip]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in skip:
            continue
        if key not in names:
            valid = [f"{prefix}.{n}" for n in names]
            problems.add(f"{prefix}.{key}", "is not a valid key" + _nearest(f"{prefix}.{key}", valid))
            continue
        try:
            values[key] = convert(value, hints[key])
        except _Mismatch:
            problems.add(f"{prefix}.{key}", f"must be {describe(hints[key])}, got {_shown(value)}")
    try:
        section = cls(**values)
    except (TypeError, ValueError) as error:  # an options class that checks itself in __post_init__
        problems.add(prefix, f"is not valid: {error}")
        return None
    for key, sentence in getattr(section, "check", lambda: [])():
        problems.add(f"{prefix}.{key}", sentence)
    return section


def _build_model(table: Any, problems: _Problems) -> ModelConfig:
    from ganbench.models.registry import RegistryError, get_model

    model = build_section(ModelConfig, table, "model", problems, skip=("options",))
    options_table = table.get("options", {}) if isinstance(table, dict) else {}
    if not model.name:
        return model
    try:
        options_class = get_model(model.name).options_class
    except RegistryError as error:
        problems.add("model.name", f"names no registered model: {error}")
        return model
    model.options = build_section(options_class, options_table, "model.options", problems)
    return model


def build_run_config(values: dict[str, Any], source: str, origins: dict[str, str] | None = None) -> RunConfig:
    """Validate ``values`` into a :class:`RunConfig`; ``origins`` maps overridden keys to their ``--set``."""
    problems = _Problems(source, origins)
    sections: dict[str, Any] = {}
    for name in values:
        if name not in SECTIONS:
            problems.add(name, "is not a valid section" + _nearest(name, list(SECTIONS)))
    for name, cls in SECTIONS.items():
        table = values.get(name, {})
        sections[name] = _build_model(table, problems) if cls is ModelConfig else build_section(
            cls, table, name, problems)
    problems.raise_if_any()
    return RunConfig(**sections, source=source)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if getattr(value, f.name) is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    return value


def config_as_dict(config: RunConfig) -> dict[str, Any]:
    """The config as nested plain dicts and lists (``None`` values dropped, as TOML has no null)."""
    return {name: _plain(getattr(config, name)) for name in SECTIONS}

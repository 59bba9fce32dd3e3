"""Generic validation of nested dicts (from TOML) against the dataclasses of the settings tree.

Every key is checked by name (unknown -> nearest valid key), by type (from the dataclass annotations,
nested sections included) and by its section's ``check()`` (impossible values); all problems are
gathered and reported together, each with the file or override it came from.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, Literal

from ganbench.config.schema import (
    EXPERIMENT_ONLY,
    RUN_SECTIONS,
    SECTIONS,
    ConfigError,
    ModelConfig,
    RunConfig,
)


class ProblemList:
    """Problems found so far, each attributed to the file or the override that caused it."""

    def __init__(self, source: str, origins: dict[str, str] | None = None) -> None:
        self.source = source
        self.origins = origins or {}
        self.lines: list[str] = []

    def add(self, key: str, sentence: str) -> None:
        origin = next((o for k, o in self.origins.items()
                       if key == k or key.startswith(k + ".") or k.startswith(key + ".")), None)
        where = f"{origin} (over {self.source})" if origin else self.source
        line = f"{where}: '{key}' {sentence}"
        if line not in self.lines:
            self.lines.append(line)

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise ConfigError(self.lines[0])
        if self.lines:
            listed = "\n  - ".join(self.lines)
            raise ConfigError(f"{len(self.lines)} problems in the configuration:\n  - {listed}")


def describe(hint: Any) -> str:
    """The expected type of ``hint`` in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    words = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    if hint in words:
        return words[hint]
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args if a is not type(None))
    if origin is list:
        return f"a list of ({describe(args[0])})" if args else "a list"
    if origin is tuple:
        return f"a list of {len(args)} items ({', '.join(describe(a) for a in args)})"
    if origin is dict:
        return f"a table of ({describe(args[1])})" if args else "a table"
    return "a table" if dataclasses.is_dataclass(hint) else getattr(hint, "__name__", str(hint))


class _Mismatch(Exception):
    pass


def convert(value: Any, hint: Any) -> Any:
    """``value`` as the type ``hint`` says, or raise ``_Mismatch``; ints are accepted for floats."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if hint in (bool, str) and isinstance(value, hint):
        return value
    if hint in (int, float) and isinstance(value, int | float) and not isinstance(value, bool):
        if hint is float or isinstance(value, int):
            return hint(value)
    if origin is Literal and value in args and all(type(value) is type(a) for a in args if a == value):
        return value
    if origin in (typing.Union, types.UnionType):
        for arm in (a for a in args if a is not type(None)):
            try:
                return convert(value, arm)
            except _Mismatch:
                continue
    if origin is tuple and isinstance(value, list | tuple) and len(value) == len(args):
        return tuple(convert(v, a) for v, a in zip(value, args, strict=True))
    if origin is list and isinstance(value, list | tuple):
        return [convert(v, args[0] if args else Any) for v in value]
    if origin is dict and isinstance(value, dict):
        return {str(k): convert(v, args[1] if args else Any) for k, v in value.items()}
    raise _Mismatch


def toml_key(spec: dataclasses.Field) -> str:
    """The key a dataclass field has in TOML (its name unless ``metadata["key"]`` says otherwise)."""
    return spec.metadata.get("key", spec.name)


def section_type(hint: Any) -> type | None:
    """The dataclass that ``hint`` (or ``hint | None``) names: a nested table of the tree."""
    arms = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return arms[0] if len(arms) == 1 and dataclasses.is_dataclass(arms[0]) else None


def table_of_sections(hint: Any) -> type | None:
    """The dataclass of a ``dict[str, Dataclass]`` hint (a table of named sub-tables)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is dict and len(args) == 2 and dataclasses.is_dataclass(args[1]):
        return args[1]
    return None


def every_key(cls: type = RunConfig, prefix: str = "", tables: bool = False) -> list[str]:
    """Every dotted key of the tree below ``cls`` (tables of named sub-tables are not entered); with
    ``tables``, the nested tables' own paths too (``run.catalog``, ``eval.net``)."""
    hints, keys = typing.get_type_hints(cls), []
    for spec in dataclasses.fields(cls):
        if cls is RunConfig and spec.name not in SECTIONS:
            continue
        dotted = f"{prefix}{toml_key(spec)}"
        nested = section_type(hints[spec.name])
        if nested is None:
            keys.append(dotted)
            continue
        keys += ([dotted] if tables else []) + every_key(nested, dotted + ".", tables)
    return keys


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} ({text[:60]}{'...' if len(text) > 60 else ''})"


def _nearest(key: str, candidates: list[str]) -> str:
    """A hint: the same name elsewhere in the tree, else the closest valid key here, else all of them."""
    leaf = key.rsplit(".", 1)[-1]
    same_leaf = [c for c in every_key(tables=True) if c.rsplit(".", 1)[-1] == leaf and c != key]
    by_leaf = {c.rsplit(".", 1)[-1]: c for c in candidates}
    near = same_leaf or [by_leaf[n] for n in difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)]
    if not near:
        return f"; valid keys here: {', '.join(candidates)}"
    return "; did you mean " + " or ".join(f"'{c}'" for c in near[:2]) + "?"


_INVALID = object()


def _value(value: Any, hint: Any, key: str, problems: ProblemList) -> Any:
    section = section_type(hint)
    if section is not None:
        return build_section(section, value, key, problems)
    named = table_of_sections(hint)
    if named is not None and isinstance(value, dict):
        return {name: build_section(named, table, f"{key}.{name}", problems) for name, table in value.items()}
    try:
        return convert(value, hint)
    except _Mismatch:
        problems.add(key, f"must be {describe(hint)}, got {_shown(value)}")
        return _INVALID


def build_section(cls: type, table: Any, prefix: str, problems: ProblemList,
                  skip: tuple[str, ...] = ()) -> Any:
    """An instance of the dataclass ``cls`` from ``table``, recording every problem in ``problems``."""
    if not isinstance(table, dict):
        problems.add(prefix, f"must be a table ([{prefix}]), got {_shown(table)}")
        return cls()
    hints = typing.get_type_hints(cls)
    fields = {toml_key(f): f for f in dataclasses.fields(cls) if f.init and f.name not in skip}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in skip:
            continue
        if key not in fields:
            problems.add(f"{prefix}.{key}", "is not a valid key"
                         + _nearest(f"{prefix}.{key}", [f"{prefix}.{k}" for k in fields]))
            continue
        values[fields[key].name] = _value(value, hints[fields[key].name], f"{prefix}.{key}", problems)
    try:
        section = cls(**{name: v for name, v in values.items() if v is not _INVALID})
    except (TypeError, ValueError) as error:  # an options class that checks itself in __post_init__
        problems.add(prefix, f"is not valid: {error}")
        return None
    for key, sentence in getattr(section, "check", lambda: [])():
        problems.add(f"{prefix}.{key}", sentence)
    return section


def _build_model(table: Any, problems: ProblemList, experiment: bool) -> ModelConfig:
    model = build_section(ModelConfig, table, "model", problems, skip=("options",))
    options = table.get("options", {}) if isinstance(table, dict) else {}
    if experiment:  # options are checked per cell, against each model's own options class
        if model.name:
            problems.add("model.name", "is set for every cell from run.models; remove it here")
        model.options = options
        return model
    if not model.name:
        problems.add("model.name", "is required (a registered model, see `ganbench models`)")
        return model
    from ganbench.models.registry import RegistryError, get_model  # loads only the named model

    try:
        options_class = get_model(model.name).options_class
    except RegistryError as error:
        problems.add("model.name", f"names no registered model: {error}")
        return model
    model.options = build_section(options_class, options, "model.options", problems)
    return model


def _check_sections(values: dict[str, Any], problems: ProblemList, experiment: bool) -> None:
    for name in values:
        if name not in SECTIONS:
            problems.add(name, "is not a valid section" + _nearest(name, list(SECTIONS)))
        elif name in EXPERIMENT_ONLY and not experiment:
            problems.add(name, f"belongs to experiment files (`ganbench run`); a run's settings are "
                               f"{', '.join(RUN_SECTIONS)}")
    if experiment:
        if not values.get("run", {}).get("models"):
            problems.add("run.models", "is required: the registered models to train (see `ganbench models`)")
        if isinstance(values.get("train"), dict) and "seed" in values["train"]:
            problems.add("train.seed", "is set for every cell from run.seeds; remove it here")


def build_run_config(values: dict[str, Any], source: str, origins: dict[str, str] | None = None, *,
                     experiment: bool = False, problems: ProblemList | None = None) -> RunConfig:
    """Validate ``values`` into a :class:`RunConfig`; ``origins`` maps overridden keys to where they came
    from. ``experiment=True`` reads an experiment file ([run] and [launcher] allowed, model options
    kept as given, for each cell to check). Problems go to ``problems`` when given (the caller raises),
    else they are raised here."""
    collector = problems if problems is not None else ProblemList(source, origins)
    _check_sections(values, collector, experiment)
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        table = values.get(name, {})
        sections[name] = (_build_model(table, collector, experiment) if cls is ModelConfig
                          else build_section(cls, table, name, collector))
    if problems is None:
        collector.raise_if_any()
    return RunConfig(**sections, source=source)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain({toml_key(f): getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        plain = {k: _plain(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in plain.items() if v != {}}
    return value


def config_as_dict(config: RunConfig, sections: tuple[str, ...] = tuple(SECTIONS)) -> dict[str, Any]:
    """The chosen sections as nested plain dicts and lists (``None`` values and empty tables dropped,
    as TOML has no null)."""
    return _plain({name: getattr(config, name) for name in sections})

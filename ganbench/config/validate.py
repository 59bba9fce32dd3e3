"""pydantic's validation errors as the problems a user reads: every one names its dotted key, the file or
override it came from and, for a misspelt key, the nearest valid one; all are reported together.

Also the way back from validated settings to plain tables (:func:`config_as_dict`).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ganbench.config.fields import ConfigError
from ganbench.config.schema import SECTIONS, RunConfig


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

    def extend(self, other: ProblemList) -> None:
        self.lines += [line for line in other.lines if line not in self.lines]

    def add_errors(self, error: ValidationError, root: type, prefix: str) -> None:
        """Every error of pydantic's ``error`` validating the table ``prefix`` as ``root``."""
        for detail in error.errors():
            loc = [part for part in detail["loc"] if part not in _UNION_ARMS]
            key = _dotted(prefix, loc)
            if detail["type"] == "extra_forbidden":
                self.add(key, "is not a valid key" + _nearest(key, _keys_beside(root, prefix, loc)))
            else:
                self.add(key, _sentence(detail))

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise ConfigError(self.lines[0])
        if self.lines:
            listed = "\n  - ".join(self.lines)
            raise ConfigError(f"{len(self.lines)} problems in the configuration:\n  - {listed}")


_UNION_ARMS = {"str", "int", "float", "bool"}  # pydantic names a union's arm in an error's location
_TYPE_WORDS = {"int": "an integer", "float": "a number", "bool": "true or false", "string": "a string",
               "list": "a list", "dict": "a table", "model": "a table", "tuple": "a list"}


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} ({text[:60]}{'...' if len(text) > 60 else ''})"


def _sentence(detail: dict[str, Any]) -> str:
    """What went wrong with one value, in words: ``must be an integer, got a string ('32')``."""
    kind, context = detail["type"], detail.get("ctx", {})
    got = f", got {_shown(detail['input'])}"
    family = kind.removesuffix("_type").removesuffix("_parsing").removesuffix("_from_float")
    bounds = {"greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return f"{context.get('error', detail['msg'])}{got}"
    if kind == "literal_error":
        return f"must be one of {context['expected'].replace(' or ', ', ')}{got}"
    if kind in bounds:
        words, name = bounds[kind]
        bound = context[name]
        if bound == 0 and kind in ("greater_than", "greater_than_equal"):
            return f"must be {'positive' if kind == 'greater_than' else '0 or more'}{got}"
        return f"must be {words} {format(bound, 'g') if isinstance(bound, float) else bound}{got}"
    if kind in ("too_short", "too_long") and isinstance(detail["input"], list | tuple):
        return f"must be a list of {context.get('min_length', context.get('max_length'))} items{got}"
    if kind == "string_too_short":
        return f"must not be empty{got}"
    if family in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[family]}{got}"
    return f"{detail['msg'][:1].lower()}{detail['msg'][1:]}{got}"


def section_type(annotation: Any) -> type[BaseModel] | None:
    """The table class that ``annotation`` (or ``annotation | None``) names: a nested table of the tree."""
    arms = [a for a in typing.get_args(annotation) if a is not type(None)] \
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) else [annotation]
    found = arms[0] if len(arms) == 1 else None
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def table_of_sections(annotation: Any) -> type[BaseModel] | None:
    """The table class of a ``dict[str, Table]`` annotation (a table of named sub-tables)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is dict and len(args) == 2:
        return section_type(args[1])
    return None


def toml_key(name: str, cls: type[BaseModel]) -> str:
    """The key a field has in TOML: its alias where it has one (``import``, ``model_config``)."""
    return cls.model_fields[name].alias or name


def every_key(cls: type[BaseModel] = RunConfig, prefix: str = "", tables: bool = False) -> list[str]:
    """Every dotted key of the tree below ``cls`` (tables of named sub-tables are not entered); with
    ``tables``, the nested tables' own paths too (``run.catalog``, ``eval.net``)."""
    keys = []
    for name, spec in cls.model_fields.items():
        if spec.exclude:
            continue
        dotted = f"{prefix}{toml_key(name, cls)}"
        nested = section_type(spec.annotation)
        keys += ([dotted] if nested is None or tables else [])
        keys += every_key(nested, dotted + ".", tables) if nested is not None else []
    return keys


def _fields_by_key(cls: type[BaseModel]) -> dict[str, Any]:
    return {toml_key(name, cls): spec for name, spec in cls.model_fields.items() if not spec.exclude}


def _keys_beside(root: type[BaseModel], prefix: str, loc: list) -> list[str]:
    """The valid keys of the table holding the last part of ``loc``, walked down from ``root``."""
    cls, named = root, False
    for part in loc[:-1]:
        if named:  # ``part`` names an entry of a table of named tables (run.variants.NAME)
            named = False
            continue
        spec = _fields_by_key(cls).get(part)
        nested = section_type(spec.annotation) if spec is not None else None
        if nested is None and spec is not None:
            nested = table_of_sections(spec.annotation)
            named = nested is not None
        if nested is None:
            return []
        cls = nested
    parent = _dotted(prefix, loc[:-1])
    return [f"{parent}.{key}" if parent else key for key in _fields_by_key(cls)]


def _dotted(prefix: str, loc: list) -> str:
    """``("train", "betas", 1)`` under ``""`` -> ``train.betas[1]``."""
    parts = [prefix] if prefix else []
    for part in loc:
        if isinstance(part, int) and parts:
            parts[-1] += f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts)


def _nearest(key: str, candidates: list[str]) -> str:
    """A hint: the same name elsewhere in the tree, else the closest valid key here, else all of them."""
    leaf = key.rsplit(".", 1)[-1]
    same_leaf = [c for c in every_key(tables=True) if c.rsplit(".", 1)[-1] == leaf and c != key]
    by_leaf = {c.rsplit(".", 1)[-1]: c for c in candidates}
    near = same_leaf or [by_leaf[n] for n in difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)]
    if not near:
        return f"; valid keys here: {', '.join(candidates)}" if candidates else ""
    return "; did you mean " + " or ".join(f"'{c}'" for c in near[:2]) + "?"


def config_as_dict(config: RunConfig, sections: tuple[str, ...] = tuple(SECTIONS)) -> dict[str, Any]:
    """The chosen sections as nested plain dicts and lists, keys as TOML spells them (``None`` values and
    empty tables dropped, as TOML has no null)."""
    return _plain({name: _dumped(getattr(config, name)) for name in sections})


def _dumped(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if hasattr(value, "__dataclass_fields__"):  # the options of a plugin that declares a plain dataclass
        import dataclasses

        return dataclasses.asdict(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel) or hasattr(value, "__dataclass_fields__"):
        return _plain(_dumped(value))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        plain = {k: _plain(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in plain.items() if v != {}}
    return value



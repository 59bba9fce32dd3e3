"""The configuration reference: every key with its type, default and one-line description, read from the
same pydantic models that validate it (and a model's options class), for ``ganbench config show``; and
the tree's JSON schema (``ganbench config show --json``), which pydantic writes from those models.

A field's description is the string literal right under it (an attribute docstring, which pydantic keeps
with ``use_attribute_docstrings``).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ganbench.config.options import option_fields, options_model
from ganbench.config.profiles import CPU_DEFAULTS
from ganbench.config.schema import SECTIONS, RunConfig
from ganbench.config.validate import section_type, table_of_sections
from ganbench.config.writer import toml_value


@dataclass(frozen=True)
class KeyInfo:
    key: str  # dotted, as --set takes it
    type: str
    default: str  # as TOML writes it; "" when there is none
    description: str
    cpu_default: str = ""  # what `ganbench train` without --config uses, when it differs


def type_name(hint: Any) -> str:
    """A compact spelling of an annotation: ``int``, ``auto|bf16|fp32``, ``list[list[str]]``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return type_name(args[0])
    if hint is Any:
        return "table"
    if origin is Literal:
        return "|".join(str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        arms = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(arms) + (" (optional)" if type(None) in args else "")
    if origin in (list, tuple, dict):
        inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in args)
        return f"{origin.__name__}[{inner}]" if args else origin.__name__
    return getattr(hint, "__name__", str(hint))


def field_descriptions(cls: type) -> dict[str, str]:
    """Field name -> one-line description (a table of the tree or a model's options class)."""
    fields = cls.model_fields if issubclass(cls, BaseModel) else option_fields(cls)
    return {name: " ".join((spec.description or "").split()) for name, spec in fields.items()}


def _default_text(spec: FieldInfo) -> str:
    if spec.annotation is Any:  # a table filled elsewhere (model.options)
        return ""
    value = spec.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return ""
    return "unset" if value is None else toml_value(value)


def section_keys(fields: dict[str, FieldInfo], prefix: str) -> list[KeyInfo]:
    """One :class:`KeyInfo` per field, keys prefixed with ``prefix.``; nested tables (``eval.net``) are
    listed key by key, a table of named tables as ``prefix.KEY.NAME.…``."""
    rows = []
    for name, spec in fields.items():
        if spec.exclude:
            continue
        key = f"{prefix}.{spec.alias or name}"
        nested, named = section_type(spec.annotation), table_of_sections(spec.annotation)
        if nested is not None or named is not None:
            table = nested if nested is not None else named
            rows += section_keys(table.model_fields, key if nested is not None else f"{key}.NAME")
            continue
        cpu = CPU_DEFAULTS.get(key)
        rows.append(KeyInfo(key, type_name(spec.annotation), _default_text(spec),
                            " ".join((spec.description or "").split()),
                            toml_value(cpu) if cpu is not None else ""))
    return rows


def option_rows(options_class: type) -> list[KeyInfo]:
    """One :class:`KeyInfo` per option of a model's ``options_class`` (keys ``model.options.NAME``)."""
    return section_keys(option_fields(options_class), "model.options")


def config_reference(model_name: str | None = None) -> dict[str, list[KeyInfo]]:
    """Section name -> its keys; with ``model_name``, also ``model.options`` (raises ``RegistryError`` for
    an unknown name)."""
    reference = {name: section_keys(cls.model_fields, name) for name, cls in SECTIONS.items()}
    if model_name is not None:
        from ganbench.models.registry import get_model

        reference["model.options"] = option_rows(get_model(model_name).options_class)
    return reference


def json_schema(model_name: str | None = None) -> dict[str, Any]:
    """The JSON schema of the settings tree (pydantic's); with ``model_name``, [model.options] is that
    model's options schema."""
    schema = RunConfig.model_json_schema()
    if model_name is not None:
        from ganbench.models.registry import get_model

        options = options_model(get_model(model_name).options_class).model_json_schema()
        schema.setdefault("$defs", {}).update(options.pop("$defs", {}))
        schema["$defs"]["ModelConfig"]["properties"]["options"] = options
    return schema


def format_reference(reference: dict[str, list[KeyInfo]]) -> str:
    """The reference as text: ``key: type = default`` then the description, indented, per key."""
    lines: list[str] = []
    for section, rows in reference.items():
        lines.append(f"[{section}]")
        for row in rows:
            default = f" = {row.default}" if row.default else ""
            cpu = f"  (ganbench train without --config: {row.cpu_default})" if row.cpu_default else ""
            lines.append(f"{row.key}: {row.type}{default}{cpu}")
            lines.append(f"    {row.description or '(no description)'}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

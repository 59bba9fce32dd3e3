"""The configuration reference: every key with its type, default and one-line description, read once from
the section dataclasses (and a model's options class) for ``ganbench config show``.

A field's description is the string literal right under it (an attribute docstring). Options classes that
describe their fields in the class docstring instead (```name``: text; ...``) are read from there too.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import re
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from ganbench.config.profiles import CPU_DEFAULTS
from ganbench.config.schema import SECTIONS
from ganbench.config.toml_writer import toml_value
from ganbench.config.validate import section_type, table_of_sections, toml_key


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


def _attribute_docstrings(cls: type) -> dict[str, str]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for node, following in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            found[node.target.id] = " ".join(following.value.value.split())
    return found


def _top_level_parts(text: str, separator: str = ";") -> list[str]:
    """``text`` split at ``separator`` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*parts, "".join(current)]


_ENTRY = re.compile(r"((?:``\w+``\s*/\s*)*``\w+``): (.+)$")


def _docstring_entries(doc: str | None) -> dict[str, str]:
    """``"``a``/``b``: widths; ``c``: noise size."`` -> {"a": "widths", "b": "widths", "c": "noise size"}."""
    found: dict[str, str] = {}
    for part in _top_level_parts(" ".join((doc or "").split())):
        entry = _ENTRY.search(part)
        if entry:
            text = entry.group(2).strip().rstrip(".")
            sentence = text[:1].upper() + text[1:] + "."
            found |= {key: sentence for key in re.findall(r"``(\w+)``", entry.group(1))}
    return found


@functools.cache
def field_descriptions(cls: type) -> dict[str, str]:
    """Field name -> one-line description, from ``cls`` and its bases (a subclass's own text wins)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is not object:
            found |= _docstring_entries(klass.__doc__) | _attribute_docstrings(klass)
    return found


def _default_text(spec: dataclasses.Field, hint: Any) -> str:
    if hint is Any:  # a table filled elsewhere (model.options)
        return ""
    if spec.default is not dataclasses.MISSING:
        value = spec.default
    elif spec.default_factory is not dataclasses.MISSING:
        value = spec.default_factory()
    else:
        return ""
    return "unset" if value is None else toml_value(value)


def section_keys(cls: type, prefix: str) -> list[KeyInfo]:
    """One :class:`KeyInfo` per key of the dataclass ``cls``, keys prefixed with ``prefix.``; nested
    tables (``eval.net``) are listed key by key, a table of named tables as ``prefix.KEY.NAME.…``."""
    hints, descriptions = typing.get_type_hints(cls), field_descriptions(cls)
    rows = []
    for spec in dataclasses.fields(cls):
        if not spec.init:
            continue
        key = f"{prefix}.{toml_key(spec)}"
        nested, named = section_type(hints[spec.name]), table_of_sections(hints[spec.name])
        if nested is not None or named is not None:
            rows += section_keys(nested, key) if nested is not None else section_keys(named, f"{key}.NAME")
            continue
        cpu = CPU_DEFAULTS.get(key)
        rows.append(KeyInfo(key, type_name(hints.get(spec.name, Any)),
                            _default_text(spec, hints.get(spec.name, Any)),
                            descriptions.get(spec.name, ""), toml_value(cpu) if cpu is not None else ""))
    return rows


def config_reference(model_name: str | None = None) -> dict[str, list[KeyInfo]]:
    """Section name -> its keys; with ``model_name``, also ``model.options`` (raises ``RegistryError`` for
    an unknown name)."""
    reference = {name: section_keys(cls, name) for name, cls in SECTIONS.items()}
    if model_name is not None:
        from ganbench.models.registry import get_model

        options_class = get_model(model_name).options_class
        reference["model.options"] = section_keys(options_class, "model.options")
    return reference


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


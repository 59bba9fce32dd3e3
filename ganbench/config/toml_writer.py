"""A small TOML writer for the plain types configs hold (``tomllib`` only reads).

Supports nested tables of str, int, float, bool and (nested) lists of those; ``None`` is omitted.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _scalar(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v, key) for v in value) + "]"
    if isinstance(value, dict):  # an inline table, e.g. a default shown by `ganbench config show`
        return "{" + ", ".join(f"{_key(k)} = {_scalar(v, key)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {key!r} = {value!r} as TOML (type {type(value).__name__})")


def toml_value(value: Any) -> str:
    """A plain value (str, int, float, bool, a list or an inline table of those) as TOML writes it."""
    return _scalar(value, "value")


def _key(name: str) -> str:
    bare = name and all(c.isalnum() or c in "-_" for c in name)
    return name if bare else json.dumps(name)


def to_toml(values: dict[str, Any], _prefix: str = "") -> str:
    """``values`` (nested dicts) as TOML text; tables after the plain keys of their parent."""
    lines: list[str] = []
    tables = {k: v for k, v in values.items() if isinstance(v, dict)}
    for key, value in values.items():
        if value is not None and key not in tables:
            lines.append(f"{_key(key)} = {_scalar(value, _prefix + key)}")
    for key, table in tables.items():
        name = f"{_prefix}{_key(key)}"
        body = to_toml(table, name + ".")
        lines.append(f"\n[{name}]\n{body.rstrip()}".rstrip())
    return "\n".join(lines).strip("\n") + "\n"

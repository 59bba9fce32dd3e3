"""Dotted keys (``"train.batch_size"``) over nested settings tables: the one way between the two shapes.

``flatten`` turns nested tables into dotted keys; ``set_dotted`` writes one dotted key into nested tables.
Experiment overrides, ``--set``, resume comparisons and phase budgets all go through this pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DottedKeyError(ValueError):
    """A dotted key whose path runs through a value instead of a table."""


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables -> dotted keys: ``{"train": {"lr": 1e-3}}`` -> ``{"train.lr": 1e-3}``.

    An empty table disappears (it sets nothing)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    """Write ``value`` at dotted ``key`` into ``tree`` in place, creating the tables on the way."""
    parts = key.split(".")
    if any(not part for part in parts):
        raise DottedKeyError(f"{key!r} is not a dotted key (expected SECTION.KEY, e.g. train.batch_size)")
    table = tree
    for depth, part in enumerate(parts[:-1]):
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise DottedKeyError(f"{key!r}: '{'.'.join(parts[:depth + 1])}' is a value, not a table")
        table = child
    table[parts[-1]] = value

"""What every section of the settings tree shares: the error type and the shape of a check's result."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """Settings that cannot be used; the message names the key, the file and what was expected."""


Problems = list[tuple[str, str]]  # (key within the section, sentence)


def at_least(section: Any, keys: tuple[str, ...], least: int) -> Problems:
    words = "0 or more" if least == 0 else f"at least {least}"
    return [(key, f"must be {words}, got {getattr(section, key)}")
            for key in keys if getattr(section, key) < least]

"""What every table of the settings tree shares: the pydantic configuration, the error type and the
value types several sections use.

Every table is a pydantic model with :data:`SETTINGS`: unknown keys are errors (``extra="forbid"``), values
are not coerced (``strict``: ``"32"`` is not an integer, ``1`` is not ``true``; an integer is accepted
where a number is expected), and the one-line docstring under a field is its description
(``use_attribute_docstrings``), which ``ganbench config show`` prints and the JSON schema carries.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

SETTINGS = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True, validate_by_name=True,
                      validate_by_alias=True, serialize_by_alias=True)


class ConfigError(ValueError):
    """Settings that cannot be used; the message names the key, the file and what was expected."""


class Section(BaseModel):
    """A table of the settings tree (see :data:`SETTINGS`)."""

    model_config = SETTINGS


def _pair(value: object) -> object:
    if isinstance(value, list | tuple):  # TOML has arrays, not tuples
        if len(value) != 2:
            raise ValueError("must be a list of 2 items")
        return tuple(value)
    return value


def _power_of_two(size: int) -> int:
    if not (size >= 16 and size & (size - 1) == 0):
        raise ValueError("must be a power of two of at least 16")
    return size


def _query_streams(streams: list[list[str]]) -> list[list[str]]:
    if not streams or any(not s or any(not step.strip() for step in s) for s in streams):
        raise ValueError("must be a non-empty list of query streams, each a non-empty list of non-empty "
                         "steps")
    return streams


Pair = BeforeValidator(_pair)
"""Reads a TOML array of two items as the pair a field declares (``tuple[float, float]``)."""
ImageSize = Annotated[int, AfterValidator(_power_of_two)]
QueryStreams = Annotated[list[list[str]], AfterValidator(_query_streams)]

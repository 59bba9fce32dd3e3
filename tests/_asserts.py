"""Assertions on errors that check what a message is about (its type and the key, input or file it names),
not its wording, so a reworded sentence does not fail a test while a message that stops naming the
offending key does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def raises_naming(error_type: type[BaseException], *names: object) -> Iterator[pytest.ExceptionInfo]:
    """Expect ``error_type`` with a message that contains ``str(name)`` for every one of ``names``."""
    with pytest.raises(error_type) as caught:
        yield caught
    message = str(caught.value)
    missing = [str(name) for name in names if str(name) not in message]
    assert not missing, f"{error_type.__name__} {message!r} does not name {missing}"


def names_all(text: str, *names: object) -> bool:
    """Whether ``text`` (a command's output) contains ``str(name)`` for every one of ``names``."""
    return all(str(name) in text for name in names)


def line_naming(text: str, *names: object) -> bool:
    """Whether one line of ``text`` contains ``str(name)`` for every one of ``names`` (a value next to its
    key, a file next to what happened to it)."""
    return any(all(str(name) in line for name in names) for line in text.splitlines())

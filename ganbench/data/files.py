"""Writing files so a reader never sees half of one, and reading small JSON records that may be absent.

Every write goes to a temporary file named after the process, then is renamed over the target
(``os.replace`` is atomic on one file system): a crash leaves the old file or none, and two workers
writing the same file at once (``ganbench run --jobs N``) never interleave.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _partial(path: Path) -> Path:
    return path.with_name(f"{path.name}.tmp{os.getpid()}")


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``, its folder made if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


def write_json_atomic(path: Path, data: Any, indent: int = 2) -> Path:
    """``data`` as JSON (non-JSON values through ``str``), one trailing newline."""
    return write_text_atomic(path, json.dumps(data, indent=indent, default=str) + "\n")


def torch_save_atomic(payload: Any, path: Path) -> Path:
    """``torch.save`` to ``path``, flushed to disk before the rename (checkpoints survive a power cut)."""
    import torch  # here, so that JSON-only users (``ganbench status``) do not load torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    with partial.open("wb") as handle:
        torch.save(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def read_json_object(path: Path) -> dict:
    """The JSON object stored at ``path``; ``{}`` when it is absent, unreadable or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

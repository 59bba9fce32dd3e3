"""Compare two evaluations of the same cells value by value: did a refactor change any metric?

    python scripts/compare_metrics.py OLD_DIR RESULTS_DIR

OLD_DIR holds one ``<cell>.json`` per cell (e.g. written by an older checkout's ``ganbench eval RUN --out
OLD_DIR/<cell>.json``); RESULTS_DIR is a ``ganbench run`` results folder whose ``cells/<cell>/metrics.json``
are compared with them. Keys that describe the invocation rather than the result (``provenance``,
``timing``, ``run``, ``images``) are left out; every other difference is printed, exact equality of floats
included. Exit status 1 when any cell differs or is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

INVOCATION_KEYS = {"provenance", "timing", "run", "images"}


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            if not path and key in INVOCATION_KEYS:
                continue
            if key not in old or key not in new:
                found.append(f"{path}/{key}: only in {'new' if key not in old else 'old'}")
            else:
                found += differences(old[key], new[key], f"{path}/{key}")
        return found
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


def main(old_dir: Path, results_dir: Path) -> int:
    status = 0
    for metrics in sorted(results_dir.glob("cells/*/metrics.json")):
        cell = metrics.parent.name
        old_file = old_dir / f"{cell}.json"
        if not old_file.is_file():
            print(f"{cell}: no {old_file}")
            status = 1
            continue
        found = differences(json.loads(old_file.read_text()), json.loads(metrics.read_text()))
        print(f"{cell}: {len(found)} difference(s)" + "".join(f"\n  {line}" for line in found))
        status |= bool(found)
    return status


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))

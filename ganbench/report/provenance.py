"""The report's "Provenance" block: where the numbers came from, read from stored files only.

Sources: ``run_summary.json``'s ``provenance`` (the last ``ganbench run``: its command, date, commit,
hardware and the wall time of the whole process) and each cell's ``metrics.json`` ``provenance`` (the
evaluation's) and ``run.training`` (the training's precision and device). Results without them (made by an
older ganbench) get a row saying so rather than a guess.
"""

from __future__ import annotations

from typing import Any

from ganbench.data.files import read_json_object
from ganbench.report.results import Results

UNRECORDED = "not recorded (results made before ganbench recorded provenance)"


def _code(record: dict) -> str:
    git = record.get("git") or {}
    if not git.get("commit"):
        return f"not from a git checkout ({git.get('why', 'unknown')})" if git else UNRECORDED
    return f"git commit {git['commit'][:12]}" + (" with uncommitted code changes" if git.get("dirty") else "")


def _hardware(record: dict) -> str:
    if not record.get("cpu"):
        return UNRECORDED
    cores = f" ({record['cpu_cores']} cores)" if record.get("cpu_cores") else ""
    return record["cpu"] + cores + (f"; GPU {record['gpu']}" if record.get("gpu") else "")


def _minutes(seconds: Any) -> str:
    return f"{float(seconds) / 60:.1f} min" if isinstance(seconds, int | float) else "?"


def _cells(results: Results, key: str) -> list[dict]:
    return [extras[key] for extras in results.extras.values() if isinstance(extras.get(key), dict)]


def _precisions(results: Results) -> str:
    trained = sorted({f"{t.get('precision')} on {t.get('device')}" for run in _cells(results, "run")
                      if isinstance(t := run.get("training"), dict) and t.get("precision")})
    evaluated = sorted({f"{p.get('precision')} on {p.get('device')}" for p in _cells(results, "provenance")
                        if p.get("precision")})
    return (f"training {', '.join(trained) or 'not recorded'}; "
            f"evaluation {', '.join(evaluated) or 'not recorded'}")


def provenance_rows(results: Results) -> list[tuple[str, str]]:
    """(label, value) rows of the block, in the order shown."""
    summary = read_json_object(results.root / "run_summary.json")
    run = summary.get("provenance") or {}
    evaluations = _cells(results, "provenance")
    evaluation = max(evaluations, key=lambda p: str(p.get("date", "")), default={})
    main = run or evaluation
    rows = [("Code", _code(main))]
    if run:
        rows.append(("Run", f"`{run.get('command', '?')}`, finished {run.get('date', '?')}, "
                            f"{_minutes(run.get('wall_seconds'))} wall for the whole command"))
    else:
        rows.append(("Run", UNRECORDED))
    earlier = [p for p in summary.get("earlier_invocations") or [] if isinstance(p, dict)]
    if earlier:
        rows.append(("Earlier invocations", "; ".join(
            f"`{p.get('command', '?')}`, {p.get('date', '?')}, {_minutes(p.get('wall_seconds'))} wall"
            for p in earlier)))
    if evaluation:
        rows.append(("Latest evaluation",
                     f"`{evaluation.get('command', '?')}`, {evaluation.get('date', '?')} "
                     f"({len(evaluations)} of {len(results.cells)} cells record one)"))
    rows.append(("Hardware", _hardware(main)))
    rows.append(("Precision", _precisions(results)))
    versions = main.get("versions") or {}
    rows.append(("Versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or UNRECORDED))
    return rows

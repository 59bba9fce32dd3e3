"""The report's "Provenance" block: where the numbers came from, read from stored files only.

Sources: ``run_summary.json``'s ``provenance`` (the last ``ganbench run``: its command, date, commit,
hardware and the wall time of the whole process) and each cell's ``metrics.json`` ``provenance`` (the
evaluation's) and ``run.training`` (the training's precision and device). Results without them (made by an
older ganbench) get a row saying so rather than a guess.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from typing import Any

from ganbench.data.files import read_json_object
from ganbench.report.index import Provenance
from ganbench.report.results import Results

PACKAGES = ("ganbench", "torch", "torch-fidelity", "numpy", "pandas", "matplotlib", "seaborn",
            "colour-science")

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


def report_provenance(results: Results) -> Provenance:
    """The report's closing block: the experiment file, the cells' states, time and version notes, and
    the Provenance rows of :func:`provenance_rows`."""
    toml_path = results.root / "experiment.toml"
    statuses = {name: "finished" for name in results.cells}
    statuses.update({name: "no metrics (failed or not run)" for name in results.missing})
    summary = results.root / "run_summary.json"
    notes = []
    if summary.is_file():
        rows = json.loads(summary.read_text(encoding="utf-8")).get("cells", [])
        for row in rows:
            if row.get("status") == "failed":
                statuses[row["cell"]] = "failed: " + str(row.get("error", ""))[:120]
        seconds = sum(float(row.get("seconds", 0)) for row in rows)
        notes.append(f"The cells took {seconds / 60:.1f} min of the last `ganbench run` invocation "
                     "(training, report images, evaluation; a cell it found finished counts 0; the whole "
                     "command's wall time is under Provenance).")
    totals = _timing_totals(results)
    if totals:
        steps = ", ".join(f"{step} {seconds / 60:.1f} min" for step, seconds in totals.items())
        notes.append("Summed over the cells' timing.json (the latest time of each step; cells run at once "
                     f"with --jobs take less wall time): {steps}.")
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    recorded = next((e["versions"] for e in results.extras.values() if isinstance(e.get("versions"), dict)),
                    {})
    if recorded:
        notes.append("Versions recorded by the evaluation: "
                     + ", ".join(f"{k} {v}" for k, v in recorded.items())
                     + "; versions below are the report's.")
    return Provenance(toml_path.read_text(encoding="utf-8") if toml_path.is_file() else "(not stored)",
                      versions, sorted(statuses.items()), notes, provenance_rows(results))


def _timing_totals(results: Results) -> dict[str, float]:
    """Seconds per step (train, render, evaluate) summed over the finished cells' timing.json."""
    totals: dict[str, float] = {}
    for folder in results.cells.values():
        for key, value in read_json_object(folder / "timing.json").items():
            if key.endswith("_seconds") and isinstance(value, int | float):
                totals[key.removesuffix("_seconds")] = totals.get(key.removesuffix("_seconds"), 0.0) + value
    return totals

"""Import accounting: every input an importer reads is either kept or skipped with a reason.

The invariant ``read == kept + skipped`` holds by construction: ``read`` is derived, never counted
separately. Skipped inputs are written one per line to ``import_report.jsonl`` as
``{"source": ..., "reason": ..., "kind": ...}`` (``kind`` is a short category used for the summary).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SkippedInput:
    """One input that was not imported: where it came from, why, and the reason's category."""

    source: str
    reason: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason, "kind": self.kind}


@dataclass
class ImportReport:
    """Counts kept inputs and records each skipped input with its reason."""

    kept: int = 0
    skipped_inputs: list[SkippedInput] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.skipped_inputs)

    @property
    def read(self) -> int:
        return self.kept + self.skipped

    def keep(self) -> None:
        self.kept += 1

    def skip(self, source: str | Path, reason: str, kind: str = "other") -> None:
        self.skipped_inputs.append(SkippedInput(str(source), reason, kind))

    def skipped_by_kind(self) -> dict[str, int]:
        """Number of skipped inputs per reason category, most frequent first."""
        return dict(Counter(s.kind for s in self.skipped_inputs).most_common())

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "kept": self.kept, "skipped": self.skipped}

    def write_jsonl(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for entry in self.skipped_inputs:
                handle.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")

    @classmethod
    def read_jsonl(cls, path: str | Path, kept: int) -> ImportReport:
        report = cls(kept=kept)
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    entry = json.loads(line)
                    report.skip(entry["source"], entry["reason"], entry.get("kind", "other"))
        return report

    def summary(self) -> str:
        """Human-readable lines ending with ``read = kept + skipped``."""
        lines = [f"  skipped ({kind}): {n}" for kind, n in self.skipped_by_kind().items()]
        lines.append(f"read {self.read} = kept {self.kept} + skipped {self.skipped}")
        return "\n".join(lines)

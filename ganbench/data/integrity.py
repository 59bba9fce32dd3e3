"""Are a catalog's files still the ones it was written with? Hashes, per-file checksums, missing files.

Two records are written with every catalog: the manifest's ``catalog_hash`` (SHA-256 of ``items.jsonl``
followed by every image file's bytes in item order) and ``images.sha256``, one line per image in the
format of ``sha256sum`` ("HEX  images/ID.png"; ``sha256sum -c images.sha256`` checks it too). The
catalog hash tells whether anything changed; the per-file checksums tell which image. Catalogs written
before the checksums existed can still be checked for missing files and as a whole, but a changed image
cannot be named in them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ganbench.data.layout import CHECKSUMS, ITEMS, CatalogError

_HEX_LENGTH = 64


def checksum_lines(entries: Iterable[tuple[str, str]]) -> str:
    """``images.sha256`` text from (hex digest, relative path) pairs."""
    return "".join(f"{digest}  {path}\n" for digest, path in entries)


def read_checksums(path: Path) -> dict[str, str]:
    """{relative path: hex digest} from an ``images.sha256`` file; ``CatalogError`` if it is malformed."""
    checksums: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != _HEX_LENGTH or not name:
            raise CatalogError(f"{path} line {number} is not 'SHA256  images/ID.png': {line[:80]!r}")
        checksums[name] = digest.lower()
    return checksums


def missing_images(root: Path, items: Sequence[dict]) -> list[str]:
    """The image paths (relative to ``root``) that items.jsonl names but the folder lacks."""
    return [item["image"] for item in items if not (root / item["image"]).is_file()]


def missing_images_error(root: Path, missing: Sequence[str]) -> CatalogError:
    """One line naming the first missing image file (and how many more) and how to see them all."""
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return CatalogError(
        f"catalog image {root / missing[0]} is missing{more}; restore it or re-create the catalog "
        f"(ganbench data info --verify {root} lists every missing or changed file)"
    )


@dataclass
class VerifyResult:
    """What ``verify_catalog`` found. ``ok`` when nothing is missing or changed and the hash matches."""

    checked: int
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    per_file: bool = True
    hash_matches: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.changed and self.hash_matches

    def lines(self) -> list[str]:
        """Readable lines: the verdict, every missing and changed file by name, then the notes."""
        how = f"against {CHECKSUMS} and the catalog hash" if self.per_file else "against the catalog hash"
        verdict = "all match" if self.ok else (
            f"{len(self.missing)} missing, {len(self.changed)} changed"
            + ("" if self.hash_matches else ", catalog hash differs")
        )  # fmt: skip
        lines = [f"verify: {self.checked} image files checked {how}: {verdict}"]
        lines += [f"  missing: {name}" for name in self.missing]
        lines += [f"  changed: {name}" for name in self.changed]
        return lines + [f"  note: {note}" for note in self.notes]

    def to_json(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "missing": self.missing, "changed": self.changed,
                "per_file_checksums": self.per_file, "catalog_hash_matches": self.hash_matches,
                "notes": self.notes}  # fmt: skip


def verify_catalog(root: Path, items: Sequence[dict], catalog_hash: str) -> VerifyResult:
    """Read every image once: name missing files, name changed ones (per-file checksums), recompute
    the catalog hash."""
    checksums_path = root / CHECKSUMS
    checksums = read_checksums(checksums_path) if checksums_path.is_file() else None
    result = VerifyResult(checked=len(items), per_file=checksums is not None)
    digest = hashlib.sha256((root / ITEMS).read_bytes())
    for item in items:
        name = item["image"]
        try:
            data = (root / name).read_bytes()
        except FileNotFoundError:
            result.missing.append(name)
            continue
        digest.update(data)
        expected = checksums.get(name) if checksums is not None else None
        if expected is not None and hashlib.sha256(data).hexdigest() != expected:
            result.changed.append(name)
    result.hash_matches = not result.missing and digest.hexdigest() == catalog_hash
    result.notes = _notes(result, checksums, items)
    return result


def _notes(result: VerifyResult, checksums: dict[str, str] | None, items: Sequence[dict]) -> list[str]:
    if checksums is None:
        return [f"this catalog has no {CHECKSUMS} (it was written before per-file checksums): missing files "
                "are named, but a changed image shows only as a catalog hash mismatch and cannot be named; "
                "re-create the catalog to get per-file checksums"]  # fmt: skip
    notes = []
    unlisted = [item["image"] for item in items if item["image"] not in checksums]
    if unlisted:
        notes.append(f"{len(unlisted)} images have no line in {CHECKSUMS} (first: {unlisted[0]}); "
                     "they are covered by the catalog hash only")  # fmt: skip
    if not result.hash_matches and not result.missing and not result.changed:
        notes.append(f"every image matches {CHECKSUMS} but the catalog hash differs: {ITEMS} (or "
                     f"{CHECKSUMS} itself) was edited after the catalog was written")  # fmt: skip
    return notes

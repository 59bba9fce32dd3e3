"""The colour lookup table: colour word (one or more words) -> cluster id and cluster centroid in Lab.

Saved as JSON (``format_version``, ``hash``, terms, clusters) or exported/loaded as CSV (one row per term).
The ``hash`` covers the content (terms, their Lab, clusters; not the clustering parameters), so a table
rebuilt from the same inputs has the same hash, and a model trained with one table can check it got it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from colorspace.cluster import Cluster, cluster_terms
from colorspace.difference import delta_e
from colorspace.vocabulary import ColourTerm, catalog_terms, normalise_name

FORMAT_VERSION = 1
DEFAULT_MAX_DE = 16.0
CSV_FIELDS = ("term", "cluster_id", "cluster_name", "L", "a", "b", "centroid_L", "centroid_a", "centroid_b")


class LookupTableError(ValueError):
    """Raised for a lookup-table file or request that cannot be read."""


@dataclass(frozen=True)
class LookupResult:
    """Answer for one word. ``is_colour`` False with a ``suggestion`` means "did you mean ...?"."""

    term: str | None
    cluster_id: int | None
    centroid: tuple[float, float, float] | None
    suggestion: str | None
    is_colour: bool
    note: str = ""


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _round3(values: Sequence[float]) -> tuple[float, float, float]:
    return tuple(round(float(v), 6) for v in values)


def _allowed_typos(word: str) -> int:
    """A small edit distance: 1 for words up to 5 letters, 2 for longer ones."""
    return 1 if len(word) <= 5 else 2


class LookupTable:
    """Colour terms, their Lab values and their clusters; see ``docs/colour.md``."""

    def __init__(self, term_labs: Mapping[str, Sequence[float]], clusters: Sequence[Cluster],
                 parameters: Mapping[str, object] | None = None) -> None:  # fmt: skip
        # Values are kept to 6 decimals so that JSON and CSV round trips give back the same table and hash.
        self._term_labs = {normalise_name(t): _round3(lab) for t, lab in term_labs.items()}
        self._clusters = sorted(
            (Cluster(c.id, _round3(c.centroid), c.name, c.members) for c in clusters), key=lambda c: c.id
        )
        if [c.id for c in self._clusters] != list(range(len(self._clusters))):
            raise LookupTableError("cluster ids must be 0, 1, ..., n-1 without gaps")
        self._cluster_of: dict[str, int] = {}
        for cluster in self._clusters:
            for member in cluster.members:
                self._cluster_of[normalise_name(member)] = cluster.id
        missing = sorted(set(self._term_labs) ^ set(self._cluster_of))
        if missing:
            raise LookupTableError(f"terms and cluster members differ: {', '.join(missing[:5])}")
        self.parameters = dict(parameters or {})
        self._longest = max((len(t.split(" ")) for t in self._term_labs), default=1)

    @classmethod
    def from_terms(cls, terms: Sequence[ColourTerm], **cluster_options) -> LookupTable:
        """Cluster ``terms`` with ``cluster_terms(**cluster_options)`` and build the table."""
        clusters = cluster_terms(terms, **cluster_options)
        parameters = {k: v for k, v in cluster_options.items() if k != "weights"}
        return cls({t.name: t.lab for t in terms}, clusters, parameters)

    # --- queries -------------------------------------------------------------------------------
    @property
    def terms(self) -> list[str]:
        return list(self._term_labs)

    @property
    def clusters(self) -> list[Cluster]:
        return list(self._clusters)

    @property
    def n_clusters(self) -> int:
        return len(self._clusters)

    @property
    def cluster_names(self) -> list[str]:
        return [c.name for c in self._clusters]

    def term_lab(self, term: str) -> tuple[float, float, float] | None:
        return self._term_labs.get(normalise_name(term))

    def cluster_of(self, term: str) -> int | None:
        return self._cluster_of.get(normalise_name(term))

    def centroid(self, cluster_id: int) -> tuple[float, float, float]:
        if not 0 <= cluster_id < self.n_clusters:
            raise LookupTableError(f"cluster id must be in 0..{self.n_clusters - 1}, got {cluster_id}")
        return self._clusters[cluster_id].centroid

    def nearest_cluster(self, lab: Sequence[float]) -> int:
        """The cluster whose centroid is closest (CIEDE2000) to ``lab``."""
        centroids = np.array([c.centroid for c in self._clusters])
        return int(np.argmin(delta_e(np.asarray(lab, dtype=float)[None, :], centroids)))

    def suggest(self, word: str) -> str | None:
        """The nearest known term within a small edit distance (ties: the earlier, more popular term)."""
        word = normalise_name(word)
        best = min(self._term_labs, key=lambda term: edit_distance(word, term), default=None)
        if best is None or edit_distance(word, best) > _allowed_typos(word):
            return None
        return best

    def lookup(self, word: str, vocabulary: Mapping[str, ColourTerm] | None = None) -> LookupResult:
        """Look up one colour word; never raises for unknown words.

        A word outside the table but inside ``vocabulary`` (e.g. ``load_vocabulary("default")``) is a
        colour: it is given the cluster with the nearest centroid.
        """
        name = normalise_name(word)
        cluster_id = self.cluster_of(name)
        if cluster_id is not None:
            return LookupResult(name, cluster_id, self.centroid(cluster_id), None, True)
        if vocabulary is not None and name in vocabulary:
            nearest = self.nearest_cluster(vocabulary[name].lab)
            note = f"not in the table; nearest cluster by CIEDE2000 ({vocabulary[name].source} value)"
            return LookupResult(name, nearest, self.centroid(nearest), None, True, note)
        suggestion = self.suggest(name)
        if suggestion is not None:
            return LookupResult(None, None, None, suggestion, False, f"unknown; did you mean {suggestion!r}?")
        return LookupResult(None, None, None, None, False, "not a colour term")

    def find_terms(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """Colour terms in ``tokens`` as (start, end, term), end exclusive; longest match, left to right."""
        words = [normalise_name(t) for t in tokens]
        found, i = [], 0
        while i < len(words):
            for length in range(min(self._longest, len(words) - i), 0, -1):
                candidate = " ".join(words[i : i + length])
                if candidate in self._cluster_of:
                    found.append((i, i + length, candidate))
                    i += length
                    break
            else:
                i += 1
        return found

    # --- persistence -----------------------------------------------------------------------------
    def _content(self) -> dict:
        """Everything the hash covers: terms with Lab and cluster, and the clusters."""
        return {
            "terms": [{"term": t, "lab": list(lab), "cluster_id": self._cluster_of[t]}
                      for t, lab in self._term_labs.items()],
            "clusters": [{"id": c.id, "name": c.name, "centroid": list(c.centroid),
                          "members": list(c.members)} for c in self._clusters],
        }  # fmt: skip

    @property
    def hash(self) -> str:
        """First 16 hex digits of the SHA-256 of the content (terms, Lab values, clusters)."""
        content = json.dumps(self._content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(content.encode()).hexdigest()[:16]

    def to_json(self) -> dict:
        return {"format_version": FORMAT_VERSION, "hash": self.hash, **self._content(),
                "parameters": self.parameters}  # fmt: skip

    def save(self, path: str | Path) -> Path:
        """Write JSON (``.json``) or CSV (``.csv``, one row per term)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".csv":
            self._write_csv(path)
        elif path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.to_json(), indent=1) + "\n")
        else:
            raise LookupTableError(f"lookup table path must end in .json or .csv, got {path.name!r}")
        return path

    def _write_csv(self, path: Path) -> None:
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_FIELDS)
            for term, lab in self._term_labs.items():
                cluster = self._clusters[self._cluster_of[term]]
                writer.writerow([term, cluster.id, cluster.name, *_rounded(lab), *_rounded(cluster.centroid)])

    @classmethod
    def load(cls, path: str | Path) -> LookupTable:
        """Read a table written by ``save`` (JSON checks its hash; CSV rebuilds clusters from the rows)."""
        path = Path(path)
        if not path.is_file():
            raise LookupTableError(f"lookup table file not found: {path}")
        if path.suffix.lower() == ".csv":
            return _load_csv(path)
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise LookupTableError(f"{path} is not a colour lookup table JSON file ({error})") from error
        return cls.from_json(data, source=str(path))

    @classmethod
    def from_json(cls, data: Mapping, source: str = "lookup table") -> LookupTable:
        """The table of a :meth:`to_json` dict; a stored hash must match the content."""
        try:
            table = cls(
                {row["term"]: row["lab"] for row in data["terms"]},
                [Cluster(c["id"], tuple(c["centroid"]), c["name"], tuple(c["members"]))
                 for c in data["clusters"]],
                data.get("parameters", {}),
            )
        except (KeyError, TypeError) as error:
            raise LookupTableError(f"{source} is not a colour lookup table JSON file ({error})") from error
        if data.get("hash") not in (None, table.hash):
            raise LookupTableError(
                f"{source}: stored hash {data['hash']} does not match its content (hash {table.hash})"
            )
        return table


def _rounded(values: Sequence[float]) -> list[str]:
    return [f"{v:.6f}" for v in values]


def _load_csv(path: Path) -> LookupTable:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or set(CSV_FIELDS) - set(rows[0]):
        raise LookupTableError(f"{path} is not a lookup table CSV: expected columns {', '.join(CSV_FIELDS)}")
    members: dict[int, list[str]] = {}
    info: dict[int, tuple[str, tuple[float, float, float]]] = {}
    for row in rows:
        cid = int(row["cluster_id"])
        members.setdefault(cid, []).append(row["term"])
        info[cid] = (row["cluster_name"], tuple(float(row[f"centroid_{c}"]) for c in "Lab"))
    clusters = [Cluster(cid, info[cid][1], info[cid][0], tuple(members[cid])) for cid in sorted(members)]
    return LookupTable({r["term"]: [float(r[c]) for c in "Lab"] for r in rows}, clusters, {"source": "csv"})


@cache
def _default_lookup() -> LookupTable:
    return LookupTable.from_terms(catalog_terms(), method="average", max_de=DEFAULT_MAX_DE)


def default_lookup() -> LookupTable:
    """The catalog's colour terms clustered by average linkage on CIEDE2000, cut at 16 dE00 (24 clusters).

    Why 16: every cut from 15 to 17 keeps the near-synonym groups together (navy / navy blue / midnight
    blue, burgundy / maroon / wine, khaki / tan, charcoal / dark grey) while navy and khaki, grey and
    light-wash denim, and pink and mauve stay apart; below 15 khaki and tan split, above 17 grey merges
    with the light denim washes. 16 is the middle of that range and gives 24 clusters.
    """
    return _default_lookup()


def open_lookup(spec: str, *, setting: str = "lookup table", optional: bool = False) -> LookupTable | None:
    """The lookup table a setting names: ``"default"`` (:func:`default_lookup`), the path of a table saved
    by :meth:`LookupTable.save`, or, where ``optional``, ``"none"`` for no table (``None``).

    Every command and setting that names a table goes through here, so they accept the same words;
    ``setting`` names the option in errors (``"data.colour_lookup"``, ``"--table"``)."""
    if spec == "default":
        return default_lookup()
    if spec == "none":
        if optional:
            return None
        raise LookupTableError(f"{setting} = 'none': a lookup table is needed here ('default' or a file)")
    try:
        return LookupTable.load(spec)
    except LookupTableError as error:
        raise LookupTableError(f"{setting}: {spec!r} is neither 'default' nor a saved lookup table "
                               f"({error})") from None

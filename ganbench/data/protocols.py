"""What the harness and the models use of a vocabulary and of a colour lookup table, as typed protocols.

``ganbench.data.text.Vocabulary`` and ``colorspace.LookupTable`` satisfy them; a plugin or a test may pass
anything else that does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class TokenVocabulary(Protocol):
    """Token <-> id mapping of the catalog's words (ids 0 and 1 are padding and unknown)."""

    @property
    def tokens(self) -> Sequence[str]: ...

    @property
    def hash(self) -> str: ...

    def __len__(self) -> int: ...

    def __contains__(self, token: str) -> bool: ...

    def id_of(self, token: str) -> int: ...

    def encode(self, tokens: str | Sequence[str]) -> list[int]: ...


@runtime_checkable
class ColourLookup(Protocol):
    """Colour terms -> CIELAB clusters (the colour classes and the colour model's cluster tokens)."""

    @property
    def n_clusters(self) -> int: ...

    @property
    def cluster_names(self) -> Sequence[str]: ...

    @property
    def terms(self) -> Sequence[str]: ...

    @property
    def hash(self) -> str: ...

    def cluster_of(self, term: str) -> int | None: ...

    def centroid(self, cluster_id: int) -> Sequence[float]: ...

    def term_lab(self, term: str) -> Sequence[float]: ...

    def find_terms(self, tokens: Sequence[str]) -> list[tuple[int, int, Any]]: ...

    def lookup(self, word: str) -> Any: ...

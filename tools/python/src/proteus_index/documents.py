"""The document table of an index: where each indexed document starts in the corpus, how
long it is, and its name (the path it was read from, or "-" for standard input)."""
from __future__ import annotations

from typing import Iterator, NamedTuple, Sequence, overload

import numpy as np


class Document(NamedTuple):
    """One document of the indexed corpus."""

    #: The name it was indexed under.
    name: str
    #: Position of its first token in the corpus (documents follow each other).
    start: int
    #: Its length in tokens.
    length: int


class Documents(Sequence[Document]):
    """The documents of an index, in corpus order.

    ``starts`` and ``lengths`` are zero-copy uint64 views of the index mapping; names are
    decoded from the index's name pool when first asked for.

    Examples
    --------
    >>> index.documents[0]
    Document(name='essays/apple.txt', start=0, length=3182)
    >>> index.documents.containing(5000)
    1
    """

    def __init__(self, starts: np.ndarray, lengths: np.ndarray, name_offsets: np.ndarray, name_pool: np.ndarray) -> None:
        self.starts = starts
        self.lengths = lengths
        self._name_offsets = name_offsets
        self._name_pool = name_pool
        self._names: list[str] | None = None

    @property
    def names(self) -> list[str]:
        """Every document's name (decoded once; invalid UTF-8 repaired as the Swift reader does)."""
        if self._names is None:
            pool = self._name_pool.tobytes()
            bounds = self._name_offsets.tolist()
            self._names = [pool[a:b].decode("utf-8", errors="replace") for a, b in zip(bounds, bounds[1:])]
        return self._names

    def __len__(self) -> int:
        return int(self.starts.size)

    @overload
    def __getitem__(self, i: int) -> Document: ...
    @overload
    def __getitem__(self, i: slice) -> list[Document]: ...

    def __getitem__(self, i: int | slice) -> Document | list[Document]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"document {i} out of range ({len(self)} documents)")
        return Document(self.names[i], int(self.starts[i]), int(self.lengths[i]))

    def __iter__(self) -> Iterator[Document]:
        return (self[i] for i in range(len(self)))

    def containing(self, position: int) -> int | None:
        """The document holding corpus position `position`, or None past the end.

        Empty documents never contain a position (the Swift `document(containing:)` rule).
        """
        if len(self) == 0 or position < 0 or position >= int(self.starts[-1]) + int(self.lengths[-1]):
            return None
        return int(np.searchsorted(self.starts, np.uint64(position), side="right")) - 1

    def __repr__(self) -> str:
        return f"<Documents: {len(self)}>"

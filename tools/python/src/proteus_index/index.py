"""`HeroIndex`: a `.phb` hero index mapped into memory and read in place with numpy.

Opening checks what the Swift reader (`HeroIndex.swift`) checks when it opens a file, in the
same order and with the same one-line messages: the magic, the size, the versions, the
section table (bounds, alignment, sizes, duplicates, overlaps, presence, element counts)
and the small `META` section with its checksum. That is O(1) in the number of heroes and is
done with `pread` before anything is mapped, so a refused file leaves no mapping behind.

After that, as in Swift, small sections (spans, the document table) are checksummed and
checked on first use, and the large arrays (tokens, scores, the rank table) are handed out
as views without reading every page; `verify()` reads and checks everything.
"""
from __future__ import annotations

import copy
import errno
import mmap
import os
import stat
import traceback
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np
import xxhash

from . import _layout as L
from . import _routing
from ._errors import DATA_ERROR, IO_ERROR, NO_INPUT, USAGE, ProteusIndexError
from . import _metadata
from ._metadata import Metadata, decode as decode_metadata
from ._ranks import RankTable
from ._sniff import explain
from .documents import Documents

if TYPE_CHECKING:  # the CLI wrappers import torch lazily; only their types are needed here
    from .cli import Answers, Pack


def open(path: str | os.PathLike[str]) -> "HeroIndex":  # noqa: A001 - the package's entry point
    """Opens a `.phb` index.

    Parameters
    ----------
    path : str or os.PathLike
        The index file. Messages name it as given.

    Returns
    -------
    HeroIndex
        The open index; use it as a context manager, or call `close()`.

    Raises
    ------
    ProteusIndexError
        When the file cannot be opened or is not a readable index; ``str(error)`` is the line
        ``proteus-index`` prints for the same file, and nothing stays mapped.
    """
    return HeroIndex(path)


class HeroIndex:
    """A `.phb` index, mapped and used in place.

    Arrays are zero-copy, read-only numpy views of the mapping (``positions`` is computed
    from the spans, once). They stay valid after `close()`: the mapping is released when
    the index is closed and the last array taken from it is gone.

    Attributes
    ----------
    path : str
        The file, as given.
    format_version, oldest_reader_version, file_size : int
        From the header.
    sections : list of SectionEntry
        The section table, in table order (kinds this package does not know included).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fsdecode(path)
        self._failure: ProteusIndexError | None = None
        self._closed = True  # until the mapping exists: a refused file has nothing to close
        self._mmap: mmap.mmap | None = None
        self._checked: set[str] = set()
        self._cache: dict[str, Any] = {}
        fd = _open_regular_file(self.path)
        try:
            size = os.fstat(fd).st_size
            self._read_header(fd, size)
            try:
                self._mmap = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
            except (OSError, ValueError) as e:
                code = getattr(e, "errno", None) or errno.EINVAL
                raise ProteusIndexError(f"cannot map: {os.strerror(code)} (errno {code})", self.path, IO_ERROR) from None
        finally:
            os.close(fd)  # the mapping keeps its own reference to the file
        self._bytes = np.frombuffer(self._mmap, dtype=np.uint8)
        self._closed = False

    # ----------------------------------------------------------------------------------
    # Opening: the checks of the Swift `HeroIndex.init(path:)`, in its order.

    def _fail(self, message: str) -> ProteusIndexError:
        return ProteusIndexError(message, self.path, DATA_ERROR)

    def _read_header(self, fd: int, size: int) -> None:
        head = _pread_exactly(fd, min(size, L.HEAD_READ), 0, self.path)

        def read(offset: int, count: int) -> bytes:
            if offset + count <= len(head):
                return head[offset:offset + count]
            return _pread_exactly(fd, count, offset, self.path)

        if not head.startswith(L.MAGIC):
            raise self._fail(f"not a proteus-index file ({explain(head[:512], size)})")
        if size < L.HEADER_SIZE:
            raise self._fail(f"truncated: file has {size} bytes, less than the {L.HEADER_SIZE}-byte header")
        (_, self.format_version, self.oldest_reader_version, section_count, _, self.file_size,
         table_offset, _, header_checksum) = L.HEADER.unpack_from(head, 0)
        # Versions before the checksum: a future layout may checksum differently.
        if self.oldest_reader_version > L.FORMAT_VERSION:
            raise self._fail(f"index format version {self.format_version} is newer than this proteus-index "
                             f"(reads {L.FORMAT_VERSION}); upgrade proteus-index")
        if self.format_version < L.OLDEST_READABLE:
            raise self._fail(f"index format version {self.format_version} is too old "
                             f"(oldest readable is {L.OLDEST_READABLE}); rebuild it")
        if self.file_size > size:
            raise self._fail(f"truncated: header says {self.file_size} bytes, file has {size}")
        if self.file_size < size:
            raise self._fail(f"size mismatch: header says {self.file_size} bytes, file has {size} "
                             "(data appended after the index?)")
        if not (section_count <= L.MAXIMUM_SECTIONS and table_offset >= L.HEADER_SIZE and table_offset % 8 == 0
                and table_offset <= self.file_size
                and section_count * L.TABLE_ENTRY_SIZE <= self.file_size - table_offset):
            raise self._fail(f"header at byte 0: section table ({section_count} entries at byte {table_offset}) "
                             "does not fit in the file")
        table = read(table_offset, section_count * L.TABLE_ENTRY_SIZE)
        hasher = xxhash.xxh64(head[:L.CHECKSUMMED_HEADER_BYTES])
        hasher.update(table)
        if hasher.intdigest() != header_checksum:
            raise self._fail("header at byte 0: checksum mismatch")
        self.sections: list[L.SectionEntry] = L.parse_table(table, section_count)
        self._by_kind = self._check_table(table_offset + len(table))
        meta = self._by_kind["META"]
        if meta.length > L.MAXIMUM_METADATA_SIZE:
            raise self._fail(f"section 'META' at byte {meta.offset}: {meta.length} bytes, more than the "
                             f"{L.MAXIMUM_METADATA_SIZE}-byte limit for metadata")
        meta_bytes = read(meta.offset, meta.length)
        if xxhash.xxh64_intdigest(meta_bytes) != meta.checksum:
            raise self._fail(f"section 'META' at byte {meta.offset}: checksum mismatch")
        self.metadata: Metadata = decode_metadata(
            meta_bytes, lambda m: self._fail(f"section 'META' at byte {meta.offset}: {m}"))
        self._check_counts()

    def _check_table(self, table_end: int) -> dict[str, L.SectionEntry]:
        """Bounds, alignment, sizes, duplicates, overlaps and presence of the sections."""
        by_kind: dict[str, L.SectionEntry] = {}
        for s in self.sections:
            at = f"section '{s.name}' at byte {s.offset}"
            if s.offset % L.ALIGNMENT != 0:
                raise self._fail(f"{at}: not aligned to {L.ALIGNMENT} bytes")
            if not (s.offset >= table_end and s.length <= self.file_size and s.offset <= self.file_size - s.length):
                raise self._fail(f"{at}: {s.length} bytes do not fit between the section table and the end "
                                 f"of the file ({self.file_size} bytes)")
            if not s.known:
                continue
            kind = L.KINDS[s.name]
            if s.element_size != kind.element_size or s.count * kind.element_size != s.length:
                raise self._fail(f"{at}: length {s.length} does not match {s.count} elements of "
                                 f"{kind.element_size} bytes")
            if s.name in by_kind:
                raise self._fail(f"{at}: second section of the same kind")
            by_kind[s.name] = s
        # Ties broken by table position so the message is the same on every run.
        ordered = [s for _, s in sorted(((s.offset, i), s) for i, s in enumerate(self.sections) if s.length > 0)]
        for a, b in zip(ordered, ordered[1:]):
            if a.offset + a.length > b.offset:
                raise self._fail(f"section '{b.name}' at byte {b.offset}: overlaps section '{a.name}'")
        for name, kind in L.KINDS.items():
            if name not in by_kind and not kind.optional:
                raise self._fail(f"section '{name}' is missing")
        return by_kind

    def _check_counts(self) -> None:
        """Element counts that must agree between sections and with the metadata."""
        s, m = self._by_kind, self.metadata

        def count(k: str) -> int:
            return s[k].count

        def expect(k: str, allowed: list[int], why: str) -> None:
            if count(k) not in allowed:
                raise self._fail(f"section '{k}' at byte {s[k].offset}: {count(k)} elements, expected "
                                 f"{' or '.join(map(str, allowed))} ({why})")

        def product(a: int, b: int) -> int:
            if a * b >= 1 << 64:
                raise self._fail(f"section 'META': DNA dimensions {a} \u00d7 {b} overflow")
            return a * b

        vocab, dim, gates = m.vocabulary_size, m.feature_dimension, m.gate_count
        expect("HSCO", [count("HTOK")], "one score per hero token")
        expect("SFEA", [0, product(count("SPAN"), dim)], "spans \u00d7 feature dimension")
        expect("DLEN", [count("DSTA")], "one per document")
        expect("DNMO", [count("DSTA") + 1], "documents + 1")
        words, per_rank = (vocab + 63) // 64, L.WORDS_PER_RANK
        rows = m.dna_rows
        expect("DIDS", [words], "one bit per vocabulary id")
        expect("DRNK", [(words + per_rank - 1) // per_rank], f"one per {per_rank} words of DIDS")
        expect("DSUR", [rows], "one per DNA row")
        expect("DFEA", [product(rows, dim)], "DNA rows \u00d7 feature dimension")
        expect("DFSC", [rows], "one per DNA row")
        expect("DGAT", [product(gates, dim)], "gates \u00d7 feature dimension")
        expect("DGCF", [gates], "gate count")
        if m.routing is None:
            for k in L.ROUTING_KINDS:
                if k in s:
                    raise self._fail(f"section '{k}' at byte {s[k].offset}: a routing tier section, but the "
                                     "metadata describes no routing tier")
            return
        for k in L.ROUTING_KINDS:
            if k not in s:
                raise self._fail(f"section '{k}' is missing (the metadata describes a routing tier)")
        expect("RIDS", [words], "one bit per vocabulary id")
        expect("RRNK", [(words + per_rank - 1) // per_rank], f"one per {per_rank} words of RIDS")
        if "RLIN" in s and count("RLIN") != m.routing["windows"]:
            raise self._fail(f"section 'RLIN' at byte {s['RLIN'].offset}: {count('RLIN')} elements, expected "
                             f"{m.routing['windows']} (one per routing window)")
        if count("RSKP") % 2 != 0:
            raise self._fail(f"section 'RSKP' at byte {s['RSKP'].offset}: {count('RSKP')} elements, expected pairs")

    # ----------------------------------------------------------------------------------
    # Life cycle.

    def close(self) -> None:
        """Releases the mapping (once no array taken from the index is alive; until then
        those arrays keep it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._cache.clear()
        self._bytes = None  # type: ignore[assignment]
        try:
            self._mmap.close()
        except BufferError:
            pass  # arrays the caller holds still use it; it is unmapped when they are gone
        self._mmap = None  # type: ignore[assignment]

    @property
    def closed(self) -> bool:
        """True once `close()` ran or a corrupt section closed the index."""
        return self._closed

    def __enter__(self) -> "HeroIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.statistics['hero_tokens']} heroes"
        return f"<HeroIndex {self.path!r}: {state}>"

    # ----------------------------------------------------------------------------------
    # Views.

    def _usable(self) -> None:
        failure = self._failure
        if failure is not None:  # a fresh copy: re-raising one object would pile up tracebacks
            raise ProteusIndexError(failure.message, failure.path, failure.exit_status, line=failure.line)
        if self._closed:
            raise ValueError(f"{self.path}: the index is closed")

    def _raw(self, kind: str) -> np.ndarray:
        e = self._by_kind[kind]
        return self._bytes[e.offset:e.offset + e.length]

    def _view(self, kind: str, dtype: str | np.dtype) -> np.ndarray:
        return self._raw(kind).view(dtype)

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        self._usable()
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except ProteusIndexError as error:
                raise self._refuse(error) from None
        return self._cache[key]

    def _refuse(self, error: ProteusIndexError) -> ProteusIndexError:
        """A corrupt section makes the index unusable: close it (so no mapping is left behind
        by the exception) and answer every later use with the same error."""
        if error.exit_status == DATA_ERROR and error.path == self.path:
            # The finished frames of the check still hold views of the mapping; drop them, or
            # the exception's traceback would keep the file mapped.
            traceback.clear_frames(error.__traceback__)
            self._failure = error
            self.close()
        return error

    def _verify_once(self, kind: str) -> None:
        if kind not in self._checked:
            self._verify_checksum(self._by_kind[kind])
            self._checked.add(kind)

    def _verify_checksum(self, e: L.SectionEntry) -> None:
        data = self._bytes[e.offset:e.offset + e.length]
        if xxhash.xxh64_intdigest(data) != e.checksum:
            raise self._fail(f"section '{e.name}' at byte {e.offset}: checksum mismatch")

    @property
    def tokens(self) -> np.ndarray:
        """Hero token ids, uint32, in position order (unverified view; see `verify()`)."""
        return self._cached("tokens", lambda: self._view("HTOK", "<u4"))

    @property
    def scores(self) -> np.ndarray:
        """Each hero token's DNA score, float32, parallel to `tokens` (unverified view)."""
        return self._cached("scores", lambda: self._view("HSCO", "<f4"))

    @property
    def spans(self) -> np.ndarray:
        """The hero spans: a structured array with fields ``start`` (uint64, corpus position
        of the first token), ``first_hero`` (uint32, index into `tokens`), ``length``
        (uint32), ``document`` (uint32) and ``score`` (float32).

        First use checks the section's checksum and that every span lies inside the hero
        tokens, the document table and its document.
        """
        return self._cached("spans", self._checked_spans)

    @property
    def positions(self) -> np.ndarray:
        """Each hero token's original position in the corpus, uint64, parallel to `tokens`
        (computed from `spans` on first use; read-only)."""
        return self._cached("positions", self._positions)

    @property
    def documents(self) -> Documents:
        """The document table; first use checks its four sections and their consistency."""
        return self._cached("documents", self._checked_documents)

    def describe(self) -> dict[str, Any]:
        """What ``proteus-index inspect --json`` prints, from the header and `META` (and, for a
        shard index, the place recorded at the start and end of its `SHRD` section).

        The same keys and values, except ``routing``, which holds the tier's shape
        (window_tokens, windows, list_limit) but not the counts `inspect` gets by walking
        the directory.
        """
        shard = self._cached("shard", self._shard_place)
        m = copy.deepcopy(self.metadata)
        return {
            "path": self.path, "kind": "proteus-index", "format_version": self.format_version,
            "oldest_reader_version": self.oldest_reader_version, "file_size": self.file_size,
            "statistics": m.statistics,
            "parameters": {k: v for k, v in m.parameters.items() if not k.startswith("route_")},
            "documents": self._by_kind["DSTA"].count, "hero_tokens": self._by_kind["HTOK"].count,
            "spans": self._by_kind["SPAN"].count, "tokenizer": m.tokenizer,
            "embedded_ranks_bytes": self._by_kind["TOKR"].length,
            "dna": {"vocabulary_size": m.vocabulary_size, "feature_dimension": m.feature_dimension,
                    "gates": m.gate_count},
            "corpus": m.corpus, "shard": shard, "routing": m.routing, "inputs": m.inputs,
            "sections": [{"kind": e.name, "offset": e.offset, "length": e.length, "count": e.count,
                          "xxh64": f"{e.checksum:016x}"} for e in self.sections],
        }

    def _shard_place(self) -> dict[str, Any] | None:
        """A shard index's place in its corpus, as ``inspect --json``'s ``shard`` (None for a
        whole index): `SHRD` is checksummed, its first fields and its last are read, and the
        arrays between are skipped by their counts (the layout of Swift's `ShardState`)."""
        e = self._by_kind.get("SHRD")
        if e is None:
            return None
        self._verify_once("SHRD")

        def fail(what: str) -> ProteusIndexError:
            return self._fail(f"section 'SHRD' at byte {e.offset}: {what}")

        r = _metadata._Reader(bytes(self._raw("SHRD")), fail)
        first, count = r.int(), r.int()
        if not 1 <= first <= count:
            raise fail(f"shard {first}/{count} is impossible")
        chunk_start, chunk_end, chunks = r.int(), r.int(), r.int()
        if not 0 <= chunk_start <= chunk_end <= chunks:
            raise fail(f"shard chunks {chunk_start}..<{chunk_end} of {chunks} are impossible")
        r.u64(), r.u8(), r.u64()  # champions, kept whole, sample hash
        r.int(), r.int(), r.u64(), r.u8()  # capture span, routing windows, line breaks, has line starts
        # line starts, block digests, DNA, and the pool: positions, scores, left, right, window tokens and scores
        for size in (8, 8, 1, 8, 4, 4, 4, 4, 4):
            n = r.u64()
            if n > (len(r.raw) - r.position) // size:
                raise fail(f"array of {n} elements at byte {r.position - 8} cannot fit in the section")
            r.take(n * size)
        last = first if r.at_end else r.int()
        if not first <= last <= count:
            raise fail(f"shard {first}-{last}/{count} is impossible")
        chunk_length, tokens = self.metadata.parameters["chunk_length"], self.metadata.statistics["tokens"]
        token_start = chunk_start * chunk_length
        token_end = max(token_start, min(chunk_end * chunk_length, tokens))
        return {"spec": f"{first}/{count}" if last == first else f"{first}-{last}/{count}", "first": first, "last": last,
                "count": count, "chunk_start": chunk_start, "chunk_end": chunk_end, "chunks": chunks,
                "token_start": token_start, "token_end": token_end}

    @property
    def parameters(self) -> dict[str, Any]:
        """The build options (`inspect --json`'s ``parameters``, plus ``route_window`` and
        ``route_list_share``); a copy."""
        return copy.deepcopy(self.metadata.parameters)

    @property
    def statistics(self) -> dict[str, Any]:
        """The build's counts (`inspect --json`'s ``statistics``); a copy."""
        return dict(self.metadata.statistics)

    @property
    def tokenizer(self) -> dict[str, Any] | None:
        """The corpus tokenizer's identity (name, vocabulary_size, sha256, split_pattern), or None; a copy."""
        return None if self.metadata.tokenizer is None else dict(self.metadata.tokenizer)

    def section(self, kind: str) -> np.ndarray:
        """The raw bytes of section `kind` ("DSUR", "RPST", ...) as a uint8 view (unverified)."""
        self._usable()
        if kind not in self._by_kind:
            raise KeyError(f"{self.path}: no section '{kind}'")
        return self._raw(kind)

    # ----------------------------------------------------------------------------------
    # First-use checks (the Swift `spans()` and `documents()`).

    def _checked_spans(self) -> np.ndarray:
        self._verify_once("SPAN")
        spans = self._raw("SPAN").view(L.SPAN_DTYPE)
        documents = self._cached("documents", self._checked_documents)
        at = f"section 'SPAN' at byte {self._by_kind['SPAN'].offset}"
        first, length, document = (spans[f].astype(np.uint64) for f in ("first_hero", "length", "document"))
        start = spans["start"]
        inside = (first + length <= np.uint64(self._by_kind["HTOK"].count)) & (document < np.uint64(len(documents)))
        d = np.where(inside, document, 0).astype(np.int64)
        doc_start = documents.starts[d] if len(documents) else np.zeros_like(start)
        doc_length = documents.lengths[d] if len(documents) else np.zeros_like(start)
        # uint64 arithmetic may wrap where an earlier term is already false; & keeps it false.
        offset = start - doc_start
        in_document = (start >= doc_start) & (offset <= doc_length) & (length <= doc_length - offset)
        bad = np.flatnonzero(~(inside & in_document))
        if bad.size:
            i = int(bad[0])
            if not inside[i]:
                raise self._fail(f"{at}: span {i} points outside the hero tokens or documents")
            s0, n, doc = int(start[i]), int(length[i]), int(document[i])
            a, b = int(doc_start[i]), int(doc_length[i])
            raise self._fail(f"{at}: span {i} (positions {s0} + {n}) lies outside its document {doc} "
                             f"({a}..<{(a + b) % (1 << 64)})")
        return spans

    def _positions(self) -> np.ndarray:
        spans = self.spans
        lengths = spans["length"].astype(np.int64)
        total = int(lengths.sum())
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        # The writer's spans tile the tokens in order; scattering by first_hero does not rely on it.
        # A token no span covers (never written) would keep the all-ones placeholder.
        positions = np.full(self._by_kind["HTOK"].count, np.iinfo(np.uint64).max, dtype=np.uint64)
        positions[np.repeat(spans["first_hero"].astype(np.int64), lengths) + within] = \
            np.repeat(spans["start"], lengths) + within.astype(np.uint64)
        positions.flags.writeable = False
        return positions

    def _checked_documents(self) -> Documents:
        for kind in ("DSTA", "DLEN", "DNMO", "DNMS"):
            self._verify_once(kind)
        starts, lengths = self._view("DSTA", "<u8"), self._view("DLEN", "<u8")
        name_offsets, pool = self._view("DNMO", "<u8"), self._raw("DNMS")
        docs = Documents(starts, lengths, name_offsets, pool)
        n = len(docs)
        if n:
            ends = np.cumsum(lengths, dtype=np.uint64)  # wraps silently on overflow: found below
            overflow = np.flatnonzero(ends < lengths)  # an unsigned sum that wrapped is below its addend
            expected = np.concatenate(([np.uint64(0)], ends[:-1]))
            limit = int(overflow[0]) if overflow.size else n - 1  # expected[i] is exact up to here
            mismatch = np.flatnonzero(starts[:limit + 1] != expected[:limit + 1])
            if mismatch.size:
                raise self._fail(f"section 'DSTA' at byte {self._by_kind['DSTA'].offset}: document "
                                 f"{int(mismatch[0])} does not start where the previous one ends")
            if overflow.size:
                raise self._fail(f"section 'DLEN' at byte {self._by_kind['DLEN'].offset}: document lengths overflow")
        at = f"section 'DNMO' at byte {self._by_kind['DNMO'].offset}"
        if name_offsets[0] != 0 or np.any(name_offsets[1:] < name_offsets[:-1]):
            raise self._fail(f"{at}: name offsets are not increasing")
        if int(name_offsets[-1]) != pool.size:
            raise self._fail(f"{at}: name offsets do not end at the end of the name pool")
        return docs

    # ----------------------------------------------------------------------------------
    # Text.

    def _rank_table(self) -> RankTable:
        if self._by_kind["TOKR"].length == 0 or self.metadata.tokenizer is None:
            raise ProteusIndexError("this index embeds no tokenizer (it was built with --no-embed-tokenizer "
                                    "or from token ids without one); decode with the tokenizer it was built with",
                                    self.path, USAGE)
        return RankTable(self._raw("TOKR"), self.path, self.metadata.tokenizer["name"], self.metadata.split_pattern,
                         self._by_kind["TOKR"].offset)

    def decode_bytes(self, ids: Iterable[int] | np.ndarray) -> bytes:
        """The bytes of token ids, from the tokenizer the index embeds (no other file).

        Parameters
        ----------
        ids : array_like of int
            Token ids, e.g. ``index.tokens[:20]`` or a pack's ``input_ids``.

        Raises
        ------
        ProteusIndexError
            When the index embeds no tokenizer, or an id is not in its vocabulary.
        """
        table = self._cached("ranks", self._rank_table)
        return table.decode(np.asarray(ids if isinstance(ids, np.ndarray) else list(ids)))

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The text of token ids (`decode_bytes` as UTF-8; a token cut in the middle of a
        character is shown as U+FFFD, as the command-line tool shows it)."""
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    # ----------------------------------------------------------------------------------
    # Verification.

    def verify(self) -> None:
        """Checks every section's checksum (in file order, kinds this package does not know
        included), the structure of spans and documents, and that every hero token id lies
        inside the vocabulary. Reads the whole file once.

        The routing tier's directory is checked against its lists' sizes, and every window
        list is decoded, as ``inspect --verify`` does.

        Raises
        ------
        ProteusIndexError
            At the first problem, worded as ``proteus-index inspect --verify`` words it; the
            index is closed.
        """
        self._usable()
        try:
            for e in sorted(self.sections, key=lambda e: e.offset):
                self._verify_checksum(e)
                if e.known:
                    self._checked.add(e.name)
            self.documents
            self.spans
            vocabulary = self.metadata.vocabulary_size
            if vocabulary > 0:
                outside = np.flatnonzero(self.tokens >= vocabulary)
                if outside.size:
                    i = int(outside[0])
                    raise self._fail(f"section 'HTOK' at byte {self._by_kind['HTOK'].offset}: hero token {i} "
                                     f"has id {int(self.tokens[i])}, outside the vocabulary of {vocabulary}")
            directory = self._routing_directory()
            if directory is not None:
                postings = self._raw("RPST")
                for k in range(directory.ids.size):
                    if directory.list_of(k, postings) is None:
                        raise self._corrupt_list(directory, k)
        except ProteusIndexError as error:
            raise self._refuse(error) from None

    def window_list(self, token_id: int) -> np.ndarray | None:
        """The routing windows (of ``metadata.routing["window_tokens"]`` tokens, plus the
        next window's first 64) that hold `token_id`, increasing, as an int64 array: empty
        when the corpus never holds it, None when it has no list (it is in more than
        ``list_limit`` windows, so routing counts it as present everywhere) or the index has
        no routing tier. The list is decoded on each call (checksum verified once)."""
        directory = self._routing_directory()
        if directory is None:
            return None
        k = int(np.searchsorted(directory.ids, token_id))
        if k == directory.ids.size or directory.ids[k] != token_id:
            return np.zeros(0, dtype=np.int64)
        if directory.counts[k] > directory.list_limit:
            return None
        found = directory.list_of(k, self._raw("RPST"))
        if found is None:
            raise self._refuse(self._corrupt_list(directory, k)) from None
        return found

    def _corrupt_list(self, directory: "_routing.Directory", k: int) -> ProteusIndexError:
        """The error for the k-th id's list, worded as ``inspect --verify`` words it."""
        return self._fail(f"section 'RPST' at byte {self._by_kind['RPST'].offset + int(directory.offsets[k])}: "
                          f"the window list of token id {int(directory.ids[k])} is corrupt")

    def _routing_directory(self) -> "_routing.Directory | None":
        """The routing tier's directory, checked once (None without a tier)."""
        m = self.metadata
        if m.routing is None:
            return None

        def make() -> _routing.Directory:
            for kind in ("RIDS", "RWCN", "RPST"):
                self._verify_once(kind)
            d = _routing.Directory(self._view("RIDS", "<u8"), self._raw("RWCN"), self._by_kind["RPST"].length,
                                   m.routing["windows"], m.routing["list_limit"])
            if d.error is not None:
                kind, at, what = d.error
                raise self._fail(f"section '{kind}' at byte {self._by_kind[kind].offset + at}: {what}")
            return d
        return self._cached("routing-directory", make)

    # ----------------------------------------------------------------------------------
    # The command-line tool, for what it alone implements (scoring, routing, packing).

    def query(self, question: str, top: int = 5, corpus: str | os.PathLike[str] | list[str] | None = None,
              **options: Any) -> "Answers":
        """Answers `question` with ``proteus-index query --json`` (see `proteus_index.cli.query`)."""
        from .cli import query
        self._usable()
        return query(self.path, question, top=top, corpus=corpus, **options)

    def pack(self, question: str, positions: str = "original", max_tokens: int = 4096,
             as_torch: bool = False, **options: Any) -> "Pack":
        """The context a model should see for `question` (see `proteus_index.cli.pack`)."""
        from .cli import pack
        self._usable()
        return pack(self.path, question, positions=positions, max_tokens=max_tokens, as_torch=as_torch, **options)


def _open_regular_file(path: str) -> int:
    """Opens `path` read-only with the Swift `SystemFile(openForReading:)`'s refusals."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        code = e.errno or errno.EIO
        status = NO_INPUT if code in (errno.ENOENT, errno.EACCES, errno.ENOTDIR) else IO_ERROR
        raise ProteusIndexError(f"cannot open: {os.strerror(code)} (errno {code})", path, status) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as e:
        os.close(fd)
        raise ProteusIndexError(f"cannot stat: {os.strerror(e.errno)} (errno {e.errno})", path, IO_ERROR) from None
    if stat.S_ISDIR(mode) or not stat.S_ISREG(mode):
        os.close(fd)
        what = "is a directory, expected a file" if stat.S_ISDIR(mode) else "is not a regular file"
        raise ProteusIndexError(what, path, NO_INPUT)
    return fd


def _pread_exactly(fd: int, count: int, offset: int, path: str) -> bytes:
    """`count` bytes at `offset`, or the Swift reader's error when the file ends first."""
    chunks, done = [], 0
    while done < count:
        try:
            chunk = os.pread(fd, count - done, offset + done)
        except InterruptedError:
            continue
        except OSError as e:
            raise ProteusIndexError(f"read failed at byte {offset + done}: {os.strerror(e.errno)} (errno {e.errno})",
                                    path, IO_ERROR) from None
        if not chunk:
            raise ProteusIndexError(f"at byte {offset + done}: unexpected end of file (wanted {count - done} more bytes)",
                                    path, DATA_ERROR)
        chunks.append(chunk)
        done += len(chunk)
    return b"".join(chunks)

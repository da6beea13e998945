"""The `META` section: build parameters, statistics, fingerprint, tokenizer identity, DNA
dimensions and (format version 2) the routing tier's shape and the corpus identity.

A flat little-endian encoding read field by field with bounds checks, in the order
`IndexMetadata.swift` writes it. Fields are only ever appended: bytes after the fields this
reader knows are ignored, and a version 1 section ends after the DNA dimensions.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, Callable

from ._errors import ProteusIndexError

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")


@dataclass
class Metadata:
    """Everything of an index that is not an array, with the names `inspect --json` uses."""

    parameters: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    #: Each indexed input: path, size, modification_seconds, content_hash (16 hex digits).
    inputs: list[dict[str, Any]] = field(default_factory=list)
    #: name, vocabulary_size, sha256 (hex) and split_pattern; None when unknown.
    tokenizer: dict[str, Any] | None = None
    #: Split-pattern name of that tokenizer ("cl100k", "r50k"), when recorded.
    split_pattern: str | None = None
    vocabulary_size: int = 0
    feature_dimension: int = 0
    gate_count: int = 0
    #: tokens, content_hash, sample_hash of the indexed token stream (version 2), or None.
    corpus: dict[str, Any] | None = None
    #: window_tokens, windows, list_limit and window_reach of the routing tier, or None when
    #: there is none.
    routing: dict[str, int] | None = None
    #: Bytes of the fields a version 1 reader knows (the section ends there in version 1).
    version1_length: int = 0
    #: DNA rows (ids the statistics sample saw) and the surprisal of every other id.
    dna_rows: int = 0
    unseen_surprisal: float = 0.0
    #: Tokens past each edge that the routing windows' lists hold (64 before it was recorded).
    window_reach: int = 64


class _Reader:
    """Reads fields from the section; `fail` builds the error for a malformed one."""

    def __init__(self, raw: bytes, fail: Callable[[str], ProteusIndexError]) -> None:
        self.raw = raw
        self.fail = fail
        self.position = 0

    def take(self, n: int) -> bytes:
        if n < 0 or n > len(self.raw) - self.position:
            raise self.fail(f"field at byte {self.position} runs past the end of the section ({len(self.raw)} bytes)")
        start = self.position
        self.position += n
        return self.raw[start:start + n]

    @property
    def at_end(self) -> bool:
        return self.position == len(self.raw)

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return _U32.unpack(self.take(4))[0]

    def u64(self) -> int:
        return _U64.unpack(self.take(8))[0]

    def int(self) -> int:
        return _I64.unpack(self.take(8))[0]

    def double(self) -> float:
        return _F64.unpack(self.take(8))[0]

    def bytes(self) -> bytes:
        return self.take(self.u32())

    def string(self) -> str:
        # Swift's String(decoding:as:) repairs invalid UTF-8 with U+FFFD, as "replace" does.
        return self.bytes().decode("utf-8", errors="replace")

    def count(self, minimum_bytes_each: int) -> int:
        """A list length, refused when the remaining bytes cannot hold that many entries."""
        n = self.u32()
        if n > (len(self.raw) - self.position) // minimum_bytes_each:
            raise self.fail(f"list of {n} entries at byte {self.position - 4} cannot fit in the section")
        return n


def decode(raw: bytes, fail: Callable[[str], ProteusIndexError]) -> Metadata:
    """Parses a `META` section (already checksummed)."""
    r = _Reader(raw, fail)
    m = Metadata()
    p: dict[str, Any] = {}
    p["chunk_length"] = r.int()
    p["per_chunk"] = r.int()
    p["top_p"] = r.double()
    p["buffer_tokens"] = r.int()
    p["span"] = r.int()
    signal_count = r.count(4)
    p["signals"] = [r.string() for _ in range(signal_count)]
    p["gate_count"] = r.int()
    p["feature_dimension"] = r.int()
    p["statistics_sample_tokens"] = r.int()
    p["focus"] = r.string()
    p["feature_source"] = r.string()
    m.parameters = p
    s: dict[str, Any] = {}
    s["tokens"] = r.u64()
    s["chunks"] = r.int()
    s["champions"] = r.u64()
    s["evicted"] = r.u64()
    s["hero_tokens"] = r.int()
    s["spans"] = r.int()
    s["kept_whole"] = r.u8() != 0
    m.statistics = s
    for _ in range(r.count(28)):
        path = r.string()
        size, seconds, content_hash = r.u64(), r.int(), r.u64()
        m.inputs.append({"path": path, "size": size, "modification_seconds": seconds,
                         "content_hash": f"{content_hash:016x}"})
    if r.u8() != 0:
        name, sha256, vocabulary = r.string(), r.bytes(), r.u32()
        m.tokenizer = {"name": name, "vocabulary_size": vocabulary, "sha256": sha256.hex(), "split_pattern": None}
    split_pattern = r.string() if r.u8() != 0 else None
    if m.tokenizer is not None:
        m.tokenizer["split_pattern"] = split_pattern
    m.vocabulary_size, m.feature_dimension, m.gate_count = r.int(), r.int(), r.int()
    if m.vocabulary_size < 0 or m.feature_dimension < 0 or m.gate_count < 0:
        raise fail("negative DNA dimension")
    m.split_pattern = split_pattern
    m.version1_length = r.position
    if r.at_end:
        # Version 1: built before routing existed (the Swift reader's defaults).
        p["route_window"], p["route_list_share"] = 0, 0.5
        return m
    p["route_window"] = r.int()
    p["route_list_share"] = r.double()
    if r.u8() != 0:
        tokens, content_hash, sample_hash = r.u64(), r.u64(), r.u64()
        m.corpus = {"tokens": tokens, "content_hash": f"{content_hash:016x}", "sample_hash": f"{sample_hash:016x}"}
    if r.u8() != 0:
        window_tokens, windows, list_limit = r.int(), r.int(), r.int()
        if window_tokens <= 0 or windows < 0 or list_limit < 0:
            raise fail(f"routing tier of {windows} windows of {window_tokens} tokens is impossible")
        m.routing = {"window_tokens": window_tokens, "windows": windows, "list_limit": list_limit}
    m.dna_rows = r.int()
    m.unseen_surprisal = struct.unpack("<f", struct.pack("<I", r.u32()))[0]
    if not 0 <= m.dna_rows <= m.vocabulary_size:
        raise fail(f"{m.dna_rows} DNA rows for a vocabulary of {m.vocabulary_size}")
    # Recorded since the reach grew from 64 to 128 tokens; older files end before it.
    m.window_reach = 64 if r.at_end else r.int()
    if not 0 <= m.window_reach <= 1 << 20:
        raise fail(f"routing window reach of {m.window_reach} tokens is impossible")
    if m.routing is not None:
        m.routing["window_reach"] = m.window_reach
    return m

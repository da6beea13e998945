"""Crafting the `.phb` files a test needs from a real index: another version in the header,
a flipped byte in one section, an index rewritten in the version 1 layout.

A small writer of the layout in `proteus_index._layout` (header, table, 64-byte aligned
sections, XXH64 of each section and of header + table), so edited files carry correct
checksums wherever the test wants them correct.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pyzstd
import xxhash

from proteus_index import _layout as L
from proteus_index import open as open_index


def sections_of(path: Path) -> tuple[dict[str, int], list[tuple[bytes, int, int, bytes]]]:
    """The header fields and every section as (kind code, element size, count, bytes)."""
    data = path.read_bytes()
    _, version, oldest, count, _, _, _, _, _ = L.HEADER.unpack_from(data, 0)
    sections = []
    for i in range(count):
        code, element, offset, length, n, _ = L.TABLE_ENTRY.unpack_from(data, L.HEADER_SIZE + i * L.TABLE_ENTRY_SIZE)
        sections.append((code, element, n, data[offset:offset + length]))
    return {"format_version": version, "oldest_reader": oldest}, sections


def write(path: Path, sections: list[tuple[bytes, int, int, bytes]], format_version: int, oldest_reader: int) -> None:
    """Writes `sections` as a complete index with correct checksums."""
    base = L.HEADER_SIZE + len(sections) * L.TABLE_ENTRY_SIZE
    table, body = b"", bytearray()
    for code, element, count, data in sections:
        body += b"\0" * (-(base + len(body)) % L.ALIGNMENT)
        table += L.TABLE_ENTRY.pack(code, element, base + len(body), len(data), count, xxhash.xxh64_intdigest(data))
        body += data
    size = base + len(body)
    header = L.HEADER.pack(L.MAGIC, format_version, oldest_reader, len(sections), 0, size, L.HEADER_SIZE, b"\0" * 16, 0)
    checksum = xxhash.xxh64_intdigest(header[:L.CHECKSUMMED_HEADER_BYTES] + table)
    path.write_bytes(header[:L.CHECKSUMMED_HEADER_BYTES] + struct.pack("<Q", checksum) + table + body)


def meta_ending(source: Path, tail: bytes) -> list[tuple[bytes, int, int, bytes]]:
    """`source`'s sections with META's last field (the window reach) replaced by `tail`."""
    _, sections = sections_of(source)
    return [(code, element, len(data) - 8 + len(tail), data[:-8] + tail) if code == b"META" else (code, element, count, data)
            for code, element, count, data in sections]


def set_versions(source: Path, target: Path, format_version: int, oldest_reader: int) -> None:
    """A copy of `source` whose header declares other versions (checksum recomputed)."""
    _, sections = sections_of(source)
    write(target, sections, format_version, oldest_reader)


def flip_byte(source: Path, target: Path, kind: str, at: int = 0) -> int:
    """A copy of `source` with byte `at` of section `kind` inverted, its checksum left stale;
    returns the section's offset in the file."""
    data = bytearray(source.read_bytes())
    with open_index(source) as index:
        entry = next(e for e in index.sections if e.name == kind)
    data[entry.offset + at] ^= 0xFF
    target.write_bytes(bytes(data))
    return entry.offset


def downgrade_to_version1(source: Path, target: Path) -> None:
    """`source` rewritten as a version 1 writer wrote it: no routing tier, META without the
    fields version 2 appends, format version 1."""
    with open_index(source) as index:
        keep = index.metadata.version1_length
    _, sections = sections_of(source)
    kept = []
    for code, element, count, data in sections:
        name = code.decode("ascii")
        if name in L.ROUTING_KINDS:
            continue
        if name == "META":
            data, count = data[:keep], keep
        kept.append((code, element, count, data))
    write(target, kept, 1, 1)


def with_older_ranks(source: Path, target: Path) -> None:
    """A copy of `source` whose embedded ranks (TOKR, ready to map: "PRNM", count, offsets,
    bytes) are in the form of indexes built before that one: one zstd frame of "PRNK", the
    count, each rank's length as a LEB128 varint, then the bytes."""
    header, sections = sections_of(source)
    tokr = next(data for code, _, _, data in sections if code == b"TOKR")
    assert tokr[:4] == b"PRNM"
    count = int.from_bytes(tokr[4:8], "little")
    offsets = np.frombuffer(tokr[8:8 + 4 * (count + 1)], dtype="<u4").astype(np.int64)
    lengths = bytearray()
    for n in np.diff(offsets).tolist():
        while n >= 0x80:
            lengths.append(n & 0x7F | 0x80)
            n >>= 7
        lengths.append(n)
    frame = pyzstd.compress(b"PRNK" + tokr[4:8] + bytes(lengths) + tokr[8 + 4 * (count + 1):], 9)
    write(target, [(code, element, len(frame), frame) if code == b"TOKR" else (code, element, n, data)
                   for code, element, n, data in sections], header["format_version"], header["oldest_reader"])

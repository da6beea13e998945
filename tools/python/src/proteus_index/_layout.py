"""The `.phb` byte layout, as `Sources/ProteusIndex/IndexFile/IndexFormat.swift` defines it.

::

    0     header (64 bytes)
            0  magic            8   89 'P' 'H' 'B' 0D 0A 1A 0A
            8  formatVersion    u32 version of the writer's layout
           12  oldestReader     u32 oldest reader version that can read this file
           16  sectionCount     u32
           20  flags            u32 (0; reserved)
           24  fileSize         u64 total bytes
           32  tableOffset      u64 (64)
           40  reserved         16 bytes of zeros
           56  headerChecksum   u64 XXH64 of bytes 0..<56 followed by the section table
    64    section table: sectionCount x 40 bytes
            0  kind             4 ASCII bytes ("HTOK")
            4  elementSize      u32
            8  offset           u64 (a multiple of 64)
           16  length           u64 bytes (= count x elementSize)
           24  count            u64 elements
           32  checksum         u64 XXH64 of the section's bytes
    then the sections, each on a 64-byte boundary.

Everything is little-endian. Any change here must follow a change of the Swift writer.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

MAGIC = bytes([0x89, 0x50, 0x48, 0x42, 0x0D, 0x0A, 0x1A, 0x0A])
#: The newest layout this package reads (the Swift `IndexFormat.version`).
FORMAT_VERSION = 2
#: The oldest layout it still reads (version 1 indexes are rebuilt, not read).
OLDEST_READABLE = 2
HEADER_SIZE = 64
TABLE_ENTRY_SIZE = 40
ALIGNMENT = 64
#: Bytes of the header covered by the header checksum (everything before it).
CHECKSUMMED_HEADER_BYTES = 56
#: Longer section tables are refused before they are read.
MAXIMUM_SECTIONS = 256
#: META is read into memory on open; a corrupt length must not allocate gigabytes.
MAXIMUM_METADATA_SIZE = 16 << 20
#: The Swift reader reads this much of the head at once; the "not an index" explanation
#: looks at the first 512 bytes of it.
HEAD_READ = 4096

HEADER = struct.Struct("<8sIIIIQQ16sQ")
TABLE_ENTRY = struct.Struct("<4sIQQQQ")


@dataclass(frozen=True)
class Kind:
    """A section kind this package knows."""

    name: str
    element_size: int
    #: The routing tier's sections are absent from version 1 indexes and builds without one.
    optional: bool = False
    #: Small sections are checksummed on first use; large arrays only by `verify()`.
    verified_on_access: bool = False


# In the Swift `SectionKind.allCases` order: "missing section" reports the first one here.
KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("META", 1, verified_on_access=True),
    Kind("SPAN", 24, verified_on_access=True),
    Kind("HTOK", 4),
    Kind("HSCO", 4),
    Kind("SFEA", 4),
    Kind("DSTA", 8, verified_on_access=True),
    Kind("DLEN", 8, verified_on_access=True),
    Kind("DNMO", 8, verified_on_access=True),
    Kind("DNMS", 1, verified_on_access=True),
    Kind("TOKR", 1),
    Kind("DIDS", 8, verified_on_access=True),
    Kind("DRNK", 4, verified_on_access=True),
    Kind("DSUR", 4),
    Kind("DFEA", 1),
    Kind("DFSC", 4),
    Kind("DGAT", 4, verified_on_access=True),
    Kind("DGCF", 4, verified_on_access=True),
    Kind("RIDS", 8, optional=True, verified_on_access=True),
    Kind("RRNK", 4, optional=True, verified_on_access=True),
    Kind("RWCN", 1, optional=True, verified_on_access=True),
    Kind("RSKP", 8, optional=True, verified_on_access=True),
    Kind("RPST", 1, optional=True),
    Kind("RLIN", 8, optional=True, verified_on_access=True),
    # A shard index's state; the package reads only its place (`HeroIndex.describe`).
    Kind("SHRD", 1, optional=True, verified_on_access=True),
]}

#: The routing tier's sections, in the order the Swift reader checks them.
ROUTING_KINDS = ("RIDS", "RRNK", "RWCN", "RSKP", "RPST")
#: Presence words per entry of the rank sections RRNK and DRNK (`PresenceBits.wordsPerRank`).
WORDS_PER_RANK = 8

#: One hero span record (24 bytes, `IndexFormat.spanRecordSize`).
SPAN_DTYPE = np.dtype({
    "names": ["start", "first_hero", "length", "document", "score"],
    "formats": ["<u8", "<u4", "<u4", "<u4", "<f4"],
    "offsets": [0, 8, 12, 16, 20],
    "itemsize": 24,
})


@dataclass(frozen=True)
class SectionEntry:
    """One row of the section table as stored."""

    #: The stored kind, printable ("HTOK"), or hex for unprintable codes ("0x00ff0102").
    name: str
    #: Whether this package knows the kind.
    known: bool
    element_size: int
    offset: int
    length: int
    count: int
    checksum: int


def kind_name(code: bytes) -> str:
    """The printable form of a stored kind code, as the Swift `SectionKind.name(of:)` gives it."""
    if all(0x20 <= b < 0x7F for b in code):
        return code.decode("ascii")
    return "0x" + code[::-1].hex()


def parse_table(table: bytes, count: int) -> list[SectionEntry]:
    """The rows of a section table of `count` entries."""
    entries = []
    for i in range(count):
        code, element_size, offset, length, n, checksum = TABLE_ENTRY.unpack_from(table, i * TABLE_ENTRY_SIZE)
        name = kind_name(code)
        entries.append(SectionEntry(name, name in KINDS, element_size, offset, length, n, checksum))
    return entries

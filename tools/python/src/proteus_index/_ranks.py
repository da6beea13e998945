"""Token ids to bytes with the rank table an index embeds (section TOKR), used in place.

The layout is `RankTableLayout.swift`'s, version 1 (all integers little-endian):

====== ================ ===================================================
offset size             field
====== ================ ===================================================
0      8                magic ``PRXRANKS``
8      4                version u32 = 1
12     4                count u32: highest rank + 1
16     4                tokenCount u32: ranks that have bytes
20     4                slotCount u32: power of two, > tokenCount
24     4                byteCount u32: token bytes in total
28     4                maxProbes u32
32     4 x (count + 1)  offsets u32: rank r is ``bytes[offsets[r]:offsets[r+1]]``
align8 16 x slotCount   hash slots (for encoding; decoding does not use them)
...    byteCount        token bytes
====== ================ ===================================================

Decoding needs only the offsets and the bytes. Special tokens (``<|endoftext|>`` ...) are
not in the table; they come from the split pattern, as in `Tokenizer.swift`.
"""
from __future__ import annotations

import struct

import numpy as np

from ._errors import ProteusIndexError

MAGIC = b"PRXRANKS"
VERSION = 1
HEADER_SIZE = 32
SLOT_SIZE = 16

# `SplitPattern.specialTokens`: the ids the Swift tokenizer decodes without the table.
SPECIAL_TOKENS = {
    "cl100k": {100257: b"<|endoftext|>", 100258: b"<|fim_prefix|>", 100259: b"<|fim_middle|>",
               100260: b"<|fim_suffix|>", 100276: b"<|endofprompt|>"},
    "r50k": {50256: b"<|endoftext|>"},
}


def inferred_pattern(rank_count: int) -> str | None:
    """The split pattern that goes with a table of `rank_count` ranks (`SplitPattern.inferred`)."""
    if 100_000 <= rank_count <= 100_256:
        return "cl100k"
    if 50_000 <= rank_count <= 50_256:
        return "r50k"
    return None


class RankTable:
    """The decoding half of an embedded rank table, as views of the index mapping.

    Parameters
    ----------
    blob : numpy.ndarray
        The section's bytes (uint8, a view of the mapping).
    path : str
        The index, for messages.
    name : str
        The tokenizer's name, for messages ("cl100k_base").
    pattern : str or None
        The recorded split pattern; inferred from the rank count when None.
    """

    def __init__(self, blob: np.ndarray, path: str, name: str, pattern: str | None) -> None:
        self.count, byte_count = _validate(blob, path)
        slots_start = (HEADER_SIZE + 4 * (self.count + 1) + 7) & ~7
        bytes_start = slots_start + SLOT_SIZE * int(struct.unpack_from("<I", blob, 20)[0])
        self.offsets = blob[HEADER_SIZE:HEADER_SIZE + 4 * (self.count + 1)].view("<u4")
        self.token_bytes = blob[bytes_start:bytes_start + byte_count]
        self.name = name
        self.specials = SPECIAL_TOKENS.get(pattern or inferred_pattern(self.count) or "cl100k", {})

    def decode(self, ids: np.ndarray) -> bytes:
        """The bytes of `ids` (any integer array), special tokens included.

        Raises
        ------
        ProteusIndexError
            For the first id that is neither a rank nor a special token, in the words of the
            Swift tokenizer.
        """
        ids = np.asarray(ids).reshape(-1)
        if ids.size and ids.dtype.kind not in "iu":
            raise TypeError(f"token ids must be integers, not {ids.dtype}")
        ids = ids.astype(np.int64, copy=False)
        in_table = (ids >= 0) & (ids < self.count)
        safe = np.where(in_table, ids, 0)
        starts = self.offsets[safe].astype(np.int64)
        ends = self.offsets[safe + 1].astype(np.int64)
        ok = in_table & (starts < ends) & (ends <= self.token_bytes.size)
        if ok.all():
            return self._gather(starts, ends)
        # Ids outside the table: special tokens, or an error naming the first unknown one.
        out = bytearray()
        for position, good in enumerate(ok):
            if good:
                out += self.token_bytes[starts[position]:ends[position]].tobytes()
                continue
            special = self.specials.get(int(ids[position]))
            if special is None:
                raise ProteusIndexError(
                    f"token {int(ids[position])} at position {position} is not in the vocabulary of {self.name}")
            out += special
        return bytes(out)

    def _gather(self, starts: np.ndarray, ends: np.ndarray) -> bytes:
        """Concatenates `token_bytes[starts[i]:ends[i]]` in one vectorised gather."""
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return b""
        first_out = np.cumsum(lengths) - lengths
        index = np.repeat(starts - first_out, lengths) + np.arange(total, dtype=np.int64)
        return self.token_bytes[index].tobytes()


def _validate(blob: np.ndarray, path: str) -> tuple[int, int]:
    """Checks the header against the table's size in constant time, with the messages of
    `RankTableLayout(validating:)`; returns (count, byteCount)."""
    def bad(message: str) -> ProteusIndexError:
        return ProteusIndexError("rank table: " + message, path)

    if blob.size < HEADER_SIZE:
        raise bad(f"{blob.size} bytes is too small for the {HEADER_SIZE}-byte header")
    if blob[:8].tobytes() != MAGIC:
        raise bad("bad magic, not a rank table")
    version, count, token_count, slot_count, byte_count, max_probes = struct.unpack_from("<6I", blob, 8)
    if version != VERSION:
        raise bad(f"unsupported version {version} (this build reads version {VERSION})")
    if not (count > 0 and token_count <= count and count < 1 << 28):
        raise bad(f"inconsistent counts (count {count}, tokens {token_count})")
    if not (slot_count > token_count and slot_count & (slot_count - 1) == 0 and slot_count <= 1 << 30):
        raise bad(f"slot count {slot_count} is not a power of two above the token count {token_count}")
    if not 1 <= max_probes <= slot_count:
        raise bad(f"probe bound {max_probes} out of range")
    slots_start = (HEADER_SIZE + 4 * (count + 1) + 7) & ~7
    total = (slots_start + SLOT_SIZE * slot_count + byte_count + 7) & ~7
    if total != blob.size:
        raise bad(f"header describes {total} bytes but the table has {blob.size}")
    first, = struct.unpack_from("<I", blob, HEADER_SIZE)
    last, = struct.unpack_from("<I", blob, HEADER_SIZE + 4 * count)
    if first != 0 or last != byte_count:
        raise bad(f"offsets run from {first} to {last}, expected 0 to {byte_count}")
    return count, byte_count

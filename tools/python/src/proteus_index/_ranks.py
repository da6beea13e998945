"""Token ids to bytes with the rank table an index embeds (section TOKR).

The section holds one of two forms (`EmbeddedRanks.swift`), little-endian, told apart by
their first four bytes. Ready to map, as `build` writes it:

====== ================ ===================================================
offset size             field
====== ================ ===================================================
0      4                magic ``PRNM``
4      4                count u32: highest rank + 1
8      4 × (count + 1)  offsets u32: rank r's bytes are bytes[offsets[r]:offsets[r + 1]]
...    offsets[count]   every rank's bytes, back to back
====== ================ ===================================================

or, in indexes built before that form, one zstd frame holding:

====== ================ ===================================================
offset size             field
====== ================ ===================================================
0      4                magic ``PRNK``
4      4                count u32: highest rank + 1
8      count varints    each rank's byte length (LEB128; 0 for a gap)
...    sum of lengths   every rank's bytes, back to back
====== ================ ===================================================

Special tokens (``<|endoftext|>`` ...) are not in the table; they come from the split
pattern, as in `Tokenizer.swift`.
"""
from __future__ import annotations

import numpy as np
import pyzstd

from ._errors import ProteusIndexError

MAGIC = b"PRNK"
MAPPED_MAGIC = b"PRNM"
#: Largest decoded size accepted (`EmbeddedRanks.maximumSize`).
MAXIMUM_SIZE = 64 << 20

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
    """The decoding half of an embedded rank table, read from its section (either form).

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
    offset : int
        The section's byte offset in the index, for messages.
    """

    def __init__(self, blob: np.ndarray, path: str, name: str, pattern: str | None, offset: int = 0) -> None:
        lengths, token_bytes = _decode(blob, path, offset)
        self.count = lengths.size
        self.offsets = np.zeros(self.count + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        self.token_bytes = token_bytes
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


def _decode(blob: np.ndarray, path: str, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """The rank lengths and bytes of the section, with the messages of `EmbeddedRanks.decode`."""
    def bad(message: str) -> ProteusIndexError:
        return ProteusIndexError(f"section 'TOKR' at byte {offset}: {message}", path)

    if blob[:4].tobytes() == MAPPED_MAGIC:
        return _decode_mapped(blob, bad)
    frame = blob.tobytes()
    try:
        size = pyzstd.get_frame_info(frame).decompressed_size
    except (pyzstd.ZstdError, ValueError):
        size = None
    if size is None or not 8 <= size <= MAXIMUM_SIZE:
        raise bad(f"not a compressed rank table of at most {MAXIMUM_SIZE} bytes")
    try:
        plain = pyzstd.decompress(frame)
    except pyzstd.ZstdError as e:
        raise bad(f"zstd: {e}") from None
    if plain[:4] != MAGIC:
        raise bad("compressed rank table does not start with PRNK")
    count = int.from_bytes(plain[4:8], "little")
    raw = np.frombuffer(plain, dtype=np.uint8)
    # LEB128 varints, vectorised: a byte below 0x80 ends a value.
    ends = np.flatnonzero(raw[8:] < 0x80)
    if ends.size < count:
        raise bad("rank table lengths run past its end")
    stop = 8 + int(ends[count - 1]) + 1 if count else 8
    body = raw[8:stop].astype(np.int64)
    group = np.concatenate(([0], np.cumsum(body[:-1] < 0x80))) if body.size else body
    shift = np.arange(body.size) - np.concatenate(([0], np.flatnonzero(body < 0x80)[:-1] + 1))[group] if body.size else body
    lengths = np.zeros(count, dtype=np.int64)
    np.add.at(lengths, group, (body & 0x7F) << (7 * shift))
    if int(lengths.sum()) != raw.size - stop:
        raise bad(f"rank table lengths add up to {int(lengths.sum())} bytes, but {raw.size - stop} follow them")
    return lengths, raw[stop:]


def _decode_mapped(blob: np.ndarray, bad) -> tuple[np.ndarray, np.ndarray]:
    """The mapped form's lengths and bytes, its offsets checked as `EmbeddedRanks.decodeMapped` checks them."""
    if blob.size < 12:
        raise bad(f"mapped rank table of {blob.size} bytes is too small for its head")
    count = int(blob[4:8].view("<u4")[0])
    head = 8 + 4 * (count + 1)
    if count < 1 or head > blob.size:
        raise bad(f"mapped rank table of {count} ranks needs {head} bytes of offsets, but the section holds {blob.size}")
    offsets = blob[8:head].view("<u4").astype(np.int64)
    total = blob.size - head
    if offsets[0] != 0:
        raise bad(f"mapped rank table offsets start at {int(offsets[0])}, not 0")
    back = np.flatnonzero(offsets[1:] < offsets[:-1])
    if back.size:
        rank = int(back[0])
        raise bad(f"mapped rank table offset of rank {rank + 1} goes back ({int(offsets[rank])} to {int(offsets[rank + 1])})")
    if int(offsets[count]) != total:
        raise bad(f"mapped rank table offsets end at {int(offsets[count])}, but {total} bytes follow them")
    return np.diff(offsets), blob[head:]

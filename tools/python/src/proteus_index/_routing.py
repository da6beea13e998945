"""The routing tier's window lists (sections RIDS, RWCN, RPST), decoded with numpy exactly as
the Swift reader decodes them (`RoutingDirectory`, `PostingList`).

Each id of the corpus has a window count in RWCN (LEB128 varints, in id order). An id in at
most `list_limit` windows has a list in RPST, the lists back to back in id order, each stored
as whichever of two encodings is smaller for its count n out of W windows:

- Elias-Fano: n low parts of L = floor(log2(W / n)) bits, then the high parts in unary
  (n + (W >> L) + 1 bits);
- a bitmap of W bits.

Bits are little-endian within bytes. The encoding and its size follow from (n, W) alone.
"""
from __future__ import annotations

import numpy as np


def low_bits(n: int, windows: int) -> int:
    if n <= 0 or windows <= n:
        return 0
    return (windows // n).bit_length() - 1


def _elias_fano_bytes(n: int, windows: int) -> int:
    low = low_bits(n, windows)
    return (n * low + 7) // 8 + (n + (windows >> low) + 1 + 7) // 8


def list_bytes(n: int, windows: int) -> int:
    """Bytes of the list of `n` windows out of `windows` (0 for none)."""
    if n <= 0:
        return 0
    return min(_elias_fano_bytes(n, windows), (windows + 7) // 8)


def decode_list(data: np.ndarray, n: int, windows: int) -> np.ndarray | None:
    """The windows of one list (`data`: exactly `list_bytes(n, windows)` uint8), increasing;
    None when the bytes do not hold n distinct increasing windows below `windows`."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n > windows or data.size != list_bytes(n, windows):
        return None
    if _elias_fano_bytes(n, windows) > (windows + 7) // 8:  # bitmap
        found = np.flatnonzero(np.unpackbits(data, bitorder="little"))
        if found.size != n or (n and found[-1] >= windows):
            return None
        return found.astype(np.int64)
    low = low_bits(n, windows)
    low_bytes = (n * low + 7) // 8
    ones = np.flatnonzero(np.unpackbits(data[low_bytes:], bitorder="little"))
    if ones.size != n:
        return None
    high = ones.astype(np.int64) - np.arange(n, dtype=np.int64)
    if low:
        bits = np.unpackbits(data[:low_bytes], bitorder="little")[:n * low].reshape(n, low).astype(np.int64)
        lows = bits @ (np.int64(1) << np.arange(low, dtype=np.int64))
    else:
        lows = np.zeros(n, dtype=np.int64)
    found = (high << low) | lows
    if found[-1] >= windows or (n > 1 and np.any(np.diff(found) <= 0)):
        return None
    return found


def varints(data: np.ndarray) -> np.ndarray | None:
    """Every LEB128 varint of `data` (at most 5 bytes each, as the Swift reader takes them);
    None when the last one runs past the end or one is longer than 5 bytes."""
    if data.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.flatnonzero(data < 0x80)
    if ends.size == 0 or ends[-1] != data.size - 1:
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts + 1
    if np.any(lengths > 5):
        return None
    index = np.arange(data.size)
    owner = np.repeat(np.arange(ends.size), lengths)
    shift = 7 * (index - starts[owner])
    return np.bincount(owner, weights=(data.astype(np.int64) & 0x7F) << shift, minlength=ends.size).astype(np.int64)


def present_ids(words: np.ndarray) -> np.ndarray:
    """The ids whose bit is set in `words` (uint64, bit i of word w is id 64 w + i)."""
    return np.flatnonzero(np.unpackbits(words.view(np.uint8), bitorder="little")).astype(np.int64)


class Directory:
    """Ids, window counts and list offsets of the tier (`error` is None when they agree)."""

    def __init__(self, words: np.ndarray, counts: np.ndarray, postings_bytes: int, windows: int, list_limit: int):
        self.ids = present_ids(words)
        self.windows = windows
        self.list_limit = list_limit
        self.error: tuple[str, int, str] | None = None
        decoded = varints(counts)
        if decoded is None or decoded.size != self.ids.size:
            self.error = ("RWCN", 0, f"holds {0 if decoded is None else decoded.size} window counts "
                          f"for {self.ids.size} ids")
            decoded = np.zeros(self.ids.size, dtype=np.int64)
        elif decoded.size and (decoded.min() < 1 or decoded.max() > windows):
            bad = int(np.flatnonzero((decoded < 1) | (decoded > windows))[0])
            at = int(np.flatnonzero(counts < 0x80)[bad - 1]) + 1 if bad else 0
            self.error = ("RWCN", at, f"the window count of token id {int(self.ids[bad])} is missing or "
                          f"outside 1...{windows}")
        self.counts = decoded
        sizes = np.array([list_bytes(int(n), windows) if n <= list_limit else 0 for n in decoded], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(sizes)))
        if self.error is None and int(self.offsets[-1]) != postings_bytes:
            self.error = ("RPST", 0, f"{postings_bytes} bytes, but the directory's lists need {int(self.offsets[-1])}")

    def list_of(self, k: int, postings: np.ndarray) -> np.ndarray | None:
        """The decoded list of the k-th id (None: corrupt); an empty array when it has none."""
        n = int(self.counts[k])
        if n > self.list_limit:
            return np.zeros(0, dtype=np.int64)
        return decode_list(postings[int(self.offsets[k]):int(self.offsets[k + 1])], n, self.windows)

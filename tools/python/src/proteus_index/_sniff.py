"""What a file that is not a `.phb` index looks like, so the refusal can say what to do.

The same guesses, in the same order and words, as `FileSniffer.swift`: the message must be
the command-line tool's own line.
"""
from __future__ import annotations

_BUILD = "; build an index with `proteus-index build`"


def explain(head: bytes, file_size: int) -> str:
    """The parenthesised explanation of "not a proteus-index file (...)".

    Parameters
    ----------
    head : bytes
        The first bytes of the file (the Swift reader looks at up to 512).
    file_size : int
        The file's size in bytes.
    """
    if file_size == 0:
        return "it is empty"
    if len(head) >= 4:
        magic = int.from_bytes(head[:4], "little")
        # Token files are zstd or lz4 frames, possibly led by a skippable metadata frame.
        if magic in (0xFD2FB528, 0x184D2204) or (magic & 0xFFFFFFF0) == 0x184D2A50 or head.startswith(b"PTOK"):
            return "it looks like a .tok token file" + _BUILD
        if magic in (20240520, 20240801):
            return "it looks like an llm.c token shard" + _BUILD
    if head.startswith(b"MMIDIDX"):
        return "it looks like a Megatron dataset index" + _BUILD
    if head.startswith(b"\x93NUMPY"):
        return "it looks like a numpy .npy array"
    if len(head) >= 4 and head[1:4] == b"PHB":
        return "its first bytes look like a damaged index header, perhaps from a text-mode transfer"
    if _looks_like_text(head, cut=len(head) < file_size):
        return "it looks like a text file"
    return "unrecognised first bytes " + " ".join(f"{b:02x}" for b in head[:8])


def _looks_like_text(data: bytes, cut: bool) -> bool:
    """Valid UTF-8 with no control characters but tab, CR, LF and form feed; when `cut`
    (a prefix of a longer file), up to 3 trailing bytes may be half a character."""
    if not all(b >= 0x20 or b in (0x09, 0x0A, 0x0D, 0x0C) for b in data):
        return False
    for drop in range(0, (min(3, len(data)) if cut else 0) + 1):
        try:
            data[:len(data) - drop].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False

"""Haystack generation: the Paul Graham essays (or RULER's noise text) tokenized with the
real tiktoken cl100k_base built from the bundled rank file, repeated and shuffled by essay
with a seeded RNG, and written as raw little-endian u32 tokens in bounded memory."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RANKS = REPO / "fixtures" / "tokenizers" / "cl100k_base.tiktoken"
DEFAULT_ESSAYS = REPO / "fixtures" / "essays"

# formats.md, "Tokenizers": the cl100k_base pattern and special tokens.
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
CL100K_SPECIALS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}

# RULER's `noise` haystack sentence block (repeated).
NOISE_TEXT = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again. "

# Pieces are written in blocks of at most this many tokens (64 MB of u32).
WRITE_BLOCK = 1 << 24

_ENCODINGS: dict = {}


def load_encoding(ranks_path: os.PathLike | str = DEFAULT_RANKS):
    """The real tiktoken cl100k_base, constructed from our bundled rank file (cached)."""
    import tiktoken
    import tiktoken.load

    key = str(Path(ranks_path).resolve())
    if key not in _ENCODINGS:
        _ENCODINGS[key] = tiktoken.Encoding(
            "cl100k_base_bundled",
            pat_str=CL100K_PATTERN,
            mergeable_ranks=tiktoken.load.load_tiktoken_bpe(key),
            special_tokens=dict(CL100K_SPECIALS),
        )
    return _ENCODINGS[key]


def tokenize_essays(enc, essays_dir: os.PathLike | str = DEFAULT_ESSAYS) -> list[np.ndarray]:
    """One u32 array per essay (files sorted by name), each followed by a paragraph break so
    that essays never run into each other."""
    files = sorted(Path(essays_dir).glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"{essays_dir}: no essays (*.txt)")
    out = []
    for f in files:
        text = f.read_text(encoding="utf-8").strip() + "\n\n"
        out.append(np.asarray(enc.encode_ordinary(text), dtype=np.uint32))
    return out


def noise_pieces(enc) -> list[np.ndarray]:
    """RULER's noise haystack: a single repeated block (shuffling one piece is a no-op)."""
    return [np.asarray(enc.encode_ordinary(NOISE_TEXT), dtype=np.uint32)]


def piece_order(piece_count: int, total_tokens: int, lengths: np.ndarray, seed: int):
    """Yields (piece index, tokens to take) until `total_tokens` are covered: every epoch is a
    fresh seeded permutation of all pieces; the last piece is cut to fit exactly."""
    rng = np.random.default_rng(seed)
    remaining = total_tokens
    while remaining > 0:
        for i in rng.permutation(piece_count):
            take = int(min(lengths[i], remaining))
            yield int(i), take
            remaining -= take
            if remaining == 0:
                return


def iter_haystack(pieces: list[np.ndarray], total_tokens: int, seed: int, block: int = WRITE_BLOCK):
    """Streams the haystack as u32 blocks of at most ~`block` tokens (bounded memory)."""
    lengths = np.array([len(p) for p in pieces], dtype=np.int64)
    if total_tokens > 0 and lengths.sum() == 0:
        raise ValueError("haystack pieces are empty")
    pending: list[np.ndarray] = []
    pending_len = 0
    for i, take in piece_order(len(pieces), total_tokens, lengths, seed):
        pending.append(pieces[i][:take])
        pending_len += take
        if pending_len >= block:
            yield np.concatenate(pending)
            pending, pending_len = [], 0
    if pending:
        yield np.concatenate(pending)


def write_haystack(path: os.PathLike | str, pieces: list[np.ndarray], total_tokens: int, seed: int,
                   block: int = WRITE_BLOCK) -> int:
    """Writes exactly `total_tokens` little-endian u32 tokens to `path` (temp + rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    written = 0
    with open(tmp, "wb") as f:
        for chunk in iter_haystack(pieces, total_tokens, seed, block):
            chunk.astype("<u4", copy=False).tofile(f)
            written += len(chunk)
    if written != total_tokens:
        raise RuntimeError(f"{path}: wrote {written} tokens, expected {total_tokens}")
    os.replace(tmp, path)
    return written


def parse_length(text: str) -> int:
    """'1M' → 1_000_000, '10k' → 10_000, '1B' → 1_000_000_000, '12345' → 12345."""
    t = text.strip().upper()
    scale = {"K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9}
    if t and t[-1] in scale:
        return int(float(t[:-1]) * scale[t[-1]])
    return int(t)


def format_length(n: int) -> str:
    for unit, scale in (("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)

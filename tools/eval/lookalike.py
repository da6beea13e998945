"""The RULER-style "lookalike" haystack: nothing but lines of the form

    One of the special magic numbers for adj-noun-word is: 1234567.

with distinct keys drawn from a large word list (WordNet adjectives, nouns and verbs when
wordnet-base is installed, else the words of the bundled essays), and one question asking for
one key's number (multikey top-1). The other keys are realistic distractors of the asked key
sable-lagoon-prime: lines sharing two of its three words, so most of its tokens and in the same
places (sable-lagoon-*, sable-*-prime, *-lagoon-prime; one line in a thousand each, 8 to 256),
the rest random keys.

The tokens are composed from the cl100k_base tokens of each piece (the prefix, " adj", "-noun",
"-word", " is: ", the digit groups, ".\\n"), which are separate pre-tokens of the cl100k pattern,
so the result is exactly what tiktoken gives for the text (checked by the tests); this keeps a
billion-token haystack a matter of numpy gathers.

The haystack is written in blocks of lines (BLOCK_LINES), so memory stays bounded at any length.
Up to SHUFFLE_MAX tokens every key is drawn at once and the lines shuffled (the first generator:
the published cases up to 100M are unchanged); above it the keys come block by block from a
keyed permutation of all word triples (distinct without remembering them), the values from a
hash of the line's counter, and the distractors replace lines at random places. Either way the
output does not depend on the block size (checked by the tests)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import needles

PREFIX = "One of the special magic numbers for"
SHUFFLE_MAX = 100_000_000  # lengths up to this draw every key and shuffle them (the published cases)
BLOCK_LINES = 1 << 17      # lines composed and written at a time (about 2.7M tokens)
_VALUE_LOW, _VALUE_HIGH = 1_000_000, 10_000_000  # 7-digit values
_WORD = re.compile(r"[a-z]{3,10}")


@dataclass
class KeyWords:
    adjectives: list[str]
    nouns: list[str]
    words: list[str]
    source: str


def key_words(enc=None, wordnet_dir: os.PathLike | str = "/usr/share/wordnet") -> KeyWords:
    """WordNet lemmas when installed; otherwise the lower-case words of the bundled essays split
    three ways (a smaller list, and said so in the report)."""
    d = Path(wordnet_dir)
    if (d / "index.adj").exists():
        import corpus
        return KeyWords(corpus.wordnet_lemmas("adj", d), corpus.wordnet_lemmas("noun", d), corpus.wordnet_lemmas("verb", d),
                        "WordNet 3.0 lemmas (adjectives, nouns, verbs)")
    import generate
    words = sorted({w for f in sorted(generate.DEFAULT_ESSAYS.glob("*.txt"))
                    for w in re.findall(r"\b[a-z]{3,10}\b", f.read_text(encoding="utf-8"))})
    return KeyWords(words[0::3], words[1::3], words[2::3], "words of the bundled essays (wordnet-base not installed)")


class Pieces:
    """Token table of every piece a line is made of (CSR: flat tokens + offsets)."""

    def __init__(self, enc, kw: KeyWords):
        texts = [PREFIX, " is: ", ".\n"]
        self.adj0 = len(texts)
        texts += [" " + w for w in kw.adjectives] + [" " + w for w in kw.nouns] + [" " + w for w in kw.words]
        self.dash0 = len(texts)
        texts += ["-" + w for w in kw.adjectives] + ["-" + w for w in kw.nouns] + ["-" + w for w in kw.words]
        self.digits0 = len(texts)
        texts += [f"{i:03d}" for i in range(1000)] + [str(i) for i in range(10)]
        self.vocab = kw.adjectives + kw.nouns + kw.words  # word id → word, by list
        self.na, self.nn, self.nw = len(kw.adjectives), len(kw.nouns), len(kw.words)
        toks = enc.encode_ordinary_batch(texts)
        self.len = np.array([len(t) for t in toks], dtype=np.int64)
        self.off = np.zeros(len(toks) + 1, dtype=np.int64)
        np.cumsum(self.len, out=self.off[1:])
        self.flat = np.fromiter((x for t in toks for x in t), dtype=np.int64, count=int(self.off[-1]))

    def space(self, word_id):   # " word"
        return self.adj0 + word_id

    def dash(self, word_id):    # "-word"
        return self.dash0 + word_id

    def parts(self, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Piece ids of the lines for `keys` ((n, 3) global word ids) and 7-digit `values`: (n, 9)."""
        n = len(keys)
        v = np.asarray(values).astype(np.int64)
        return np.stack([np.zeros(n, np.int64), self.space(keys[:, 0]), self.dash(keys[:, 1]), self.dash(keys[:, 2]),
                         np.ones(n, np.int64), self.digits0 + v // 10000, self.digits0 + (v // 10) % 1000,
                         self.digits0 + 1000 + v % 10, np.full(n, 2, np.int64)], axis=1)

    def lines(self, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tokens of the lines for `keys` ((n, 3) global word ids) and 7-digit `values`, and each
        line's start offset into them (n + 1 entries)."""
        n = len(keys)
        parts = self.parts(keys, values)
        lens = self.len[parts]
        flat_parts = parts.ravel()
        flat_lens = lens.ravel()
        total = int(flat_lens.sum())
        starts = np.repeat(self.off[flat_parts] - (np.cumsum(flat_lens) - flat_lens), flat_lens)
        tokens = self.flat[starts + np.arange(total)]
        line_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lens.sum(axis=1), out=line_off[1:])
        return tokens, line_off

    def line_lengths(self, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        return self.len[self.parts(keys, values)].sum(axis=1)

    def mean_line_length(self) -> float:
        """Expected tokens of a line with a uniformly random key and value."""
        d = self.digits0
        return float(self.len[0] + self.len[1] + self.len[2]
                     + self.len[self.space(np.arange(self.na))].mean()
                     + self.len[self.dash(self.na + np.arange(self.nn))].mean()
                     + self.len[self.dash(self.na + self.nn + np.arange(self.nw))].mean()
                     + self.len[d + np.arange(_VALUE_LOW // 10000, _VALUE_HIGH // 10000)].mean()
                     + self.len[d:d + 1000].mean() + self.len[d + 1000:d + 1010].mean())

    def value_offset(self, key: np.ndarray) -> int:
        """Offset of the value's first token inside a line with this key."""
        return int(self.len[0] + self.len[self.space(key[0])] + self.len[self.dash(key[1])] + self.len[self.dash(key[2])]
                   + self.len[1])

    def key_text(self, key) -> str:
        return "-".join(self.vocab[int(k)] for k in key)


def _random_keys(rng, p: Pieces, n: int) -> np.ndarray:
    return np.stack([rng.integers(0, p.na, n), p.na + rng.integers(0, p.nn, n),
                     p.na + p.nn + rng.integers(0, p.nw, n)], axis=1)


def _free(rng, size: int, count: int, avoid: int) -> np.ndarray:
    """`count` distinct ids in [0, size) other than `avoid` (fewer when the list is short)."""
    ids = rng.permutation(size)
    return ids[ids != avoid][:count]


def near_keys(rng, p: Pieces, asked: np.ndarray, near: int) -> np.ndarray:
    """`near` keys sharing each pair of the asked key's words (fewer when a list is short):
    *-*-new, then *-new-*, then new-*-*."""
    base = (0, p.na, p.na + p.nn)
    sizes = (p.na, p.nn, p.nw)
    shared = []
    for free in (2, 1, 0):  # keep the other two words of the asked key
        ids = base[free] + _free(rng, sizes[free], near, int(asked[free] - base[free]))
        k = np.repeat(asked[None, :], len(ids), axis=0)
        k[:, free] = ids
        shared.append(k)
    return np.concatenate(shared)


def make_keys(rng, p: Pieces, lines: int, near: int) -> tuple[np.ndarray, np.ndarray]:
    """(asked key, `lines` distinct keys with the asked one first): `near` keys sharing each
    pair of its words, then random keys."""
    asked = _random_keys(rng, p, 1)[0]
    fixed = np.concatenate([asked[None, :], near_keys(rng, p, asked, near)])
    span = np.int64(p.na + p.nn + p.nw)
    code = lambda k: (k[:, 0] * span + k[:, 1]) * span + k[:, 2]
    taken = np.unique(code(fixed))
    need = max(lines - len(fixed), 0)
    rand = np.zeros((0, 3), dtype=np.int64)
    while len(rand) < need:
        k = _random_keys(rng, p, need - len(rand) + 64)
        c = code(k)
        _, first = np.unique(c, return_index=True)
        k = k[np.sort(first)]
        k = k[~np.isin(code(k), taken)]
        rand = np.concatenate([rand, k])[:need]
        taken = np.unique(np.concatenate([taken, code(rand)]))
    return asked, np.concatenate([fixed, rand])[:max(lines, 1)]


def _not_asked(values: np.ndarray, asked_value: int) -> None:
    """No other line carries the asked number: equal values move by one (in place)."""
    values[values == asked_value] = asked_value - 1 if asked_value > _VALUE_LOW else asked_value + 1


def _shuffled_lines(rng, p: Pieces, length: int, depth: float, block_lines: int):
    """The first generator (lengths up to SHUFFLE_MAX, the published cases): every key drawn
    (make_keys), shuffled with its value; the asked line starts at the last line boundary at or
    before depth·(length - its length), moved back while it would not fit. Returns the asked key,
    its value, where its line starts and the blocks of (keys, values) of the other lines."""
    avg = float(p.len[0] + 3 * np.mean(p.len[p.adj0:p.dash0]) + p.len[1] + 4)
    lines = int(length / avg * 1.1) + 16
    near = int(min(max(8, lines // 1000), 256))  # per shared pair: 47 each at 1M tokens, 256 from 10M on
    asked, keys = make_keys(rng, p, lines, near)
    values = rng.integers(_VALUE_LOW, _VALUE_HIGH, len(keys))
    _not_asked(values[1:], int(values[0]))
    order = rng.permutation(len(keys))  # where each key's line goes
    keys, values = keys[order], values[order]

    def lengths(k, v):
        return np.concatenate([p.line_lengths(k[s:s + block_lines], v[s:s + block_lines])
                               for s in range(0, len(k), block_lines)] or [np.zeros(0, np.int64)])
    lens = lengths(keys, values)
    total = int(lens.sum())
    while total < length:  # rare: lines were shorter than estimated
        more_k = _random_keys(rng, p, 1024)
        more_v = rng.integers(_VALUE_LOW, _VALUE_HIGH, 1024)
        keys, values = np.concatenate([keys, more_k]), np.concatenate([values, more_v])
        lens = np.concatenate([lens, lengths(more_k, more_v)])
        total = int(lens.sum())
    line_off = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=line_off[1:])
    at = int(np.flatnonzero(order == 0)[0])
    line_len = int(lens[at])
    if length < line_len:
        raise ValueError(f"a lookalike haystack of {length} tokens cannot hold one line ({line_len} tokens)")
    target = int(round(depth * (length - line_len)))
    j = int(np.searchsorted(line_off, target, side="right") - 1)
    while j > 0 and line_off[j] + line_len > length:
        j -= 1
    rest_off = np.concatenate([line_off[:at + 1], line_off[at + 2:] - line_len])  # line starts without it
    start = int(rest_off[min(j, len(rest_off) - 1)])
    asked_value = int(values[at])
    keys, values = np.delete(keys, at, axis=0), np.delete(values, at)
    blocks = ((keys[s:s + block_lines], values[s:s + block_lines]) for s in range(0, len(keys), block_lines))
    return asked, asked_value, start, blocks


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer (uint64, wrapping)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class KeyPermutation:
    """A keyed permutation of [0, size): a six-round balanced Feistel network on the next even
    number of bits, cycle-walked back into range. Distinct outputs for distinct counters,
    whatever blocks they come in."""

    def __init__(self, size: int, rng):
        bits = max(2, (size - 1).bit_length())
        bits += bits & 1
        self.size, self.half, self.mask = size, np.uint64(bits // 2), np.uint64((1 << (bits // 2)) - 1)
        self.keys = rng.integers(0, 1 << 64, 6, dtype=np.uint64)

    def _rounds(self, x: np.ndarray) -> np.ndarray:
        left, right = x >> self.half, x & self.mask
        for k in self.keys:
            left, right = right, left ^ (_mix(right ^ k) & self.mask)
        return (left << self.half) | right

    def __call__(self, counters: np.ndarray) -> np.ndarray:
        x = self._rounds(counters.astype(np.uint64))
        idx = np.flatnonzero(x >= self.size)
        while len(idx):
            y = self._rounds(x[idx])
            x[idx] = y
            idx = idx[y >= self.size]
        return x


def _permuted_lines(rng, p: Pieces, length: int, block_lines: int):
    """The streaming generator (lengths above SHUFFLE_MAX): line i's key is the i-th output of a
    keyed permutation of all word triples (skipping those sharing two words with the asked key)
    and its value a hash of the counter; the near keys (one line in a thousand each, 8 to 256)
    replace lines at random places among the expected count. Returns the asked key, its value and
    an endless iterator of blocks of (keys, values)."""
    expected = max(int(length / p.mean_line_length()), 1)
    near = int(min(max(8, expected // 1000), 256))
    asked = _random_keys(rng, p, 1)[0]
    shared = near_keys(rng, p, asked, near)
    asked_value = int(rng.integers(_VALUE_LOW, _VALUE_HIGH))
    shared = shared[rng.permutation(len(shared))][:expected]
    slots = np.sort(rng.choice(expected, len(shared), replace=False))  # line numbers of the near keys
    size = p.na * p.nn * p.nw
    perm = KeyPermutation(size, rng)
    value_key = rng.integers(0, 1 << 64, dtype=np.uint64)

    def blocks():
        counter, line = 0, 0
        while True:
            if counter >= size:
                raise ValueError(f"the key words make {size} keys, too few for {length} tokens of lookalike lines")
            c = np.arange(counter, min(counter + block_lines, size), dtype=np.uint64)
            counter += len(c)
            code = perm(c).astype(np.int64)
            w = code % p.nw
            t = code // p.nw
            keys = np.stack([t // p.nn, p.na + t % p.nn, p.na + p.nn + w], axis=1)
            keep = (keys == asked).sum(axis=1) < 2  # not the asked key, nor a near one
            keys = keys[keep]
            values = (_VALUE_LOW + _mix(c[keep] ^ value_key) % np.uint64(_VALUE_HIGH - _VALUE_LOW)).astype(np.int64)
            _not_asked(values, asked_value)
            lo, hi = np.searchsorted(slots, [line, line + len(keys)])
            keys[slots[lo:hi] - line] = shared[lo:hi]
            line += len(keys)
            yield keys, values
    return asked, asked_value, blocks()


def _write_lines(f, p: Pieces, blocks, length: int, asked_tokens: np.ndarray, target: int) -> int:
    """Writes the lines of `blocks` to `f`, the asked line inserted at the last line boundary at
    or before `target`, until exactly `length` tokens; returns where the asked line starts."""
    pos, start = 0, None
    for keys, values in blocks:
        tokens, off = p.lines(keys, values)
        out = [tokens]
        if start is None and pos + int(off[-1]) > target:
            j = int(off[np.searchsorted(off, target - pos, side="right") - 1])
            start = pos + j
            out = [tokens[:j], asked_tokens, tokens[j:]]
        for t in out:
            t = t[:length - pos]
            t.astype("<u4").tofile(f)
            pos += len(t)
        if pos >= length:
            break
    if start is None and pos <= target:  # the lines ended at or before the target
        start = pos
        t = asked_tokens[:length - pos]
        t.astype("<u4").tofile(f)
        pos += len(t)
    if pos < length:
        raise ValueError(f"lookalike lines ran out at {pos} of {length} tokens")
    return start


def write_case(out_path: os.PathLike | str, length: int, depth: float, seed: int, enc, kw: KeyWords | None = None,
               pieces: Pieces | None = None, block_lines: int = BLOCK_LINES, shuffle_max: int = SHUFFLE_MAX
               ) -> needles.Case:
    """Writes exactly `length` tokens of lookalike lines to `out_path`, block by block, the asked
    line starting at the last line boundary at or before depth·(length - its length); returns the
    case with the value's positions. `shuffle_max` picks the generator (module docstring)."""
    if not 0.0 <= depth <= 1.0:
        raise ValueError(f"depth {depth} outside [0, 1]")
    p = pieces or Pieces(enc, kw or key_words(enc))
    rng = np.random.default_rng(seed)
    if length <= shuffle_max:
        asked, value, target, blocks = _shuffled_lines(rng, p, length, depth, block_lines)
    else:
        asked, value, blocks = _permuted_lines(rng, p, length, block_lines)
        target = None
    asked_tokens, _ = p.lines(asked[None, :], np.array([value]))
    line_len = len(asked_tokens)
    if length < line_len:
        raise ValueError(f"a lookalike haystack of {length} tokens cannot hold one line ({line_len} tokens)")
    if target is None:
        target = int(round(depth * (length - line_len)))
    tmp = Path(str(out_path) + ".partial")
    with open(tmp, "wb") as f:
        start = _write_lines(f, p, blocks, length, asked_tokens, target)
    os.replace(tmp, out_path)
    key = p.key_text(asked)
    q = needles.RULER_QUESTION.format(kind_singular="number", key=key)
    text = enc.decode(asked_tokens.tolist())
    v0 = start + p.value_offset(asked)
    nv = int(p.len[p.digits0 + value // 10000] + p.len[p.digits0 + (value // 10) % 1000] + p.len[p.digits0 + 1000 + value % 10])
    vpos = list(range(v0, v0 + nv))
    spec = needles.CaseSpec("lookalike", depth, q, [needles.NeedleSpec(text, depth, [str(value)])], [str(value)])
    return needles.Case(spec, length, [needles.PlacedNeedle(text, start, asked_tokens.tolist(), {str(value): vpos})])

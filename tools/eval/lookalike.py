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
billion-token haystack a matter of numpy gathers."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import needles

PREFIX = "One of the special magic numbers for"
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

    def lines(self, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tokens of the lines for `keys` ((n, 3) global word ids) and 7-digit `values`, and each
        line's start offset into them (n + 1 entries)."""
        n = len(keys)
        v = values.astype(np.int64)
        parts = np.stack([np.zeros(n, np.int64), self.space(keys[:, 0]), self.dash(keys[:, 1]), self.dash(keys[:, 2]),
                          np.ones(n, np.int64), self.digits0 + v // 10000, self.digits0 + (v // 10) % 1000,
                          self.digits0 + 1000 + v % 10, np.full(n, 2, np.int64)], axis=1)
        lens = self.len[parts]
        flat_parts = parts.ravel()
        flat_lens = lens.ravel()
        total = int(flat_lens.sum())
        starts = np.repeat(self.off[flat_parts] - (np.cumsum(flat_lens) - flat_lens), flat_lens)
        tokens = self.flat[starts + np.arange(total)]
        line_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lens.sum(axis=1), out=line_off[1:])
        return tokens, line_off

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


def make_keys(rng, p: Pieces, lines: int, near: int) -> tuple[np.ndarray, np.ndarray]:
    """(asked key, `lines` distinct keys with the asked one first): `near` keys sharing each
    pair of its words, then random keys."""
    asked = _random_keys(rng, p, 1)[0]
    base = (0, p.na, p.na + p.nn)
    sizes = (p.na, p.nn, p.nw)
    shared = []
    for free in (2, 1, 0):  # keep the other two words of the asked key
        ids = base[free] + _free(rng, sizes[free], near, int(asked[free] - base[free]))
        k = np.repeat(asked[None, :], len(ids), axis=0)
        k[:, free] = ids
        shared.append(k)
    fixed = np.concatenate([asked[None, :], *shared])
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


def write_case(out_path: os.PathLike | str, length: int, depth: float, seed: int, enc, kw: KeyWords | None = None,
               pieces: Pieces | None = None) -> needles.Case:
    """Writes exactly `length` tokens of lookalike lines to `out_path`, the asked line starting
    as near depth·length as a whole line allows; returns the case with the value's positions."""
    if not 0.0 <= depth <= 1.0:
        raise ValueError(f"depth {depth} outside [0, 1]")
    p = pieces or Pieces(enc, kw or key_words(enc))
    rng = np.random.default_rng(seed)
    avg = float(p.len[0] + 3 * np.mean(p.len[p.adj0:p.dash0]) + p.len[1] + 4)
    lines = int(length / avg * 1.1) + 16
    near = int(min(max(8, lines // 1000), 256))  # per shared pair: 47 each at 1M tokens, 256 from 10M on
    asked, keys = make_keys(rng, p, lines, near)
    values = rng.integers(1_000_000, 10_000_000, len(keys))
    values[1:][values[1:] == values[0]] = values[0] - 1 if values[0] > 1_000_000 else values[0] + 1
    order = rng.permutation(len(keys))  # where each key's line goes
    keys, values = keys[order], values[order]
    tokens, line_off = p.lines(keys, values)
    while line_off[-1] < length:  # rare: lines were shorter than estimated
        more_k = _random_keys(rng, p, 1024)
        t2, o2 = p.lines(more_k, rng.integers(1_000_000, 10_000_000, 1024))
        tokens = np.concatenate([tokens, t2])
        line_off = np.concatenate([line_off, line_off[-1] + o2[1:]])
        keys = np.concatenate([keys, more_k])
    # move the asked line so that it starts at the line boundary nearest the target depth and fits
    at = int(np.flatnonzero(order == 0)[0])
    line_len = int(line_off[at + 1] - line_off[at])
    if length < line_len:
        raise ValueError(f"a lookalike haystack of {length} tokens cannot hold one line ({line_len} tokens)")
    target = int(round(depth * (length - line_len)))
    j = int(np.searchsorted(line_off, target, side="right") - 1)
    while j > 0 and line_off[j] + line_len > length:
        j -= 1
    asked_tokens = tokens[line_off[at]:line_off[at + 1]].copy()
    rest = np.concatenate([tokens[:line_off[at]], tokens[line_off[at + 1]:]])
    rest_off = np.concatenate([line_off[:at + 1], line_off[at + 2:] - line_len])  # line starts without it
    start = int(rest_off[min(j, len(rest_off) - 1)])
    out = np.concatenate([rest[:start], asked_tokens, rest[start:]])[:length]
    tmp = Path(str(out_path) + ".partial")
    out.astype("<u4").tofile(tmp)
    os.replace(tmp, out_path)
    key = p.key_text(asked)
    value = str(int(values[np.flatnonzero(order == 0)[0]]))
    q = needles.RULER_QUESTION.format(kind_singular="number", key=key)
    text = enc.decode(asked_tokens.tolist())
    v0 = start + p.value_offset(asked)
    v = int(value)
    nv = int(p.len[p.digits0 + v // 10000] + p.len[p.digits0 + (v // 10) % 1000] + p.len[p.digits0 + 1000 + v % 10])
    vpos = list(range(v0, v0 + nv))
    spec = needles.CaseSpec("lookalike", depth, q, [needles.NeedleSpec(text, depth, [value])], [value])
    return needles.Case(spec, length, [needles.PlacedNeedle(text, start, asked_tokens.tolist(), {value: vpos})])

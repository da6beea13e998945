"""BM25 over the full, uncompressed token stream, in overlapping passages of the index's span
size, as a lexical reference beside the hero index. Pure numpy over token ids (the same
cl100k ids the question is tokenized into). Model-free."""
from __future__ import annotations

import math
import time

import numpy as np


def _stable_order(term: np.ndarray) -> np.ndarray:
    """Stable argsort of 32-bit ids as two 16-bit LSD radix passes (numpy radix-sorts 16-bit
    keys with kind="stable"; 32-bit keys fall back to a slower merge sort)."""
    order = np.argsort((term & 0xFFFF).astype(np.uint16), kind="stable")
    high = (term[order] >> 16).astype(np.uint16)
    if high.any():
        order = order[np.argsort(high, kind="stable")]
    return order


class BM25Index:
    """Postings stored as CSR arrays: `offsets` (u64, vocab + 1), `passages` (u32), `tfs` (u16),
    plus per-passage lengths (u16). `nbytes` is the size of exactly those arrays."""

    def __init__(self, tokens: np.ndarray, passage_len: int, stride: int, vocab: int,
                 k1: float = 1.2, b: float = 0.75, block_passages: int = 1 << 20):
        if passage_len <= 0 or stride <= 0:
            raise ValueError("passage length and stride must be positive")
        self.tokens = tokens
        self.n = len(tokens)
        self.passage_len, self.stride, self.vocab, self.k1, self.b = passage_len, stride, vocab, k1, b
        self.count = max(1, math.ceil(max(self.n - passage_len, 0) / stride) + 1)
        starts = np.arange(self.count, dtype=np.int64) * stride
        self.lengths = (np.minimum(starts + passage_len, self.n) - starts).astype(np.uint16)
        self.avgdl = float(self.lengths.mean())
        t0 = time.perf_counter()
        # (term, passage) pairs in passage order; a stable radix sort on the 32-bit term ids then
        # leaves them sorted by (term, passage), so equal pairs are adjacent and run-length give tf.
        terms_parts, pas_parts = [], []
        for p0 in range(0, self.count, block_passages):
            p1 = min(self.count, p0 + block_passages)
            pos = (np.arange(p0, p1, dtype=np.int64) * stride)[:, None] + np.arange(passage_len)[None, :]
            valid = pos < self.n
            terms_parts.append(np.asarray(tokens[pos[valid]], dtype=np.uint32))
            pas_parts.append(np.broadcast_to(np.arange(p0, p1, dtype=np.uint32)[:, None], pos.shape)[valid])
        term = np.concatenate(terms_parts)
        pas = np.concatenate(pas_parts)
        del terms_parts, pas_parts
        order = _stable_order(term)
        term, pas = term[order], pas[order]
        del order
        new_pair = np.ones(len(term), dtype=bool)
        new_pair[1:] = (term[1:] != term[:-1]) | (pas[1:] != pas[:-1])
        firsts = np.flatnonzero(new_pair)
        self.tfs = np.diff(np.append(firsts, len(term))).astype(np.uint16)
        self.passages = pas[firsts]
        terms = term[firsts]
        del term, pas, new_pair
        self.offsets = np.zeros(vocab + 1, dtype=np.uint64)
        np.cumsum(np.bincount(terms, minlength=vocab)[:vocab], out=self.offsets[1:])
        self.build_seconds = time.perf_counter() - t0

    @property
    def nbytes(self) -> int:
        return int(self.offsets.nbytes + self.passages.nbytes + self.tfs.nbytes + self.lengths.nbytes)

    def search(self, question_ids: list[int], top: int = 5, enc=None) -> list[dict]:
        """Results shaped like `proteus-index query --json` results."""
        scores = np.zeros(self.count, dtype=np.float32)
        for t in sorted(set(int(i) for i in question_ids)):
            if t >= self.vocab:
                continue
            a, z = int(self.offsets[t]), int(self.offsets[t + 1])
            df = z - a
            if df == 0:
                continue
            idf = math.log((self.count - df + 0.5) / (df + 0.5) + 1.0)
            p = self.passages[a:z]
            tf = self.tfs[a:z].astype(np.float32)
            dl = self.lengths[p].astype(np.float32)
            scores[p] += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / self.avgdl))
        k = min(top, self.count)
        cand = np.argpartition(-scores, k - 1)[:k] if k < self.count else np.arange(self.count)
        cand = cand[np.lexsort((cand, -scores[cand]))]
        out = []
        for rank, p in enumerate(cand, 1):
            start = int(p) * self.stride
            end = min(start + self.passage_len, self.n)
            ids = [int(x) for x in self.tokens[start:end]]
            out.append({"rank": rank, "score": float(scores[p]), "start": start, "end": end,
                        "token_ids": ids, "text": enc.decode(ids) if enc is not None else ""})
        return out

#!/usr/bin/env python3
"""SYNTHETIC haystacks of any length (100M–1B tokens and more) that never repeat a passage,
from an order-2 token Markov model fitted on the unique text (corpus.py). This is synthetic
text: locally English-like, with the source's token and bigram statistics, but no meaning;
results on it are labelled synthetic.

The model is the source itself: every position i holds the context (t[i], t[i+1]), positions
are sorted by context, and sampling the next token of a stream whose last two tokens are a
context means picking a random occurrence r of that context and emitting t[r+2] (exactly the
empirical conditional distribution, with no table of counts). Many streams advance together
(numpy gathers, one step for all streams at a time); each stream is one synthetic document of
`doc_tokens` tokens that starts at a random paragraph start of the source. `affinity` K > 1
draws K occurrences and keeps the one nearest the stream's home position in the source, so
a document keeps some of its source document's vocabulary (topic burstiness).

Novelty: the output is cut into sentences (after a token ending in . ! ? or holding a newline);
every sentence of at least `min_sentence_tokens` tokens whose 64-bit hash was already emitted
(in this run) is dropped, so no such sentence, and so no passage holding one, appears twice.

  python3 tools/eval/synth.py --source $PROTEUS_EVAL_DATA/unique.u32 --tokens 1B --out $PROTEUS_EVAL_DATA/synth-1B.u32"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

_P = np.uint64(0x9E3779B97F4A7C15)  # odd: invertible modulo 2^64
_P_INV = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))
PARAGRAPH = 271  # cl100k "\n\n"


@dataclass
class Model:
    tokens: np.ndarray     # the source (int64)
    ctx: np.ndarray        # context id of the pair starting at each position (int32; -1 for the last)
    occ: np.ndarray        # positions sorted by context (then position)
    off: np.ndarray        # occ[off[c]:off[c+1]] are the occurrences of context c
    starts: np.ndarray     # paragraph starts (positions after a token holding a newline)
    span: np.ndarray | None = None  # per position: off[ctx] << 32 | occurrences of ctx (one gather a step)
    source_sha: str = ""

    def __post_init__(self):
        c = np.maximum(self.ctx, 0).astype(np.int64)
        lo, cnt = self.off[c], self.off[c + 1] - self.off[c]
        self.span = np.where(self.ctx >= 0, (lo << 32) | cnt, -1)


def fit(tokens: np.ndarray, break_tokens: np.ndarray | None = None) -> Model:
    """Order-2 model of `tokens` (any integer array of at least 4 tokens). `break_tokens` is a
    bool table over the vocabulary marking tokens that end a paragraph (default: none, so
    documents start anywhere)."""
    t = np.asarray(tokens, dtype=np.int64)
    if len(t) < 4:
        raise ValueError("the source needs at least 4 tokens")
    vocab = int(t.max()) + 1
    key = t[:-2] * vocab + t[1:-1]   # pairs with a successor: positions 0 .. n-3
    occ = np.argsort(key, kind="stable")
    ks = key[occ]
    new = np.ones(len(ks), dtype=bool)
    new[1:] = ks[1:] != ks[:-1]
    cid = np.cumsum(new) - 1
    off = np.append(np.flatnonzero(new), len(ks)).astype(np.int64)
    ctx = np.full(len(t), -1, dtype=np.int32)
    ctx[occ] = cid
    # the last pair (n-2, n-1) has no successor: give it the context of an equal earlier pair if any
    last = t[-2] * vocab + t[-1]
    j = np.searchsorted(ks, last)
    if j < len(ks) and ks[j] == last:
        ctx[len(t) - 2] = cid[j]
    if break_tokens is not None:
        b = np.asarray(break_tokens, dtype=bool)
        starts = np.flatnonzero(b[np.minimum(t[:-3], len(b) - 1)]) + 1
    else:
        starts = np.arange(0, len(t) - 3)
    if len(starts) == 0:
        starts = np.array([0], dtype=np.int64)
    return Model(t, ctx, occ.astype(np.int64), off, starts.astype(np.int64))


def break_table(enc) -> np.ndarray:
    """Tokens that end a paragraph (hold a newline) — documents start after them."""
    out = np.zeros(enc.n_vocab + 1, dtype=bool)
    for i in range(enc.n_vocab):
        try:
            out[i] = b"\n" in enc.decode_single_token_bytes(i)
        except KeyError:
            pass
    return out


def sentence_end_table(enc) -> np.ndarray:
    out = np.zeros(enc.n_vocab + 1, dtype=bool)
    for i in range(enc.n_vocab):
        try:
            b = enc.decode_single_token_bytes(i)
        except KeyError:
            continue
        s = b.rstrip()
        out[i] = b"\n" in b or (s.endswith((b".", b"!", b"?")) and len(s) > 0)
    return out


def walk(m: Model, streams: int, steps: int, rng: np.random.Generator, affinity: int = 2) -> np.ndarray:
    """(streams, steps) tokens: each row one chain of the model from a random paragraph start."""
    n = len(m.tokens)
    out = np.empty((steps, streams), dtype=np.int64)  # one contiguous row per step, transposed at the end
    s = m.starts[rng.integers(0, len(m.starts), streams)]
    home = s.copy()
    q = np.minimum(s + 1, n - 1)
    out[0] = m.tokens[s]
    if steps > 1:
        out[1] = m.tokens[q]
    mask = np.int64(0xFFFFFFFF)
    for j in range(2, steps):
        sp = m.span[q - 1]
        dead = sp < 0
        if dead.any():  # the source's last pair: start again at a random paragraph
            sp = np.where(dead, m.span[np.minimum(m.starts[rng.integers(0, len(m.starts), streams)], n - 3)], sp)
        lo = sp >> 32
        cnt = sp & mask
        if affinity <= 1:
            r = m.occ[lo + (rng.random(streams) * cnt).astype(np.int64)]
        else:
            cand = m.occ[lo + (rng.random((affinity, streams)) * cnt).astype(np.int64)]
            r = cand[np.argmin(np.abs(cand - home), axis=0), np.arange(streams)]
        q = r + 2
        out[j] = m.tokens[q]
    return out.T


_POWERS: dict[str, np.ndarray] = {}


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P^i and P^-i modulo 2^64 for i < n (cached, grown as needed)."""
    if len(_POWERS.get("p", ())) < n:
        size = max(n, 1)
        for key, base in (("p", _P), ("i", _P_INV)):
            a = np.empty(size, dtype=np.uint64)
            a[0] = 1
            a[1:] = base
            with np.errstate(over="ignore"):
                np.multiply.accumulate(a, out=a)
            _POWERS[key] = a
    return _POWERS["p"][:n], _POWERS["i"][:n]


def sentence_hashes(flat: np.ndarray, boundary_after: np.ndarray):
    """(sentence id per token, hash per sentence, length per sentence) of a token run cut after
    every position where `boundary_after` is true (the last sentence ends with the run)."""
    n = len(flat)
    sid = np.zeros(n, dtype=np.int64)
    sid[1:] = np.cumsum(boundary_after[:-1])
    count = int(sid[-1]) + 1 if n else 0
    first = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]]) if n else np.zeros(0, dtype=np.int64)
    powers, inv = _powers(n)
    with np.errstate(over="ignore"):
        prefix = np.cumsum((flat.astype(np.uint64) + np.uint64(1)) * powers, dtype=np.uint64)
        ends = np.append(first[1:], n) - 1
        before = np.where(first > 0, prefix[np.maximum(first - 1, 0)], np.uint64(0))
        h = (prefix[ends] - before) * inv[first]
        lengths = (ends - first + 1).astype(np.int64)
        h = h * _P + lengths.astype(np.uint64)            # the length too
    return sid, h, lengths, count


class SeenSet:
    """Sorted 64-bit hashes, merged LSM-style so that a billion tokens stay fast."""

    def __init__(self):
        self.main = np.zeros(0, dtype=np.uint64)
        self.runs: list[np.ndarray] = []

    def __len__(self):
        return len(self.main) + sum(len(r) for r in self.runs)

    def contains(self, h: np.ndarray) -> np.ndarray:
        hit = np.zeros(len(h), dtype=bool)
        for arr in (self.main, *self.runs):
            if len(arr):
                i = np.minimum(np.searchsorted(arr, h), len(arr) - 1)
                hit |= arr[i] == h
        return hit

    def add(self, h: np.ndarray) -> None:
        self.runs.append(np.unique(h))
        if sum(len(r) for r in self.runs) > max(len(self.main) // 4, 1 << 20):
            self.main = np.unique(np.concatenate([self.main, *self.runs]))
            self.runs = []


_WORKER: dict = {}


def _walk_block(index: int) -> np.ndarray:
    """Block `index` of a run (in a worker: the model is inherited through fork)."""
    w = _WORKER
    rows = walk(w["model"], w["streams"], w["doc_tokens"], np.random.default_rng([w["seed"], index]), w["affinity"])
    rows[:, -1] = w["paragraph"]
    return np.ascontiguousarray(rows).ravel().astype(np.int32)


def _blocks(m: Model, seed: int, streams: int, doc_tokens: int, affinity: int, paragraph: int, workers: int):
    """Walked blocks 0, 1, 2, ... in order; block i always comes from the generator seeded
    (seed, i), so the output is the same for any number of workers. With workers > 1 the walks
    run in forked processes, a few blocks ahead of the caller."""
    _WORKER.update(model=m, seed=seed, streams=streams, doc_tokens=doc_tokens, affinity=affinity, paragraph=paragraph)
    if workers <= 1:
        i = 0
        while True:
            yield _walk_block(i)
            i += 1
    import concurrent.futures as cf
    import multiprocessing as mp

    with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        pending = [pool.submit(_walk_block, i) for i in range(workers + 1)]
        i = len(pending)
        try:
            while True:
                block = pending.pop(0).result()
                pending.append(pool.submit(_walk_block, i))
                i += 1
                yield block
        finally:
            for f in pending:
                f.cancel()


def generate_tokens(m: Model, total: int, seed: int, ends: np.ndarray, doc_tokens: int = 2048,
                    streams: int = 8192, affinity: int = 2, min_sentence_tokens: int = 8, stats: dict | None = None,
                    paragraph: int = PARAGRAPH, workers: int = 1):
    """Yields blocks of synthetic tokens until exactly `total` were yielded. Every document ends
    with the `paragraph` token (which must end a sentence in `ends`); a sentence of
    `min_sentence_tokens`+ tokens already emitted is dropped (sequentially, in block order)."""
    if not (paragraph < len(ends) and ends[paragraph]):
        raise ValueError(f"token {paragraph} must end a sentence")
    streams = int(min(streams, max(16, -(-int(total * 1.1) // doc_tokens))))  # a short run walks fewer streams
    seen = SeenSet()
    st = stats if stats is not None else {}
    st.setdefault("sentences", 0)
    st.setdefault("dropped_sentences", 0)
    st.setdefault("dropped_tokens", 0)
    done = 0
    blocks = _blocks(m, seed, streams, doc_tokens, affinity, paragraph, workers)
    try:
        while done < total:
            flat = next(blocks)
            boundary = ends[np.minimum(flat, len(ends) - 1)]
            sid, h, lengths, count = sentence_hashes(flat, boundary)
            long = lengths >= min_sentence_tokens
            _, first_idx = np.unique(h, return_index=True)
            dup = np.ones(count, dtype=bool)
            dup[first_idx] = False                   # repeated inside this block
            dup |= seen.contains(h)                  # or emitted by an earlier block
            drop = dup & long
            seen.add(h[long & ~drop])
            keep = ~drop[sid]
            block = flat[keep]
            st["sentences"] += int(count)
            st["dropped_sentences"] += int(drop.sum())
            st["dropped_tokens"] += int(len(flat) - len(block))
            take = min(len(block), total - done)
            done += take
            yield block[:take]
    finally:
        blocks.close()


def write(path: os.PathLike | str, m: Model, total: int, seed: int, ends: np.ndarray, **kw) -> dict:
    """Writes exactly `total` synthetic u32 tokens to `path` (temp + rename); returns statistics."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    stats: dict = {}
    t0 = time.perf_counter()
    written = 0
    with open(tmp, "wb") as f:
        for block in generate_tokens(m, total, seed, ends, stats=stats, **kw):
            block.astype("<u4").tofile(f)
            written += len(block)
    os.replace(tmp, path)
    stats |= {"tokens": written, "seconds": time.perf_counter() - t0, "seed": seed, "model": "order-2 token Markov",
              "synthetic": True} | {k: v for k, v in kw.items()}
    stats["tokens_per_second"] = written / stats["seconds"] if stats["seconds"] > 0 else None
    return stats


def repeated_sentence_share(tokens: np.ndarray, ends: np.ndarray, min_tokens: int = 8) -> float:
    """Share of sentences of `min_tokens`+ tokens whose exact token sequence occurs more than once."""
    flat = np.asarray(tokens, dtype=np.int64)
    if len(flat) == 0:
        return 0.0
    sid, h, lengths, count = sentence_hashes(flat, ends[np.minimum(flat, len(ends) - 1)])
    h = h[lengths >= min_tokens]
    if len(h) == 0:
        return 0.0
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    return float((counts[inverse] > 1).mean())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default=str(Path(os.environ.get("PROTEUS_EVAL_DATA", Path.home() / ".cache" / "proteus-eval")) / "unique.u32"))
    p.add_argument("--tokens", default="100M")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=20240520)
    p.add_argument("--affinity", type=int, default=2)
    p.add_argument("--doc-tokens", type=int, default=2048)
    p.add_argument("--workers", type=int, default=1,
                   help="processes walking blocks ahead (same output for any count; 2 was slower on the shared 2-core machine)")
    p.add_argument("--check", action="store_true",
                   help="count repeated sentences and 32-token windows in the first 100M tokens afterwards")
    a = p.parse_args(argv)
    total = generate.parse_length(a.tokens)
    enc = generate.load_encoding()
    src = np.fromfile(a.source, dtype="<u4")
    t0 = time.perf_counter()
    m = fit(src, break_table(enc))
    fit_s = time.perf_counter() - t0
    stats = write(a.out, m, total, a.seed, sentence_end_table(enc), affinity=a.affinity, doc_tokens=a.doc_tokens,
                  workers=a.workers)
    stats |= {"fit_seconds": fit_s, "source": os.path.basename(a.source), "source_tokens": len(src),
              "source_sha256": hashlib.sha256(src.tobytes()).hexdigest()}
    if a.check:
        import corpus
        out = np.fromfile(a.out, dtype="<u4", count=min(total, 100_000_000))
        stats["checked_tokens"] = len(out)
        stats["repeated_sentences"] = repeated_sentence_share(out, sentence_end_table(enc))
        stats["repeated_32_token_windows"] = corpus.repeated_window_share(out, 32)
        stats["repeated_16_token_windows"] = corpus.repeated_window_share(out, 16)
    Path(a.out).with_suffix(".json").write_text(json.dumps(stats, indent=1))
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

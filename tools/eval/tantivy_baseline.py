"""BM25 with tantivy (the Rust search engine, through its official Python bindings, PyPI
`tantivy` 0.27), as the lexical reference beside proteus-index.

The haystack's tokens are cut into overlapping passages of `window` tokens every `stride`
tokens (so any needle of at most window − stride tokens lies whole inside one passage); each
passage is decoded to text and indexed with tantivy's default tokenizer into a text field
that stores no text (`index_option="freq"`: term frequencies, no positions, as BM25 needs)
plus one u64 fast field holding the passage number, which maps a hit back to its token range.
A question is tokenized the same way (lower-cased alphanumeric runs) and asked as a
disjunction of term queries, so the ranking is tantivy's BM25 (k1 1.2, b 0.75).

Passages overlap, so one needle is in two of them: a search asks tantivy for 4·k hits and, in
score order, merges a hit that overlaps a result already kept into that result (its token range
becomes the union) and keeps any other hit as a new result, up to k results (otherwise the top 5
would hold each needle twice, or keep the half of a needle that scored better). Results are shaped like `proteus-index query --json` results (rank, score,
start, end, token_ids, text) so score.py scores them exactly like ours."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

_TERM = re.compile(r"[^\W_]+", re.UNICODE)  # tantivy's SimpleTokenizer: runs of alphanumerics


def available() -> str | None:
    """None when tantivy imports, else why not."""
    try:
        import tantivy  # noqa: F401
    except ImportError as e:
        return f"tantivy is not installed ({e}); `pip install tantivy` (tools/install-deps.sh does)"
    return None


def terms(text: str) -> list[str]:
    """What tantivy's default tokenizer makes of `text` (lower-cased, tokens over 40 bytes dropped)."""
    return [t.lower() for t in _TERM.findall(text) if len(t.encode()) <= 40]


def passage_starts(n: int, window: int, stride: int) -> np.ndarray:
    """Passage starts covering [0, n): every `stride` tokens, the last passage ending at n."""
    if window <= 0 or stride <= 0 or stride > window:
        raise ValueError("need 0 < stride <= window")
    if n <= window:
        return np.zeros(1, dtype=np.int64)
    starts = np.arange(0, n - window + 1, stride, dtype=np.int64)
    if starts[-1] + window < n:
        starts = np.append(starts, n - window)
    return starts


class TantivyIndex:
    def __init__(self, tokens: np.ndarray, enc, directory: os.PathLike | str, window: int = 128, stride: int = 64,
                 threads: int = 1, heap_bytes: int = 256 << 20, batch: int = 1 << 16):
        import tantivy

        self.tokens, self.enc, self.window, self.stride = tokens, enc, window, stride
        self.n = len(tokens)
        self.dir = Path(directory)
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("text", stored=False, tokenizer_name="default", index_option="freq")
        sb.add_unsigned_field("id", stored=False, indexed=False, fast=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema, path=str(self.dir))
        self.starts = passage_starts(self.n, window, stride)
        t0 = time.perf_counter()
        writer = self.index.writer(heap_size=heap_bytes, num_threads=threads)
        decode_s = 0.0
        for b0 in range(0, len(self.starts), batch):
            s = self.starts[b0:b0 + batch]
            d0 = time.perf_counter()
            texts = enc.decode_batch([np.asarray(tokens[a:a + window]).tolist() for a in s], errors="replace")
            decode_s += time.perf_counter() - d0
            for i, text in enumerate(texts, b0):
                doc = tantivy.Document()
                doc.add_unsigned("id", i)
                doc.add_text("text", text)
                writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.build_seconds = time.perf_counter() - t0
        self.decode_seconds = decode_s
        self.searcher = self.index.searcher()
        self.count = len(self.starts)

    def files(self) -> dict[str, int]:
        """Bytes per file extension of the live segments (meta.json and lock files excluded)."""
        import json

        meta = json.loads((self.dir / "meta.json").read_text())
        live = {seg["segment_id"].replace("-", "") for seg in meta["segments"]}
        out: dict[str, int] = {}
        for f in self.dir.iterdir():
            stem, _, ext = f.name.partition(".")
            if stem in live:
                out[ext] = out.get(ext, 0) + f.stat().st_size
        return out

    @property
    def nbytes(self) -> int:
        return sum(self.files().values())

    def query(self, question: str):
        import tantivy

        ts = list(dict.fromkeys(terms(question)))
        subs = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t)) for t in ts]
        return tantivy.Query.boolean_query(subs) if subs else tantivy.Query.empty_query()

    def hits(self, question: str, top: int = 5) -> list[tuple[float, int, int]]:
        """Up to `top` results (best score, start, end): the 4·top best passages in score order,
        each merged into a kept result it overlaps, else kept as a new one while there is room."""
        res = self.searcher.search(self.query(question), limit=4 * top, count=False)
        if not res.hits:
            return []
        ids = self.searcher.fast_field_values("id", [addr for _, addr in res.hits])
        kept: list[list] = []  # [score, start, end]
        for (score, _), i in zip(res.hits, ids):
            s = int(self.starts[int(i)])
            e = min(s + self.window, self.n)
            touching = [k for k in kept if s < k[2] and k[1] < e]
            if touching:
                k = touching[0]
                k[1], k[2] = min(k[1], s, *(t[1] for t in touching)), max(k[2], e, *(t[2] for t in touching))
                for t in touching[1:]:  # the union now bridges two results: they become one
                    kept.remove(t)
            elif len(kept) < top:
                kept.append([float(score), s, e])
        return [(k[0], k[1], k[2]) for k in kept]

    def search(self, question: str, top: int = 5) -> list[dict]:
        out = []
        for rank, (score, start, end) in enumerate(self.hits(question, top), 1):
            ids = [int(x) for x in self.tokens[start:end]]
            out.append({"rank": rank, "score": score, "start": start, "end": end, "token_ids": ids,
                        "text": self.enc.decode(ids, errors="replace")})
        return out

    def latency(self, question: str, top: int = 5, repeats: int = 21) -> float:
        """Median seconds of one search (query built, searched, ids read), in process."""
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            self.hits(question, top)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

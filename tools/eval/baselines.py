"""Same-budget baselines: each returns sorted absolute token positions that
`proteus-index build --keep-positions` turns into an index, so every method is ranked by the
same query pass with the same number of kept tokens. All of them are model-free (no neural
network): random, stride and StreamingLLM look only at positions; the CPU fallback looks at
token co-occurrence statistics of the haystack itself."""
from __future__ import annotations

import os

import numpy as np

MODEL_FREE = {"random": True, "stride": True, "streamingllm": True, "cpu-fallback": True, "bm25": True,
              "tantivy": True, "proteus-heroes": True, "random-windows": True, "stride-windows": True, "cpu-fallback-windows": True}


def _check(n: int, budget: int) -> int:
    if n <= 0:
        raise ValueError("empty haystack")
    return int(min(max(budget, 0), n))


def random_positions(n: int, budget: int, seed: int) -> np.ndarray:
    """`budget` distinct positions drawn uniformly without replacement."""
    budget = _check(n, budget)
    rng = np.random.default_rng(seed)
    if budget * 4 < n:  # rejection sampling keeps memory at O(budget) for 1B-token haystacks
        got = np.unique(rng.integers(0, n, size=budget + budget // 8 + 16, dtype=np.int64))
        while len(got) < budget:
            got = np.unique(np.concatenate([got, rng.integers(0, n, size=budget, dtype=np.int64)]))
        got = rng.permutation(got)[:budget]
        return np.sort(got).astype(np.uint64)
    return np.sort(rng.choice(n, size=budget, replace=False)).astype(np.uint64)


def stride_positions(n: int, budget: int) -> np.ndarray:
    """Every (n / budget)-th token, evenly spread over the whole haystack."""
    budget = _check(n, budget)
    if budget == 0:
        return np.zeros(0, dtype=np.uint64)
    return (np.arange(budget, dtype=np.int64) * n // budget).astype(np.uint64)


def streamingllm_positions(n: int, budget: int, sinks: int = 4) -> np.ndarray:
    """StreamingLLM's cache: the first `sinks` attention-sink tokens plus the most recent window."""
    budget = _check(n, budget)
    head = min(sinks, budget)
    tail = budget - head
    return np.unique(np.concatenate([np.arange(head), np.arange(n - tail, n)])).astype(np.uint64)


def random_index_vectors(vocab: int, dim: int = 32, nonzeros: int = 4, seed: int = 0) -> np.ndarray:
    """Sparse ternary random-index vectors (`nonzeros` entries of ±1 per token id)."""
    rng = np.random.default_rng(seed)
    r = np.zeros((vocab, dim), dtype=np.float32)
    rows = np.repeat(np.arange(vocab), nonzeros)
    cols = rng.integers(0, dim, size=vocab * nonzeros)
    signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=vocab * nonzeros)
    np.add.at(r, (rows, cols), signs)
    return r


def cooccurrence_features(sample: np.ndarray, vocab: int, dim: int = 32, window: int = 2, seed: int = 0) -> np.ndarray:
    """Random-indexing context vectors: for each token id, the mean of the index vectors of its
    neighbours within ±`window` over `sample` (ids never seen get a zero vector)."""
    ri = random_index_vectors(vocab, dim, seed=seed)
    sample = np.asarray(sample, dtype=np.int64)
    ctx = np.zeros((vocab, dim), dtype=np.float64)
    counts = np.bincount(sample, minlength=vocab).astype(np.float64)[:vocab]
    for off in range(1, window + 1):
        left, right = sample[:-off], sample[off:]
        for d in range(dim):  # one weighted bincount per dimension: fast and exact
            ctx[:, d] += np.bincount(left, weights=ri[right, d], minlength=vocab)[:vocab]
            ctx[:, d] += np.bincount(right, weights=ri[left, d], minlength=vocab)[:vocab]
    seen = counts > 0
    ctx[seen] /= counts[seen, None]
    return ctx.astype(np.float32)


def cpu_fallback_positions(tokens: np.ndarray, budget: int, chunk_len: int, features: np.ndarray,
                           block_chunks: int = 256) -> np.ndarray:
    """Per-chunk top tokens by feature-vector norm: the budget is split evenly over the
    chunks, each chunk keeps its highest-norm positions (ties → earlier position). This is a
    re-implementation of the upstream CPU fallback's selection rule, not its code."""
    n = len(tokens)
    budget = _check(n, budget)
    norms = np.linalg.norm(features, axis=1).astype(np.float32)
    chunks = (n + chunk_len - 1) // chunk_len
    quota = np.full(chunks, budget // chunks, dtype=np.int64)
    quota[: budget % chunks] += 1
    out = []
    full = n // chunk_len
    for c0 in range(0, full, block_chunks):  # whole chunks: one 2-D stable argsort per block
        c1 = min(full, c0 + block_chunks)
        ids = np.asarray(tokens[c0 * chunk_len:c1 * chunk_len], dtype=np.int64).reshape(c1 - c0, chunk_len)
        qmax = int(quota[c0:c1].max())
        if qmax == 0:
            continue
        order = np.argsort(-norms[np.minimum(ids, len(norms) - 1)], axis=1, kind="stable")[:, :qmax]
        keep = np.arange(qmax)[None, :] < quota[c0:c1, None]
        pos = order + (np.arange(c0, c1, dtype=np.int64) * chunk_len)[:, None]
        out.append(np.sort(pos[keep]))
    if full < chunks and quota[full] > 0:  # the last, shorter chunk
        lo = full * chunk_len
        ids = np.asarray(tokens[lo:n], dtype=np.int64)
        order = np.argsort(-norms[np.minimum(ids, len(norms) - 1)], kind="stable")[:min(int(quota[full]), len(ids))]
        out.append(np.sort(order) + lo)
    return np.sort(np.concatenate(out)).astype(np.uint64) if out else np.zeros(0, dtype=np.uint64)


# Windowed variants: our index spends its budget on contiguous spans (a champion and its ±span
# neighbours), and a multi-token answer can only be read from contiguous tokens. These keep the
# same budget as whole windows of 2·span+1 tokens (aligned blocks, so windows never overlap and
# the budget is met exactly), which is the fair comparison for span-shaped answers.


def _blocks_to_positions(blocks: np.ndarray, width: int, n: int, budget: int) -> np.ndarray:
    pos = (np.sort(blocks).astype(np.int64)[:, None] * width + np.arange(width)[None, :]).reshape(-1)
    pos = pos[pos < n]
    return pos[:budget].astype(np.uint64)


def _window_count(n: int, budget: int, span: int) -> tuple[int, int, int]:
    width = 2 * span + 1
    blocks = n // width
    return width, blocks, min(blocks, -(-budget // width))


def random_windows(n: int, budget: int, span: int, seed: int) -> np.ndarray:
    """`budget` tokens as randomly placed, non-overlapping windows of 2·span+1 tokens."""
    budget = _check(n, budget)
    width, blocks, k = _window_count(n, budget, span)
    rng = np.random.default_rng(seed)
    return _blocks_to_positions(rng.choice(blocks, size=k, replace=False), width, n, budget)


def stride_windows(n: int, budget: int, span: int) -> np.ndarray:
    """`budget` tokens as evenly spaced windows of 2·span+1 tokens."""
    budget = _check(n, budget)
    width, blocks, k = _window_count(n, budget, span)
    return _blocks_to_positions(np.arange(k, dtype=np.int64) * blocks // max(k, 1), width, n, budget)


def cpu_fallback_windows(tokens: np.ndarray, budget: int, chunk_len: int, features: np.ndarray, span: int,
                         piece: int = 1 << 24) -> np.ndarray:
    """The CPU fallback's rule applied to windows: each window of 2·span+1 tokens scores the
    largest feature norm inside it; the window budget is split evenly over the chunks and each
    chunk keeps its best windows (ties → earlier window)."""
    n = len(tokens)
    budget = _check(n, budget)
    width, blocks, k = _window_count(n, budget, span)
    norms = np.linalg.norm(features, axis=1).astype(np.float32)
    score = np.empty(blocks, dtype=np.float32)
    step = (piece // width) * width
    for s in range(0, blocks * width, step):
        e = min(blocks * width, s + step)
        ids = np.asarray(tokens[s:e], dtype=np.int64)
        score[s // width:e // width] = norms[np.minimum(ids, len(norms) - 1)].reshape(-1, width).max(axis=1)
    chunk = (np.arange(blocks, dtype=np.int64) * width) // chunk_len
    chunks = int(chunk[-1]) + 1 if blocks else 0
    quota = np.full(chunks, k // max(chunks, 1), dtype=np.int64)
    quota[: k % max(chunks, 1)] += 1
    order = np.lexsort((np.arange(blocks), -score, chunk))  # by chunk, best first, earlier first
    sorted_chunk = chunk[order]
    first = np.searchsorted(sorted_chunk, np.arange(chunks))
    rank = np.arange(blocks) - first[sorted_chunk]
    chosen = order[rank < quota[sorted_chunk]]
    return _blocks_to_positions(chosen, width, n, budget)


def sample_tokens(tokens: np.ndarray, max_tokens: int = 1 << 21, pieces: int = 64) -> np.ndarray:
    """A bounded sample of the haystack: `pieces` evenly spaced contiguous slices."""
    n = len(tokens)
    if n <= max_tokens:
        return np.asarray(tokens)
    step = n // pieces
    width = max_tokens // pieces
    return np.concatenate([np.asarray(tokens[i * step:i * step + width]) for i in range(pieces)])


def write_positions(path: os.PathLike | str, positions: np.ndarray) -> None:
    """Sorted little-endian u64 absolute positions, the format of `--keep-positions`."""
    p = np.asarray(positions, dtype=np.uint64)
    if len(p) > 1 and np.any(p[1:] <= p[:-1]):
        raise ValueError("positions must be strictly increasing")
    p.astype("<u8").tofile(str(path))

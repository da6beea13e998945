import numpy as np
import pytest

import baselines


def check(p, n, budget):
    assert p.dtype == np.uint64 and len(p) == budget
    assert np.all(np.diff(p.astype(np.int64)) > 0) and (len(p) == 0 or int(p[-1]) < n)


@pytest.mark.parametrize("n,budget", [(1000, 10), (1000, 999), (10**9, 32768), (50, 500)])
def test_same_budget_sorted_unique_in_range(n, budget):
    b = min(n, budget)
    check(baselines.random_positions(n, budget, seed=1), n, b)
    check(baselines.stride_positions(n, budget), n, b)
    check(baselines.streamingllm_positions(n, budget), n, b)


def test_random_is_seeded():
    a = baselines.random_positions(10**6, 1000, seed=1)
    assert np.array_equal(a, baselines.random_positions(10**6, 1000, seed=1))
    assert not np.array_equal(a, baselines.random_positions(10**6, 1000, seed=2))


def test_stride_is_even_and_streamingllm_keeps_sinks_and_recent_window():
    assert baselines.stride_positions(100, 4).tolist() == [0, 25, 50, 75]
    assert baselines.streamingllm_positions(100, 7).tolist() == [0, 1, 2, 3, 97, 98, 99]


def test_cooccurrence_features_match_a_direct_count():
    sample = np.array([1, 2, 3, 1, 2], dtype=np.uint32)
    f = baselines.cooccurrence_features(sample, vocab=5, dim=32, window=2, seed=3)
    ri = baselines.random_index_vectors(5, 32, seed=3)
    want = np.zeros((5, 32))
    for i, t in enumerate(sample):
        for j in range(max(0, i - 2), min(len(sample), i + 3)):
            if j != i:
                want[t] += ri[sample[j]]
    counts = np.bincount(sample, minlength=5)
    want[counts > 0] /= counts[counts > 0, None]
    assert np.allclose(f, want, atol=1e-6)
    assert not f[0].any() and not f[4].any()


def test_cpu_fallback_splits_the_budget_per_chunk_and_keeps_high_norms():
    feats = np.zeros((4, 2), dtype=np.float32)
    feats[3] = [3, 4]  # norm 5
    feats[2] = [1, 0]  # norm 1
    tokens = np.array([0, 3, 0, 2, 0, 0, 2, 3, 3, 0], dtype=np.uint32)
    p = baselines.cpu_fallback_positions(tokens, budget=4, chunk_len=5, features=feats)
    # chunk 0 = [0,3,0,2,0] keeps 1 (norm 5) and 3 (norm 1); chunk 1 = [0,2,3,3,0] keeps 7, 8
    assert p.tolist() == [1, 3, 7, 8]
    odd = baselines.cpu_fallback_positions(tokens, budget=3, chunk_len=5, features=feats)
    assert odd.tolist() == [1, 3, 7]  # the first chunk gets the remainder; ties go to the earlier token
    tail = baselines.cpu_fallback_positions(tokens[:8], budget=4, chunk_len=5, features=feats)
    assert tail.tolist() == [1, 3, 6, 7]  # the short last chunk [0, 2, 3] keeps 7 (norm 5), then 6 (norm 1)


def test_cpu_fallback_blocks_agree_with_one_chunk_at_a_time():
    rng = np.random.default_rng(5)
    feats = rng.normal(size=(50, 4)).astype(np.float32)
    tokens = rng.integers(0, 50, size=1000).astype(np.uint32)
    a = baselines.cpu_fallback_positions(tokens, 97, 64, feats, block_chunks=1)
    b = baselines.cpu_fallback_positions(tokens, 97, 64, feats, block_chunks=7)
    assert np.array_equal(a, b) and len(a) == 97


def test_write_positions_is_little_endian_u64(tmp_path):
    path = tmp_path / "p.u64"
    baselines.write_positions(path, np.array([1, 5, 2**40], dtype=np.uint64))
    assert path.read_bytes() == (1).to_bytes(8, "little") + (5).to_bytes(8, "little") + (2**40).to_bytes(8, "little")
    with pytest.raises(ValueError, match="positions must be strictly increasing"):
        baselines.write_positions(path, np.array([3, 3]))


def windows_of(p, width):
    p = p.astype(np.int64)
    starts = p[np.r_[True, np.diff(p) != 1]]
    return starts, np.diff(np.r_[np.flatnonzero(np.r_[True, np.diff(p) != 1]), len(p)])


@pytest.mark.parametrize("n,budget,span", [(100_000, 32768, 8), (1000, 170, 8), (10**6, 100, 0), (500, 1000, 2)])
def test_windowed_baselines_spend_the_budget_in_whole_windows(n, budget, span):
    width = 2 * span + 1
    feats = np.random.default_rng(1).normal(size=(64, 4)).astype(np.float32)
    tokens = np.random.default_rng(2).integers(0, 64, size=n).astype(np.uint32)
    want = min(budget, (n // width) * width)
    for p in (baselines.random_windows(n, budget, span, seed=3), baselines.stride_windows(n, budget, span),
              baselines.cpu_fallback_windows(tokens, budget, 4096, feats, span)):
        check(p, n, want)
        starts, lengths = windows_of(p, width)
        assert np.all(starts % width == 0)  # aligned blocks: windows never overlap
        assert np.all(lengths % width == 0) or want % width  # only the last window may be cut


def test_cpu_fallback_windows_pick_the_best_window_per_chunk():
    feats = np.zeros((4, 2), dtype=np.float32)
    feats[3] = [3, 4]
    tokens = np.zeros(40, dtype=np.uint32)
    tokens[7] = 3   # window [6, 9) in chunk 0 (chunk_len 20)
    tokens[31] = 3  # window [30, 33) in chunk 1
    p = baselines.cpu_fallback_windows(tokens, budget=6, chunk_len=20, features=feats, span=1)
    assert p.tolist() == [6, 7, 8, 30, 31, 32]

import numpy as np
import pytest

import synth


def source(n=20_000, vocab=50, seed=1):
    """A token source with structure: a few 'sentences' of varied words ending in token 0."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        out += list(rng.integers(2, vocab, rng.integers(5, 15))) + [0]
    return np.array(out[:n], dtype=np.int64)


def test_fit_indexes_every_context():
    t = np.array([1, 2, 3, 1, 2, 4, 1, 2, 3, 5], dtype=np.int64)
    m = synth.fit(t)
    for i in range(len(t) - 2):
        c = m.ctx[i]
        occ = m.occ[m.off[c]:m.off[c + 1]]
        assert all((t[r], t[r + 1]) == (t[i], t[i + 1]) for r in occ)
        assert sorted(occ.tolist()) == [r for r in range(len(t) - 2) if (t[r], t[r + 1]) == (t[i], t[i + 1])]


@pytest.mark.parametrize("affinity", [1, 3])
def test_walk_emits_only_observed_trigrams(affinity):
    t = source()
    m = synth.fit(t)
    rows = synth.walk(m, 64, 200, np.random.default_rng(2), affinity)
    seen = set(zip(t[:-2].tolist(), t[1:-1].tolist(), t[2:].tolist()))
    for row in rows:
        for a, b, c in zip(row[:-2], row[1:-1], row[2:]):
            assert (a, b, c) in seen


def test_sentence_hashes_match_exact_sequences():
    flat = np.array([5, 6, 0, 5, 6, 0, 7, 0, 5, 6, 0, 5, 6, 6, 0], dtype=np.int64)
    ends = np.zeros(10, dtype=bool)
    ends[0] = True
    sid, h, lengths, count = synth.sentence_hashes(flat, ends[flat])
    assert count == 6 and lengths.tolist() == [3, 3, 2, 3, 4, 0][:count] or lengths.tolist() == [3, 3, 2, 3, 4]
    sentences = [tuple(flat[sid == k]) for k in range(count)]
    for i in range(count):
        for j in range(count):
            assert (h[i] == h[j]) == (sentences[i] == sentences[j])


def test_generated_text_has_exact_length_no_repeated_sentence_and_is_seeded(tmp_path):
    t = source(30_000, vocab=12)  # a tiny vocabulary: repeats are likely without the filter
    m = synth.fit(t, np.eye(1, 20, 0, dtype=bool)[0])  # documents start after token 0
    ends = np.zeros(20, dtype=bool)
    ends[0] = True
    a, b, c = tmp_path / "a.u32", tmp_path / "b.u32", tmp_path / "c.u32"
    st = synth.write(a, m, 50_000, 7, ends, streams=16, doc_tokens=256, min_sentence_tokens=4, paragraph=0)
    synth.write(b, m, 50_000, 7, ends, streams=16, doc_tokens=256, min_sentence_tokens=4, paragraph=0)
    synth.write(c, m, 50_000, 8, ends, streams=16, doc_tokens=256, min_sentence_tokens=4, paragraph=0)
    out = np.fromfile(a, dtype="<u4")
    assert len(out) == 50_000 and st["tokens"] == 50_000 and st["synthetic"]
    assert st["dropped_sentences"] > 0  # the filter had work to do
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != c.read_bytes()
    assert synth.repeated_sentence_share(out, ends, 4) == 0.0
    assert synth.repeated_sentence_share(np.tile(out[:1000], 3), ends, 4) > 0.5  # the check itself works
    d = tmp_path / "d.u32"  # walks in two forked workers: the same bytes
    synth.write(d, m, 50_000, 7, ends, streams=16, doc_tokens=256, min_sentence_tokens=4, paragraph=0, workers=2)
    assert d.read_bytes() == a.read_bytes()


def test_seen_set_merges_and_finds():
    s = synth.SeenSet()
    for k in range(5):
        s.add(np.arange(k * 10, k * 10 + 10, dtype=np.uint64))
    assert s.contains(np.array([0, 49, 50, 1000], dtype=np.uint64)).tolist() == [True, True, False, False]

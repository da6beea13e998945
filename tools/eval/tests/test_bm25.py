import math

import numpy as np

import bm25
import needles


def test_postings_match_a_brute_force_count():
    tokens = np.array([5, 1, 5, 2, 3, 5, 1, 4, 4], dtype=np.uint32)
    ix = bm25.BM25Index(tokens, passage_len=4, stride=3, vocab=8, block_passages=2)
    passages = [tokens[s:s + 4] for s in range(0, 9, 3)]  # starts 0, 3, 6 (the last one is cut)
    assert ix.count == 3 and ix.lengths.tolist() == [4, 4, 3]
    for t in range(8):
        a, z = int(ix.offsets[t]), int(ix.offsets[t + 1])
        got = dict(zip(ix.passages[a:z].tolist(), ix.tfs[a:z].tolist()))
        want = {i: int((p == t).sum()) for i, p in enumerate(passages) if (p == t).any()}
        assert got == want
    assert ix.nbytes == ix.offsets.nbytes + ix.passages.nbytes + ix.tfs.nbytes + ix.lengths.nbytes


def test_scores_follow_the_bm25_formula():
    tokens = np.array([7, 7, 1, 2, 1, 3, 2, 2], dtype=np.uint32)
    ix = bm25.BM25Index(tokens, passage_len=4, stride=4, vocab=8)
    (r,) = ix.search([7], top=1)
    idf = math.log((2 - 1 + 0.5) / (1 + 0.5) + 1)
    assert r["start"] == 0 and r["end"] == 4
    assert abs(r["score"] - idf * 2 * 2.2 / (2 + 1.2)) < 1e-5


def test_finds_a_needle_in_essays(enc, table, base, tmp_path):
    case = needles.write_case(base, tmp_path / "c.u32", needles.make_case("single-numbers", 0.7, 3), enc, table)
    tokens = np.memmap(tmp_path / "c.u32", dtype="<u4", mode="r")
    ix = bm25.BM25Index(tokens, 17, 9, enc.n_vocab)
    results = ix.search(enc.encode_ordinary(case.spec.question), 5, enc)
    assert [r["rank"] for r in results] == [1, 2, 3, 4, 5]
    key = case.spec.question.split(" for ")[1].split(" mentioned")[0]
    assert key in results[0]["text"]  # the passage with the asked key ranks first
    assert all(a["score"] >= b["score"] for a, b in zip(results, results[1:]))

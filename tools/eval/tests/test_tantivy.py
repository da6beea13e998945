import numpy as np
import pytest

import needles

tantivy_baseline = pytest.importorskip("tantivy_baseline")
pytest.importorskip("tantivy")


def test_passages_cover_everything_and_any_short_needle_whole():
    for n in (1, 100, 128, 129, 1000, 1027):
        s = tantivy_baseline.passage_starts(n, 128, 64)
        assert s[0] == 0 and min(s[-1] + 128, n) == n
        assert all(b - a <= 64 for a, b in zip(s, s[1:]))
    with pytest.raises(ValueError):
        tantivy_baseline.passage_starts(10, 8, 9)


def test_terms_follow_tantivys_default_tokenizer():
    assert tantivy_baseline.terms("What is the special magic number for sable-lagoon-prime?") == \
        ["what", "is", "the", "special", "magic", "number", "for", "sable", "lagoon", "prime"]


def test_finds_the_needle_and_maps_it_back_to_tokens(tmp_path, enc, table, base):
    case = needles.write_case(base, tmp_path / "c.u32", needles.make_case("single-numbers", 0.7, 3), enc, table)
    tokens = np.memmap(tmp_path / "c.u32", dtype="<u4", mode="r")
    ix = tantivy_baseline.TantivyIndex(tokens, enc, tmp_path / "ix", window=128, stride=64)
    results = ix.search(case.spec.question, 5)
    assert [r["rank"] for r in results] == [1, 2, 3, 4, 5]
    top = results[0]
    assert top["token_ids"] == tokens[top["start"]:top["end"]].tolist() and (top["end"] - top["start"]) % 64 == 0 and top["end"] - top["start"] >= 128
    value_pos = case.expected_positions[0]
    assert top["start"] <= value_pos[0] and value_pos[-1] < top["end"]  # the passage holding the needle ranks first
    assert case.spec.expected[0] in top["text"]
    assert all(a["end"] <= b["start"] or b["end"] <= a["start"] for a in results for b in results if a is not b)
    files = ix.files()
    assert ix.nbytes == sum(files.values()) > 0
    assert files.get("store", 0) < 8 * ix.count  # no stored text: the doc store holds empty documents only
    assert ix.count == len(tantivy_baseline.passage_starts(len(tokens), 128, 64))
    assert 0 < ix.latency(case.spec.question, repeats=3) < 1.0

import numpy as np
import pytest

import lookalike


@pytest.fixture(scope="module")
def pieces(enc):
    kw = lookalike.KeyWords(["sable", "amber", "quiet", "rapid", "brave", "olive", "bold", "dim"],
                            ["lagoon", "harbor", "meadow", "canyon", "falcon", "violin", "anchor", "tunnel"],
                            ["prime", "drift", "glow", "sing", "roam", "wander", "fold", "melt"], "test words")
    return lookalike.Pieces(enc, kw)


@pytest.mark.parametrize("depth", [0.0, 0.37, 1.0])
def test_haystack_is_exact_tiktoken_text_with_one_asked_line(tmp_path, enc, pieces, depth):
    path = tmp_path / "l.u32"
    case = lookalike.write_case(path, 6000, depth, seed=4, enc=enc, pieces=pieces)
    tokens = np.fromfile(path, dtype="<u4")
    assert len(tokens) == 6000
    text = enc.decode(tokens.tolist())
    whole = text[:text.rfind("\n") + 1]
    assert enc.encode_ordinary(whole) == tokens[:len(enc.encode_ordinary(whole))].tolist()
    lines = whole.splitlines()
    assert all(ln.startswith("One of the special magic numbers for ") and ln.endswith(".") for ln in lines)
    key = case.spec.question.split(" for ")[1].split(" mentioned")[0]
    value = case.spec.expected[0]
    asked = [ln for ln in lines if f" for {key} is:" in ln]
    assert asked == [f"One of the special magic numbers for {key} is: {value}."]
    assert sum(f": {value}." in ln for ln in lines) == 1  # no other line carries the asked number
    (pos,) = case.expected_positions
    assert enc.decode(tokens[pos].tolist()) == value
    start = case.needles[0].start
    assert abs(start - depth * 6000) <= 40  # a whole line away at most
    a, n, w = key.split("-")
    present = {ln.split(" for ")[1].split(" is:")[0] for ln in lines}  # lines sharing two of its three words:
    assert sum(1 for k in present if k != key and sum(x == y for x, y in zip(k.split("-"), (a, n, w))) == 2) >= 4
    assert len(present) == len(lines)  # every key distinct


def test_keys_are_distinct_and_include_the_structured_distractors(pieces):
    asked, keys = lookalike.make_keys(np.random.default_rng(1), pieces, 300, 5)
    assert tuple(keys[0]) == tuple(asked)
    codes = {tuple(k) for k in keys.tolist()}
    assert len(codes) == len(keys) == 300
    same = [sum(x == y for x, y in zip(k, asked.tolist())) for k in keys.tolist()]
    assert same[:16] == [3] + [2] * 15 and 3 not in same[1:]  # 5 keys per pair of its words, then random ones


def test_fallback_word_list_without_wordnet(tmp_path, enc):
    kw = lookalike.key_words(enc, tmp_path)  # no index.adj here
    assert "essays" in kw.source and min(len(kw.adjectives), len(kw.nouns), len(kw.words)) > 500

import numpy as np
import pytest

import lookalike


@pytest.fixture(scope="module")
def pieces(enc):
    kw = lookalike.KeyWords(["sable", "amber", "quiet", "rapid", "brave", "olive", "bold", "dim"],
                            ["lagoon", "harbor", "meadow", "canyon", "falcon", "violin", "anchor", "tunnel"],
                            ["prime", "drift", "glow", "sing", "roam", "wander", "fold", "melt"], "test words")
    return lookalike.Pieces(enc, kw)


@pytest.mark.parametrize("shuffle_max", [lookalike.SHUFFLE_MAX, 0], ids=["shuffled", "permuted"])
@pytest.mark.parametrize("depth", [0.0, 0.37, 1.0])
def test_haystack_is_exact_tiktoken_text_with_one_asked_line(tmp_path, enc, pieces, depth, shuffle_max):
    path = tmp_path / "l.u32"
    case = lookalike.write_case(path, 6000, depth, seed=4, enc=enc, pieces=pieces, block_lines=50,
                                shuffle_max=shuffle_max)
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


@pytest.mark.parametrize("shuffle_max", [lookalike.SHUFFLE_MAX, 0], ids=["shuffled", "permuted"])
@pytest.mark.parametrize("depth", [0.0, 0.5, 1.0])
def test_block_size_does_not_change_the_case(tmp_path, enc, pieces, depth, shuffle_max):
    outs = []
    for block_lines in (1, 7, 64, 10**6):  # one line at a time, uneven blocks, one block
        path = tmp_path / f"l{block_lines}.u32"
        case = lookalike.write_case(path, 6000, depth, seed=9, enc=enc, pieces=pieces, block_lines=block_lines,
                                    shuffle_max=shuffle_max)
        outs.append((np.fromfile(path, dtype="<u4").tolist(), case.spec.question, case.spec.expected,
                     case.needles[0].start, case.expected_positions))
    assert all(o == outs[0] for o in outs[1:])


def test_permuted_lines_start_as_near_the_depth_as_a_line_allows(tmp_path, enc, pieces):
    """The streaming generator puts the asked line at the last line start at or before
    depth·(length - its length), so it always fits, also at depth 1."""
    for seed in range(6):
        for depth in (0.0, 0.5, 1.0):
            case = lookalike.write_case(tmp_path / "l.u32", 3000, depth, seed=seed, enc=enc, pieces=pieces,
                                        shuffle_max=0)
            line = len(case.needles[0].tokens)
            target = round(depth * (3000 - line))
            assert target - 40 < case.needles[0].start <= target and case.needles[0].start + line <= 3000


def test_key_permutation_is_a_bijection():
    for size in (1, 2, 5, 512, 1000, 4097):
        perm = lookalike.KeyPermutation(size, np.random.default_rng(size))
        out = perm(np.arange(size, dtype=np.uint64))
        assert sorted(out.tolist()) == list(range(size))
        assert np.array_equal(np.concatenate([perm(np.arange(s, min(s + 3, size), dtype=np.uint64))
                                              for s in range(0, size, 3)]), out)


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

import numpy as np
import pytest

import generate
import needles

N = 300_000


def place(enc, table, base, tmp_path, task, depth, seed=1):
    out = tmp_path / "case.u32"
    case = needles.write_case(base, out, needles.make_case(task, depth, seed), enc, table)
    return case, np.fromfile(out, dtype="<u4")


def assert_sentence_boundary(enc, table, tokens, start):
    if start == 0:
        return
    prev = enc.decode_single_token_bytes(int(tokens[start - 1]))
    assert prev.rstrip()[-1:] in (b".", b"!", b"?"), prev
    assert table.ends[tokens[start - 1]]


@pytest.mark.parametrize("depth", [0.0, 0.1, 0.33, 0.5, 0.9, 1.0])
def test_niah_needle_is_at_the_stated_depth_and_a_sentence_boundary(enc, table, base, tmp_path, depth):
    case, tokens = place(enc, table, base, tmp_path, "niah", depth)
    (n,) = case.needles
    assert len(tokens) == N  # the case keeps the haystack length exactly
    assert tokens[n.start:n.start + len(n.tokens)].tolist() == n.tokens
    assert enc.decode(n.tokens) == " " + needles.NIAH_NEEDLE
    # moved back at most one (long) sentence from the target depth, never forward
    assert 0 <= depth * (N - len(n.tokens)) - n.start < 400
    assert_sentence_boundary(enc, table, tokens, n.start)
    # the text after the needle continues with whitespace (an untouched sentence start)
    if 0 < n.start and n.start + len(n.tokens) < N:
        assert table.starts_ws[tokens[n.start + len(n.tokens)]]


def test_haystack_around_the_needle_is_the_base_unchanged(enc, table, base, tmp_path):
    case, tokens = place(enc, table, base, tmp_path, "niah", 0.5)
    (n,) = case.needles
    b = np.fromfile(base, dtype="<u4")
    assert np.array_equal(tokens[:n.start], b[:n.start])
    end = n.start + len(n.tokens)
    assert np.array_equal(tokens[end:], b[n.start:N - len(n.tokens)])


@pytest.mark.parametrize("task", needles.INSERTED_TASKS)
def test_value_positions_decode_to_the_expected_values(enc, table, base, tmp_path, task):
    case, tokens = place(enc, table, base, tmp_path, task, 0.4, seed=17)
    assert len(tokens) == N
    for value, positions in zip(case.spec.expected, case.expected_positions):
        assert positions == sorted(positions) and len(positions) > 0
        assert enc.decode(tokens[positions].tolist()).strip() == value
    for n in case.needles:
        assert tokens[n.start:n.start + len(n.tokens)].tolist() == n.tokens
        assert_sentence_boundary(enc, table, tokens, n.start)


def test_ruler_values_have_the_right_shape():
    num = needles.make_case("single-numbers", 0.5, 1).expected[0]
    assert len(num) == 7 and num.isdigit()
    uid = needles.make_case("single-uuids", 0.5, 1).expected[0]
    assert len(uid) == 36 and uid[14] == "4"
    word = needles.make_case("single-words", 0.5, 1).expected[0]
    assert word.replace("-", "").isalpha()
    spec = needles.make_case("single-numbers", 0.5, 1)
    assert spec.question.startswith("What is the special magic number for ")
    assert needles.make_case("single-numbers", 0.5, 1) == spec  # seeded
    assert needles.make_case("single-numbers", 0.5, 2).expected != spec.expected


def test_multikey_asks_one_key_among_three_distractors(enc, table, base, tmp_path):
    case, tokens = place(enc, table, base, tmp_path, "multikey", 0.5, seed=4)
    assert len(case.needles) == 4 and len(case.spec.distractors) == 3
    keys = [n.text.split(" for ")[1].split(" is:")[0] for n in case.needles]
    assert len(set(keys)) == 4
    asked = case.spec.question.split(" for ")[1].split(" mentioned")[0]
    asked_needle = [n for n in case.needles if asked in n.text]
    assert len(asked_needle) == 1 and case.spec.expected[0] in asked_needle[0].text
    assert abs(asked_needle[0].start / N - 0.5) < 0.01


def test_multivalue_has_four_values_for_one_key(enc, table, base, tmp_path):
    case, _ = place(enc, table, base, tmp_path, "multivalue", 0.2, seed=4)
    assert len(set(case.spec.expected)) == 4
    keys = {n.text.split(" for ")[1].split(" is:")[0] for n in case.needles}
    assert len(keys) == 1 and keys.pop() in case.spec.question


def test_jigsaw_clues_are_far_apart(enc, table, base, tmp_path):
    case, _ = place(enc, table, base, tmp_path, "jigsaw", 0.1, seed=4)
    a, b = sorted(n.start for n in case.needles)
    assert b - a > N // 3  # half the haystack apart: always different 64k chunks from 1M tokens on
    assert "secret ingredient" in case.spec.question and "simmer" in case.spec.question


def test_noise_haystack_boundaries(enc, table, tmp_path):
    path = tmp_path / "noise.u32"
    generate.write_haystack(path, generate.noise_pieces(enc), 5000, seed=1)
    case, tokens = place(enc, table, path, tmp_path, "single-numbers", 0.5)
    start = case.needles[0].start
    assert_sentence_boundary(enc, table, tokens, start)
    assert abs(start - 0.5 * 5000) < 40


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        needles.make_case("nope", 0.5, 1)
    with pytest.raises(ValueError, match=r"depth 1.5 outside \[0, 1\]"):
        needles.make_case("niah", 1.5, 1)


def test_haystack_too_short(enc, table, tmp_path):
    path = tmp_path / "tiny.u32"
    np.arange(10, dtype="<u4").tofile(path)
    with pytest.raises(ValueError, match="haystack of 10 tokens is too short for 2. needle tokens"):
        needles.write_case(path, tmp_path / "o.u32", needles.make_case("niah", 0.5, 1), enc, table)

import numpy as np
import pytest

import generate


def test_bundled_rank_file_is_the_published_cl100k():
    import hashlib
    digest = hashlib.sha256(generate.DEFAULT_RANKS.read_bytes()).hexdigest()
    assert digest.startswith("223921b7") and digest.endswith("65b2a7")  # formats.md


def test_bundled_rank_file_builds_cl100k(enc):
    assert enc.n_vocab == 100277  # 100256 ranks + specials up to <|endofprompt|> 100276
    text = "The best thing to do in San Francisco is eat a sandwich."
    assert enc.decode(enc.encode_ordinary(text)) == text
    assert enc.encode("<|endoftext|>", allowed_special="all") == [100257]


@pytest.mark.parametrize("n", [1, 999, 148_760, 200_001])
def test_haystack_length_is_exact(tmp_path, essays, n):
    path = tmp_path / "h.u32"
    assert generate.write_haystack(path, essays, n, seed=3, block=50_000) == n
    assert path.stat().st_size == 4 * n


def test_generator_is_deterministic_for_a_seed(tmp_path, essays):
    a, b, c = (tmp_path / x for x in "abc")
    generate.write_haystack(a, essays, 120_000, seed=5, block=10_000)
    generate.write_haystack(b, essays, 120_000, seed=5, block=70_000)
    generate.write_haystack(c, essays, 120_000, seed=6)
    assert a.read_bytes() == b.read_bytes()  # the block size does not change the stream
    assert a.read_bytes() != c.read_bytes()


def test_every_epoch_holds_every_essay_once_in_seeded_order(tmp_path, essays):
    total = sum(len(e) for e in essays)
    path = tmp_path / "h.u32"
    generate.write_haystack(path, essays, 2 * total, seed=9)
    got = np.fromfile(path, dtype="<u4")
    rng = np.random.default_rng(9)
    for epoch in range(2):
        order = rng.permutation(len(essays))
        expect = np.concatenate([essays[i] for i in order])
        assert np.array_equal(got[epoch * total:(epoch + 1) * total], expect)


def test_noise_haystack_repeats_ruler_text(tmp_path, enc):
    path = tmp_path / "noise.u32"
    generate.write_haystack(path, generate.noise_pieces(enc), 1000, seed=1)
    text = enc.decode(np.fromfile(path, dtype="<u4").tolist())
    assert text.startswith(generate.NOISE_TEXT + generate.NOISE_TEXT)


def test_lengths_parse_and_format():
    assert [generate.parse_length(x) for x in ("1M", "10m", "1B", "2k", "12345")] == [10**6, 10**7, 10**9, 2000, 12345]
    assert [generate.format_length(x) for x in (10**6, 10**9, 12345)] == ["1M", "1B", "12345"]

"""The arrays and facts the package reads in-process equal what the command-line tool says
about the same index (`inspect --json`, `query --json`, `decode`), on indexes of several
documents, of standard input, of a small buffer, without a tokenizer, and in the version 1
layout."""
from __future__ import annotations

import json

import numpy as np
import pytest

import proteus_index
from phb_files import downgrade_to_version1, meta_ending, sections_of, set_versions, with_older_ranks, write
from support import TOKENIZER, run_cli

QUESTIONS = ["What is the best thing to do in San Francisco?", "How do startups raise money from investors?",
             "Why do founders work so hard?"]
ALL = ["essays", "stdin", "bare"]


def inspect_json(binary: str, path) -> dict:
    return json.loads(run_cli(binary, "inspect", str(path), "--json").stdout)


def assert_describes_as_inspect(index: proteus_index.HeroIndex, expected: dict) -> None:
    """`describe()` equals `inspect --json`, but for the routing counts inspect gets by
    walking the directory (the package reads the tier's shape only)."""
    described, expected = dict(index.describe()), dict(expected)
    routing = expected.pop("routing")
    shape = described.pop("routing")
    assert shape == (None if routing is None else {k: routing[k] for k in ("window_tokens", "windows", "list_limit", "window_reach")})
    assert described == expected


def test_a_shard_index_describes_its_place_as_inspect(binary, indexes, tmp_path):
    """A shard's and a partial merge's place (`shard` of `inspect --json`, read from `SHRD`)."""
    corpus = str(indexes["essays"].corpus_u32)
    run_cli(binary, "learn", corpus, "-o", str(tmp_path / "c.dna"), "--quiet")
    parts = []
    for i in (1, 2, 3):
        parts.append(tmp_path / f"part-{i}.phb")
        run_cli(binary, "build", corpus, "--dna", str(tmp_path / "c.dna"), "--shard", f"{i}/3", "-o", str(parts[-1]),
                "--quiet")
    run_cli(binary, "merge", str(parts[0]), str(parts[1]), "--partial", "-o", str(tmp_path / "part-1-2.phb"), "--quiet")
    for path, spec in [(parts[1], "2/3"), (tmp_path / "part-1-2.phb", "1-2/3")]:
        expected = inspect_json(binary, path)
        with proteus_index.open(path) as index:
            assert_describes_as_inspect(index, expected)
            assert index.describe()["shard"]["spec"] == spec
            assert index.describe()["shard"]["token_end"] > index.describe()["shard"]["token_start"]


@pytest.mark.parametrize("name", ALL)
def test_header_and_metadata_equal_inspect(binary, indexes, name):
    built = indexes[name]
    expected = inspect_json(binary, built.path)
    with proteus_index.open(built.path) as index:
        assert_describes_as_inspect(index, expected)
        routing = expected["routing"]
        assert 0 < routing["window_tokens"] <= index.parameters["route_window"]  # the requested window, cut to tile chunks
        assert len(index.documents) == built.documents == expected["documents"]
        assert index.tokens.size == expected["hero_tokens"] == index.statistics["hero_tokens"]
        assert index.spans.size == expected["spans"]
        assert (index.tokenizer is not None) == built.embeds_tokenizer


@pytest.mark.parametrize("name", ALL)
def test_arrays_are_zero_copy_views_of_the_file(indexes, name):
    with proteus_index.open(indexes[name].path) as index:
        raw = np.fromfile(indexes[name].path, dtype=np.uint8)
        tokens_entry = next(e for e in index.sections if e.name == "HTOK")
        on_disk = raw[tokens_entry.offset:tokens_entry.offset + tokens_entry.length].view("<u4")
        assert index.tokens.dtype == np.dtype("<u4") and np.array_equal(index.tokens, on_disk)
        for array in (index.tokens, index.scores, index.spans, index.documents.starts):
            assert not array.flags.writeable and not array.flags.owndata  # a read-only view, no copy
        assert index.positions.dtype == np.dtype("<u8") and index.positions.size == index.tokens.size


@pytest.mark.parametrize("name", ALL)
def test_positions_hold_the_corpus_tokens(indexes, name):
    """Each hero token is the corpus token at its position, in increasing position order."""
    built = indexes[name]
    corpus = np.fromfile(built.corpus_u32, dtype="<u4")
    with proteus_index.open(built.path) as index:
        assert np.all(np.diff(index.positions.astype(np.int64)) > 0)
        assert np.array_equal(corpus[index.positions], index.tokens)
        spans = index.spans
        assert spans.dtype.names == ("start", "first_hero", "length", "document", "score")
        assert int(spans["length"].sum()) == index.tokens.size
        for s in spans:
            doc = index.documents[int(s["document"])]
            assert doc.start <= s["start"] and s["start"] + s["length"] <= doc.start + doc.length
            assert index.positions[s["first_hero"]] == s["start"]


@pytest.mark.parametrize("name", ["essays", "stdin"])
def test_hero_answers_of_query_are_the_heroes(binary, indexes, name):
    """Answers from the heroes alone (`--index-only`) are runs of hero tokens: the package's
    tokens at those positions, its document table and its decoded text say the same."""
    answered = 0
    with proteus_index.open(indexes[name].path) as index:
        for question in QUESTIONS:
            answers = index.query(question, top=5, index_only=True)
            assert answers.mode == "heroes"
            answered += len(answers)
            for a in answers:
                assert a.source == "heroes"
                held = (index.positions >= a.start) & (index.positions < a.end)
                assert int(held.sum()) == a.end - a.start
                assert np.array_equal(index.tokens[held], a.token_ids)
                doc = index.documents[a.document_id]
                assert (doc.name, a.document_offset) == (a.document, a.start - doc.start)
                assert a.text == index.decode(a.token_ids)
    assert answered > 0


@pytest.mark.parametrize("name", ["essays", "stdin"])
def test_routed_answers_read_the_corpus_at_their_positions(indexes, name):
    """With the corpus at hand the question is routed ("teleport"); each answer's tokens are
    the corpus tokens at its positions, whether or not they are heroes."""
    built = indexes[name]
    corpus = np.fromfile(built.corpus_u32, dtype="<u4")
    with proteus_index.open(built.path) as index:
        corpus_arg = None if name == "essays" else str(built.corpus_u32)  # stdin: no recorded path
        answers = index.query(QUESTIONS[0], top=3, corpus=corpus_arg)
        assert answers.mode == "teleport", answers.warnings
        for a in answers:
            assert np.array_equal(corpus[a.start:a.end], a.token_ids)
            assert a.text == index.decode(a.token_ids)
            assert index.documents[a.document_id].name == a.document


def test_decode_equals_the_cli_and_handles_special_tokens(binary, indexes):
    built = indexes["essays"]
    with proteus_index.open(built.path) as index:
        corpus = np.fromfile(built.corpus_u32, dtype="<u4")
        cli_text = run_cli(binary, "decode", str(built.corpus_u32), "--range", "1000:1400",
                           "--tokenizer", str(TOKENIZER)).stdout.decode("utf-8", errors="replace")
        assert index.decode(corpus[1000:1400]) == cli_text
        assert index.decode([100257, 9906, 100276]) == "<|endoftext|>Hello<|endofprompt|>"
        assert index.decode([]) == ""
        with pytest.raises(proteus_index.ProteusIndexError) as caught:
            index.decode([9906, 100270])
        assert str(caught.value) == "proteus-index: token 100270 at position 1 is not in the vocabulary of cl100k_base"


def test_an_index_with_the_older_compressed_ranks_decodes_and_answers_alike(binary, indexes, tmp_path):
    """Indexes built before the mapped rank table carry it as one zstd frame: the package and
    the tool read it, with the same text and answers."""
    built = indexes["essays"]
    older = tmp_path / "older.phb"
    with_older_ranks(built.path, older)
    ids = np.fromfile(built.corpus_u32, dtype="<u4")[1000:1400]
    with proteus_index.open(built.path) as index, proteus_index.open(older) as old:
        assert old.decode(ids) == index.decode(ids)
    question = "what did the painters learn"
    answers = [json.loads(run_cli(binary, "query", str(path), "--index-only", "--json", question).stdout)["results"]
               for path in (built.path, older)]
    assert answers[0] == answers[1] and answers[0]


def test_an_older_appendable_index_grows_by_a_part_built_today(binary, indexes, tmp_path):
    """An appendable index built before the mapped ranks grows by a part built today: the
    tokenizer is compared by its identity, not by its ranks' bytes, and the merge writes
    today's form, so the grown index is a rebuild's bytes."""
    ids = np.fromfile(indexes["essays"].corpus_u32, dtype="<u4")
    folder = tmp_path / "corpus"
    folder.mkdir()
    ids[: ids.size // 2].tofile(folder / "a.u32")
    tok, dna = str(TOKENIZER), str(tmp_path / "c.dna")
    # The DNA of the first half: raw ids record no tokenizer, and the one given makes the
    # DNA's vocabulary (it ended at the half's highest id, and the second half's rarer ids
    # were refused when the part was written).
    run_cli(binary, "learn", str(folder), "-o", dna, "--tokenizer", tok, "--quiet")
    assert int(ids[: ids.size // 2].max()) < int(ids.max())
    today, older = tmp_path / "today.phb", tmp_path / "older.phb"
    run_cli(binary, "build", str(folder), "-o", str(today), "--tokenizer", tok, "--dna", dna, "--appendable", "--quiet")
    with_older_ranks(today, older)
    ids[ids.size // 2:].tofile(folder / "b.u32")
    part, grown = tmp_path / "part.phb", tmp_path / "grown.phb"
    run_cli(binary, "build", str(folder), "-o", str(part), "--tokenizer", tok, "--dna", dna, "--after", str(older), "--quiet")
    run_cli(binary, "merge", str(older), str(part), "-o", str(grown))
    rebuilt = tmp_path / "rebuilt.phb"
    run_cli(binary, "build", str(folder), "-o", str(rebuilt), "--tokenizer", tok, "--dna", dna, "--appendable", "--quiet")
    assert grown.read_bytes() == rebuilt.read_bytes()
    question = "what did the painters learn"
    answer = json.loads(run_cli(binary, "query", str(grown), "--index-only", "--json", question).stdout)["results"]
    with proteus_index.open(grown) as index, proteus_index.open(today) as mapped:
        assert answer and index.decode(ids[:400]) == mapped.decode(ids[:400]) != ""


def test_shards_with_either_form_of_ranks_merge_alike(binary, indexes, tmp_path):
    """A shard whose ranks are in the older form (another binary's) merges with one of today's
    into the bytes of today's shards merged; a shard that embeds no ranks is refused."""
    corpus, tok, dna = str(indexes["essays"].corpus_u32), str(TOKENIZER), str(tmp_path / "c.dna")
    run_cli(binary, "learn", corpus, "-o", dna, "--tokenizer", tok, "--quiet")
    parts = [tmp_path / f"part-{i}.phb" for i in (1, 2)]
    for i, part in enumerate(parts, 1):
        run_cli(binary, "build", corpus, "--shard", f"{i}/2", "--dna", dna, "--tokenizer", tok, "-o", str(part), "--quiet")
    older, bare = tmp_path / "older-1.phb", tmp_path / "bare-1.phb"
    with_older_ranks(parts[0], older)
    today, mixed = tmp_path / "today.phb", tmp_path / "mixed.phb"
    run_cli(binary, "merge", *map(str, parts), "-o", str(today))
    run_cli(binary, "merge", str(older), str(parts[1]), "-o", str(mixed))
    assert mixed.read_bytes() == today.read_bytes()
    run_cli(binary, "build", corpus, "--shard", "1/2", "--dna", dna, "--tokenizer", tok, "--no-embed-tokenizer", "-o", str(bare), "--quiet")
    refused = run_cli(binary, "merge", str(bare), str(parts[1]), "-o", str(tmp_path / "no.phb"), check=False)
    assert refused.returncode == 65 and not (tmp_path / "no.phb").exists()
    assert refused.stderr.decode() == f"proteus-index: {parts[1]}: tokenizer differs from {bare}: not a shard of the same build\n"


def test_an_index_without_a_tokenizer_cannot_decode(indexes):
    with proteus_index.open(indexes["bare"].path) as index:
        assert index.tokenizer is None and index.tokens.size > 0
        with pytest.raises(proteus_index.ProteusIndexError, match="embeds no tokenizer"):
            index.decode(index.tokens[:4])
        assert not index.closed  # a usage problem, not a corrupt index


def test_documents_table(indexes):
    with proteus_index.open(indexes["essays"].path) as index:
        docs = index.documents
        assert docs[0].name.endswith("addiction.txt") and docs[-1].name.endswith(docs.names[-1])
        assert int(docs.lengths.sum()) == index.statistics["tokens"]
        assert docs.containing(0) == 0 and docs.containing(docs[5].start) == 5
        assert docs.containing(index.statistics["tokens"]) is None
    with proteus_index.open(indexes["stdin"].path) as index:
        assert list(index.documents) == [proteus_index.Document("-", 0, index.statistics["tokens"])]


def test_verify_passes_on_good_indexes(binary, indexes):
    for built in indexes.values():
        run_cli(binary, "inspect", str(built.path), "--verify")
        with proteus_index.open(built.path) as index:
            index.verify()
            assert not index.closed


def test_a_version_1_index_is_refused_as_the_cli_refuses_it(binary, indexes, tmp_path):
    """Version 2 stores the DNA and the tokenizer differently: a version 1 index is rebuilt,
    not read, and the package says so in the tool's words."""
    old = tmp_path / "v1.phb"
    downgrade_to_version1(indexes["essays"].path, old)
    done = run_cli(binary, "inspect", str(old), check=False)
    assert done.returncode == 65
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        proteus_index.open(old)
    assert str(caught.value) == done.stderr.decode().strip()
    assert "index format version 1 is too old (oldest readable is 2); rebuild it" in str(caught.value)


def test_a_newer_writer_readable_by_version_2_is_read(binary, indexes, tmp_path):
    newer = tmp_path / "v7.phb"
    set_versions(indexes["stdin"].path, newer, format_version=7, oldest_reader=2)
    with proteus_index.open(newer) as index:
        assert index.format_version == 7
        assert_describes_as_inspect(index, inspect_json(binary, newer))


def test_window_lists_hold_every_window_of_an_id_and_its_reach(indexes):
    """`window_list` decodes the routing tier as the Swift reader does: each listed id's
    windows are those holding it, counting the tokens past each edge that the index records
    (128 since it is recorded)."""
    built = indexes["essays"]
    tokens = np.fromfile(built.corpus_u32, dtype="<u4")
    with proteus_index.open(built.path) as index:
        shape = index.metadata.routing
        width, reach = shape["window_tokens"], shape["window_reach"]
        assert reach == index.metadata.window_reach == 128
        listed = unlisted = 0
        for token_id in np.unique(tokens)[::37]:
            found = index.window_list(int(token_id))
            at = np.flatnonzero(tokens == token_id)
            inside = set((at // width).tolist())
            near = inside | set(((at + reach) // width).tolist()) | set((np.maximum(at - reach, 0) // width).tolist())
            if found is None:  # in more windows than the list limit: no list
                unlisted += 1
                assert len(near) > shape["list_limit"]
                continue
            listed += 1
            assert inside <= set(found.tolist()) <= near
            assert np.all(np.diff(found) > 0)
        assert listed > 100 and unlisted > 0
        assert index.window_list(int(tokens.max()) + 1).size == 0  # an id the corpus never holds


def test_an_index_from_before_the_window_reach_was_recorded_reads_64(binary, indexes, tmp_path):
    """META ends before the reach in an index built before it was recorded: both readers take
    the 64 tokens those builds' window lists held."""
    old = tmp_path / "old.phb"
    write(old, meta_ending(indexes["essays"].path, b""), 2, 2)
    with proteus_index.open(old) as index:
        assert index.metadata.window_reach == 64 and index.metadata.routing["window_reach"] == 64
        assert_describes_as_inspect(index, inspect_json(binary, old))


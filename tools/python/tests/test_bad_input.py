"""Bad input: each refusal is a `ProteusIndexError` whose message is the line the command-line
tool prints for the same file (compared with a real run of it), and no mapping of the file
is left in the process."""
from __future__ import annotations

import gc
import os
import shutil
import struct

import numpy as np
import pytest

import proteus_index
from phb_files import flip_byte, meta_ending, sections_of, set_versions, write
from support import mapped, run_cli


def cli_line(binary: str, *arguments: str) -> tuple[int, str]:
    """The exit status and the one line the tool prints on standard error."""
    done = run_cli(binary, *arguments, check=False)
    lines = done.stderr.decode().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    return done.returncode, lines[0]


def refused_on_open(binary: str, path) -> proteus_index.ProteusIndexError:
    """Opens `path` expecting a refusal equal to the tool's own (`query` opens the index first)."""
    status, line = cli_line(binary, "query", "--index-only", str(path), "question")
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        proteus_index.open(path)
    assert str(caught.value) == line
    assert caught.value.exit_status == status
    assert not mapped(path)
    return caught.value


def test_not_an_index(binary, indexes, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello, world\n")
    tok = indexes["essays"].path.parent / "essays.tok"
    empty = tmp_path / "empty.phb"
    empty.write_bytes(b"")
    for path in (text, tok, empty, tmp_path / "missing.phb", tmp_path):
        refused_on_open(binary, path)
    assert "it looks like a .tok token file" in str(refused_on_open(binary, tok))


def test_an_impossible_window_reach(binary, indexes, tmp_path):
    bad = tmp_path / "reach.phb"
    write(bad, meta_ending(indexes["essays"].path, struct.pack("<q", -1)), 2, 2)
    assert refused_on_open(binary, bad).message.endswith("routing window reach of -1 tokens is impossible")


def test_a_newer_format_version(binary, indexes, tmp_path):
    newer = tmp_path / "v3.phb"
    set_versions(indexes["stdin"].path, newer, format_version=3, oldest_reader=3)
    error = refused_on_open(binary, newer)
    assert error.message == "index format version 3 is newer than this proteus-index (reads 2); upgrade proteus-index"


@pytest.mark.parametrize("keep", [30, 64 + 40, 4096, -1])
def test_a_truncated_file(binary, indexes, tmp_path, keep):
    data = indexes["essays"].path.read_bytes()
    cut = tmp_path / "cut.phb"
    cut.write_bytes(data[:keep])
    assert "truncated" in refused_on_open(binary, cut).message


def test_a_corrupt_header_or_metadata(binary, indexes, tmp_path):
    source = indexes["stdin"].path
    data = bytearray(source.read_bytes())
    data[20] ^= 1  # the reserved flags, covered by the header checksum
    broken = tmp_path / "header.phb"
    broken.write_bytes(bytes(data))
    assert refused_on_open(binary, broken).message == "header at byte 0: checksum mismatch"
    meta = tmp_path / "meta.phb"
    offset = flip_byte(source, meta, "META", at=5)
    assert refused_on_open(binary, meta).message == f"section 'META' at byte {offset}: checksum mismatch"


@pytest.mark.parametrize("kind", ["HTOK", "HSCO", "TOKR", "DSUR"])
def test_a_corrupt_large_section_is_caught_by_verify(binary, indexes, tmp_path, kind):
    """Large arrays are not read on open (as in Swift); verify() finds them, as inspect --verify."""
    broken = tmp_path / f"{kind}.phb"
    flip_byte(indexes["essays"].path, broken, kind, at=7)
    status, line = cli_line(binary, "inspect", str(broken), "--verify")
    index = proteus_index.open(broken)
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        index.verify()
    assert str(caught.value) == line and caught.value.exit_status == status
    assert index.closed and not mapped(broken)
    with pytest.raises(proteus_index.ProteusIndexError) as again:  # later use repeats why
        index.tokens
    assert str(again.value) == line


@pytest.mark.parametrize("kind, use", [("SPAN", "spans"), ("SPAN", "positions"), ("DNMS", "documents"),
                                       ("DSTA", "spans")])
def test_a_corrupt_small_section_is_caught_on_first_use(binary, indexes, tmp_path, kind, use):
    """Spans and the document table are checked when first used, as a query uses them."""
    broken = tmp_path / f"{kind}.phb"
    flip_byte(indexes["essays"].path, broken, kind, at=3)
    status, line = cli_line(binary, "query", "--index-only", str(broken), "question")
    index = proteus_index.open(broken)
    tokens = index.tokens  # the unverified large array is usable before the corrupt section is touched
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        getattr(index, use)
    assert str(caught.value) == line and caught.value.exit_status == status
    assert index.closed
    assert mapped(broken)  # `tokens` still uses the mapping ...
    del tokens
    gc.collect()
    assert not mapped(broken)  # ... until it is gone


def test_a_damaged_rank_table_is_refused_with_the_cli_line(binary, indexes, tmp_path):
    """The embedded ranks' offsets are checked before any is used, by the package as by a query."""
    broken = tmp_path / "tokr.phb"
    flip_byte(indexes["essays"].path, broken, "TOKR", at=8)  # the first offset: 0 becomes 255
    status, line = cli_line(binary, "query", "--index-only", str(broken), "question")
    assert line.endswith("mapped rank table offsets start at 255, not 0")
    with proteus_index.open(broken) as index:
        with pytest.raises(proteus_index.ProteusIndexError) as caught:
            index.decode([9906])
        assert str(caught.value) == line and caught.value.exit_status == status


def test_close_releases_the_mapping(indexes):
    path = indexes["stdin"].path
    with proteus_index.open(path) as index:
        assert mapped(path)
        tokens = index.tokens.copy()
    assert index.closed and not mapped(path)
    with pytest.raises(ValueError, match="closed"):
        index.tokens
    assert tokens.size > 0


def test_binary_not_found(indexes, monkeypatch, tmp_path):
    monkeypatch.setenv("PROTEUS_INDEX_BIN", str(tmp_path / "nowhere" / "proteus-index"))
    with proteus_index.open(indexes["stdin"].path) as index:
        with pytest.raises(proteus_index.ProteusIndexError) as caught:
            index.query("question")
        assert str(caught.value).startswith("proteus-index: PROTEUS_INDEX_BIN is ")
        assert caught.value.exit_status is None
    monkeypatch.delenv("PROTEUS_INDEX_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(proteus_index.ProteusIndexError, match="not on PATH"):
        proteus_index.query(indexes["stdin"].path, "question")
    assert not mapped(indexes["stdin"].path)


def test_the_cli_found_on_path(binary, indexes, monkeypatch, tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    os.symlink(binary, folder / "proteus-index")
    monkeypatch.delenv("PROTEUS_INDEX_BIN")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    assert proteus_index.find_binary() == shutil.which("proteus-index") == str(folder / "proteus-index")
    with proteus_index.open(indexes["stdin"].path) as index:  # words the heroes hold, whichever they are
        question = index.decode(index.tokens[index.spans[0]["length"] // 2:][:6])
    assert proteus_index.query(indexes["stdin"].path, question, top=1, index_only=True)


@pytest.mark.parametrize("arguments, kwargs", [
    (["   "], {}),                                           # an empty question: exit 64
    (["question"], {"top": 0}),                              # the argument parser's refusal: exit 64
    (["question"], {"corpus": "fixtures-that-do-not-exist.u32"}),  # a missing corpus: exit 66
])
def test_a_cli_error_is_its_line(binary, indexes, arguments, kwargs):
    path = str(indexes["stdin"].path)
    cli_arguments = ["query", "--json", "--top", str(kwargs.get("top", 5))]
    if "corpus" in kwargs:
        cli_arguments += ["--corpus", kwargs["corpus"]]
    done = run_cli(binary, *cli_arguments, "--", path, *arguments, check=False)
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        proteus_index.query(path, arguments[0], **kwargs)
    assert caught.value.exit_status == done.returncode != 0
    assert str(caught.value) in done.stderr.decode().splitlines()
    assert not mapped(path)


def test_a_wrong_corpus_is_refused_with_the_cli_line(binary, indexes):
    built = indexes["stdin"]
    wrong = indexes["essays"].corpus_u32
    status, line = cli_line(binary, "query", str(built.path), "question", "--corpus", str(wrong))
    with proteus_index.open(built.path) as index:
        with pytest.raises(proteus_index.ProteusIndexError) as caught:
            index.query("question", corpus=wrong)
    assert (str(caught.value), caught.value.exit_status) == (line, status) and status == 65


def test_a_corrupt_window_list_behind_correct_checksums_is_caught_by_verify(binary, indexes, tmp_path):
    """verify() decodes every routing list, as inspect --verify does, and words a bad one alike."""
    source = indexes["essays"].path
    with proteus_index.open(source) as index:
        directory = index._routing_directory()
        k = int(np.flatnonzero(directory.counts <= directory.list_limit)[0])
        start, end = int(directory.offsets[k]), int(directory.offsets[k + 1])
    header, sections = sections_of(source)
    edited = [(code, element, count, data[:start] + b"\xff" * (end - start) + data[end:] if code == b"RPST" else data)
              for code, element, count, data in sections]
    broken = tmp_path / "rpst.phb"
    write(broken, edited, header["format_version"], header["oldest_reader"])
    status, line = cli_line(binary, "inspect", str(broken), "--verify")
    assert status == 65 and "the window list of token id" in line
    index = proteus_index.open(broken)
    with pytest.raises(proteus_index.ProteusIndexError) as caught:
        index.verify()
    assert str(caught.value) == line and caught.value.exit_status == status

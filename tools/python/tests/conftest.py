"""Shared set-up of the package tests: the source tree on sys.path, the proteus-index binary,
the indexes the tests read (built once per session with the real command), and a report of
the exactness figures at the end of the run.

Missing prerequisites (the binary, torch, transformers) skip the tests that need them, with
the reason in pytest's summary; under tools/test.sh (PROTEUS_PYTHON_STRICT=1, what CI runs)
they fail instead, so CI can never pass without running the proof.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The package is tested from the source tree, whether or not it is also pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from support import ESSAYS, EXACTNESS_REPORT, TOKENIZER, BuiltIndex, find_test_binary, run_cli, unavailable  # noqa: E402


@pytest.fixture(scope="session")
def binary() -> str:
    found = find_test_binary()
    if found is None:
        unavailable("no proteus-index binary (run `swift build -c release` or set PROTEUS_INDEX_BIN)")
    # The package's wrappers find the binary the documented way.
    os.environ["PROTEUS_INDEX_BIN"] = found
    return found


@pytest.fixture(scope="session")
def indexes(binary: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltIndex]:
    """Three indexes built with the real command, once per session:

    - ``essays``: the 49 bundled essays encoded as a directory (49 documents);
    - ``stdin``: one essay's tokens as raw u32 through standard input, with a small buffer,
      short chunks and short spans (one document named "-");
    - ``bare``: the same tokens from a raw u32 file, built without a tokenizer (nothing
      embedded to decode with).

    (The tokenizer is loaded by as few runs as possible: the suite runs with the debug binary.)
    """
    work = tmp_path_factory.mktemp("indexes")
    tok = str(TOKENIZER)
    run_cli(binary, "encode", str(ESSAYS), "-o", str(work / "essays.tok"), "--tokenizer", tok, "--quiet")
    run_cli(binary, "convert", str(work / "essays.tok"), "-o", str(work / "essays.u32"), "--quiet")
    run_cli(binary, "build", str(work / "essays.tok"), "-o", str(work / "essays.phb"), "--tokenizer", tok,
            "--buffer", "2048", "--quiet")
    # founders.txt's tokens, cut from the essays by the document table of the index.
    import proteus_index
    with proteus_index.open(work / "essays.phb") as index:
        founders = next(d for d in index.documents if d.name.endswith("/founders.txt"))
    tokens = (work / "essays.u32").read_bytes()[4 * founders.start:4 * (founders.start + founders.length)]
    (work / "founders.u32").write_bytes(tokens)
    run_cli(binary, "build", "-", "-o", str(work / "stdin.phb"), "--tokenizer", tok, "--buffer", "96",
            "--chunk-len", "256", "--per-chunk", "32", "--span", "2", "--quiet", stdin=tokens)
    run_cli(binary, "build", str(work / "founders.u32"), "-o", str(work / "bare.phb"), "--buffer", "64",
            "--chunk-len", "512", "--per-chunk", "32", "--quiet")
    return {
        "essays": BuiltIndex("essays", work / "essays.phb", work / "essays.u32", 49, True),
        "stdin": BuiltIndex("stdin", work / "stdin.phb", work / "founders.u32", 1, True),
        "bare": BuiltIndex("bare", work / "bare.phb", work / "founders.u32", 1, False),
    }


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if EXACTNESS_REPORT:
        terminalreporter.section("RoPE teleportation: question-token logits, max |pack - masked full run|")
        for line in EXACTNESS_REPORT:
            terminalreporter.write_line(line)

"""Helpers the package tests share: where the repository and fixtures are, how to run the
command-line tool, how to tell whether a file is still mapped, and how a missing
prerequisite is reported (skipped, or failed under tools/test.sh)."""
from __future__ import annotations

import importlib
import os
import subprocess
from types import ModuleType
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

TOKENIZER = REPO / "fixtures" / "tokenizers" / "cl100k_base.tiktoken"
ESSAYS = REPO / "fixtures" / "essays"
STRICT = os.environ.get("PROTEUS_PYTHON_STRICT") == "1"


def unavailable(reason: str) -> None:
    """Skips the calling test (reported by pytest), or fails it under tools/test.sh."""
    if STRICT:
        pytest.fail(f"{reason} (tools/test.sh requires it: tools/install-deps.sh installs it)", pytrace=False)
    pytest.skip(reason)


def require(module: str) -> ModuleType:
    """Imports `module`, or reports it unavailable (skipped, or failed under tools/test.sh)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        unavailable(f"{module} is not installed ({e})")
        raise  # unreachable: unavailable() always raises


def find_test_binary() -> str | None:
    """$PROTEUS_INDEX_BIN, else the newer of this checkout's release and debug builds."""
    named = os.environ.get("PROTEUS_INDEX_BIN")
    if named:
        return named if os.access(named, os.X_OK) else None
    built = [p for p in (REPO / ".build" / "release" / "proteus-index", REPO / ".build" / "debug" / "proteus-index")
             if os.access(p, os.X_OK)]
    return str(max(built, key=lambda p: p.stat().st_mtime)) if built else None


def run_cli(binary: str, *arguments: str, stdin: bytes | None = None, cwd: Path | None = None,
            check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Runs the command-line tool; `check` fails the test with its stderr on a failure."""
    done = subprocess.run([binary, *arguments], input=stdin, capture_output=True, cwd=cwd, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"proteus-index {' '.join(arguments)} failed ({done.returncode}): {done.stderr.decode()}")
    return done


@dataclass
class BuiltIndex:
    """An index the tests read, with what it was built from."""

    name: str
    path: Path
    #: The corpus as raw u32 tokens (for positions checks), or None.
    corpus_u32: Path | None
    #: Documents in the corpus.
    documents: int
    #: Whether the index embeds a tokenizer.
    embeds_tokenizer: bool


def mapped(path: Path | str) -> bool:
    """Whether this process maps `path` (a line of /proc/self/maps names it)."""
    target = os.path.realpath(path)
    with open("/proc/self/maps") as maps:
        return any(line.rstrip("\n").endswith(" " + target) for line in maps)


# Exactness figures reported at the end of the run (test_exactness.py appends to it).
EXACTNESS_REPORT: list[str] = []

"""The `proteus-index` CLI as the harness sees it: locate (and if asked, build) the release
binary, detect which subcommands/flags it has, and run build/query/scan with timing and
peak memory. Nothing here fakes a result: a missing feature raises `MissingFeature`."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class MissingFeature(RuntimeError):
    """The binary is missing or too old for the requested run (the runner exits with 3)."""


@dataclass
class Capabilities:
    build: bool = False
    query: bool = False
    keep_positions: bool = False
    signals: bool = False
    questions_file: bool = False
    scan: bool = False
    heroes: bool = False
    corpus: bool = False       # query --corpus CORPUS (routed answers, "teleport")
    index_only: bool = False   # query --index-only (answers from the heroes alone)
    notes: list[str] = field(default_factory=list)


def _help(binary: str, sub: str) -> str | None:
    """The subcommand's help (hidden options included when the parser supports --help-hidden), or
    None when the binary has no such subcommand: argument-parser prints the root help, exit 0, for
    an unknown one, so the usage line must name the subcommand."""
    for flag in ("--help-hidden", "--help"):
        try:
            p = subprocess.run([binary, sub, flag], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        text = p.stdout + p.stderr
        if p.returncode == 0 and re.search(rf"usage: \S*proteus-index {sub}\b", text, re.IGNORECASE):
            return text
    return None


def _accepts(binary: str, sub: str, option: str, value: str) -> bool:
    """Whether `sub` parses `option` (hidden options do not show in --help): a run on a missing
    input must fail, but not with argument-parser's "Unknown option"."""
    try:
        p = subprocess.run([binary, sub, "/nonexistent/proteus-eval-probe.u32", "-o", "/nonexistent/probe.phb",
                            option, value], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return f"Unknown option '{option}'" not in p.stderr


def capabilities(binary: str) -> Capabilities:
    c = Capabilities()
    b, q = _help(binary, "build"), _help(binary, "query")
    c.build, c.query = b is not None, q is not None
    c.keep_positions = bool(b) and ("--keep-positions" in b or _accepts(binary, "build", "--keep-positions", "/nonexistent.u64"))
    c.signals = bool(b) and ("--signals" in b or _accepts(binary, "build", "--signals", "surprisal"))
    c.questions_file = bool(q and "--questions" in q)
    c.corpus = bool(q and "--corpus" in q)
    c.index_only = bool(q and "--index-only" in q)
    c.scan = _help(binary, "scan") is not None
    c.heroes = _help(binary, "heroes") is not None
    return c


def locate(binary: str | None, build_if_missing: bool, repo: Path = REPO) -> str:
    """The binary to use: `--binary`, else repo/.build/release/proteus-index (built with
    `swift build -c release` first when asked)."""
    if binary:
        if not os.access(binary, os.X_OK):
            raise MissingFeature(f"{binary}: no such executable")
        return str(Path(binary).resolve())
    path = repo / ".build" / "release" / "proteus-index"
    if build_if_missing:
        if shutil.which("swift") is None:
            raise MissingFeature("swift is not installed: cannot build the release binary")
        p = subprocess.run(["swift", "build", "-c", "release", "--product", "proteus-index"], cwd=repo,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise MissingFeature(f"swift build -c release failed:\n{p.stderr[-2000:]}")
    if not os.access(path, os.X_OK):
        raise MissingFeature(f"{path}: no such executable (run `swift build -c release`)")
    return str(path)


def require(c: Capabilities, binary: str, need_keep_positions: bool, need_signals: bool) -> None:
    missing = [name for name, ok in (("`build` subcommand", c.build), ("`query` subcommand", c.query),
                                    ("`build --keep-positions`", c.keep_positions or not need_keep_positions),
                                    ("`build --signals`", c.signals or not need_signals)) if not ok]
    if missing:
        raise MissingFeature(f"{binary} lacks {', '.join(missing)}: the product is not merged yet "
                             f"(or this binary is older than the evaluation contract)")


@dataclass
class Run:
    stdout: str
    seconds: float
    peak_rss_bytes: int | None


def run(cmd: list[str], timeout: float | None = None) -> Run:
    full = [TIME, "-v", *cmd] if TIME else cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {p.returncode}:\n{p.stderr[-3000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return Run(p.stdout, seconds, int(m.group(1)) * 1024 if m else None)


def json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def build(binary: str, source: str, out: str, *, tokenizer: str, buffer: int, chunk_len: int,
          per_chunk: int, span: int, threads: int, signals: str | None = None,
          keep_positions: str | None = None) -> dict:
    """Runs `proteus-index build ... --json`; returns its JSON plus wall time and peak RSS."""
    cmd = [binary, "build", source, "-o", out, "--tokenizer", tokenizer, "--buffer", str(buffer),
           "--chunk-len", str(chunk_len), "--per-chunk", str(per_chunk), "--span", str(span),
           "--threads", str(threads), "--quiet", "--json"]
    if signals is not None:
        cmd += ["--signals", signals]
    if keep_positions is not None:
        cmd += ["--keep-positions", keep_positions]
    r = run(cmd, timeout=4 * 3600)
    objs = json_lines(r.stdout)
    if not objs:
        raise RuntimeError(f"{' '.join(cmd)} printed no JSON object:\n{r.stdout[-1000:]}")
    info = dict(objs[-1])
    info["wall_seconds"] = r.seconds
    if info.get("peak_rss_bytes") is None:
        info["peak_rss_bytes"] = r.peak_rss_bytes
    if info.get("index_bytes") is None and os.path.exists(out):
        info["index_bytes"] = os.path.getsize(out)
    return info


def query(binary: str, index: str, questions: list[str], questions_path: str, top: int,
          use_file: bool, extra: tuple[str, ...] = ()) -> tuple[list[dict], float]:
    """One JSON answer per question, in order, and the wall seconds of the whole call. `extra`
    options (e.g. `--corpus FILE`, `--index-only`) go after the others."""
    if use_file:
        Path(questions_path).write_text("".join(q + "\n" for q in questions))
        r = run([binary, "query", index, "--questions", questions_path, "--top", str(top), "--json", *extra],
                timeout=1800)
        answers, seconds = json_lines(r.stdout), r.seconds
    else:
        answers, seconds = [], 0.0
        for q in questions:
            r = run([binary, "query", index, q, "--top", str(top), "--json", *extra], timeout=1800)
            answers += json_lines(r.stdout)
            seconds += r.seconds
    if len(answers) != len(questions):
        raise RuntimeError(f"query printed {len(answers)} answers for {len(questions)} questions")
    return answers, seconds


def scan(binary: str, source: str, *extra: str) -> dict:
    """`proteus-index scan SOURCE --json` (its own seconds, tokens and sum) plus wall time."""
    r = run([binary, "scan", source, *extra, "--json"], timeout=3600)
    objs = json_lines(r.stdout)
    info = dict(objs[-1]) if objs else {}
    info["wall_seconds"] = r.seconds
    return info

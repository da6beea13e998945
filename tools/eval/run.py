#!/usr/bin/env python3
"""End-to-end evaluation of proteus-index against same-budget baselines and BM25.

  python3 tools/eval/run.py --lengths 1M,10M,100M --tasks niah,multikey --out tools/eval/RESULTS.md
  python3 tools/eval/run.py --quick --binary /path/to/proteus-index

Exit status 3 means the binary is missing or lacks a feature of the contract (nothing run)."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import baselines  # noqa: E402
import binary as cli  # noqa: E402
import bm25  # noqa: E402
import generate  # noqa: E402
import needles  # noqa: E402
import perf  # noqa: E402
import report  # noqa: E402
import score  # noqa: E402

HERE = Path(__file__).resolve().parent
# Our method and its ablations: name → (signals, span override).
OURS = {
    "proteus": (None, None),
    "ablation: surprisal only": ("surprisal", None),
    "ablation: no burstiness": ("surprisal,gates,spans", None),
    "ablation: no gates": ("surprisal,burstiness,spans", None),
    "ablation: span 0": (None, 0),
}
KEEP = ("random", "stride", "streamingllm", "cpu-fallback", "random-windows", "stride-windows", "cpu-fallback-windows")
ALL_METHODS = (*OURS, *KEEP, "bm25")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lengths", default="1M,10M,100M", help="comma list, e.g. 1M,10M,100M,1B")
    p.add_argument("--depths", default="0,0.25,0.5,0.75,1", help="needle depths in [0,1] (or percents)")
    p.add_argument("--largest-depths", default="0,0.5,1", help="depths for the largest length when it is >= 1B")
    p.add_argument("--tasks", default=",".join(needles.TASKS))
    p.add_argument("--methods", default=",".join(ALL_METHODS), help="comma list of: " + ", ".join(ALL_METHODS))
    p.add_argument("--haystack", choices=("essay", "noise"), default="essay")
    p.add_argument("--seed", type=int, default=20240520)
    p.add_argument("--quick", action="store_true", help="1M tokens, depths 0,0.5,1, all tasks")
    p.add_argument("--binary", help="proteus-index to evaluate (default: .build/release, built if needed)")
    p.add_argument("--no-build", action="store_true", help="never run swift build")
    p.add_argument("--scratch", default=os.environ.get("PROTEUS_EVAL_DIR", tempfile.gettempdir()))
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    p.add_argument("--heatmap", default=None, help="PNG path (default: heatmap.png beside --out)")
    p.add_argument("--heatmap-baseline", default="cpu-fallback")
    p.add_argument("--tokenizer", default=str(generate.DEFAULT_RANKS))
    p.add_argument("--buffer", type=int, default=32768)
    p.add_argument("--chunk-len", type=int, default=65536)
    p.add_argument("--per-chunk", type=int, default=4096)
    p.add_argument("--span", type=int, default=8)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--retention-top", type=int, default=100000, help="--top used to list every span")
    p.add_argument("--no-perf", action="store_true", help="skip the machine-limit measurements (scan/cat/zstd/lz4)")
    p.add_argument("--bm25-max-tokens", default="10M", help="skip BM25 above this length (~1 s per million tokens per case)")
    a = p.parse_args(argv)
    if a.quick:
        a.lengths, a.depths = "1M", "0,0.5,1"
    a.length_list = [generate.parse_length(x) for x in a.lengths.split(",") if x]
    a.depth_list = _depths(a.depths)
    a.largest_depth_list = _depths(a.largest_depths)
    a.task_list = [t for t in a.tasks.split(",") if t]
    a.method_list = [m for m in a.methods.split(",") if m]
    for t in a.task_list:
        if t not in needles.TASKS:
            p.error(f"unknown task {t!r}")
    for m in a.method_list:
        if m not in ALL_METHODS:
            p.error(f"unknown method {m!r}")
    if any(m in KEEP for m in a.method_list) and "proteus" in a.method_list:
        # the baselines' budget is our hero count: run ours first
        a.method_list.remove("proteus")
        a.method_list.insert(0, "proteus")
    a.heatmap = a.heatmap or str(Path(a.out).with_name("heatmap.png"))
    return a


def _depths(text: str) -> list[float]:
    vals = [float(x) for x in text.split(",") if x]
    return [v / 100 if max(vals) > 1 else v for v in vals]


def drop_unsupported(a, caps: cli.Capabilities, binary: str | None) -> dict[str, str]:
    """Methods this binary cannot run are left out (and listed in the report), not failed."""
    skipped = {}
    for m in list(a.method_list):
        if m in KEEP and not caps.keep_positions:
            skipped[m] = f"{binary} lacks `build --keep-positions`"
        elif m in OURS and OURS[m][0] is not None and not caps.signals:
            skipped[m] = f"{binary} lacks `build --signals`"
        else:
            continue
        a.method_list.remove(m)
        print(f"run.py: not running {m}: {skipped[m]}", file=sys.stderr)
    return skipped


def git_commit(where: Path = HERE) -> str:
    """HEAD of the repository holding `where`, with "+dirty" when it has uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Evaluator:
    def __init__(self, a, binary: str, caps: cli.Capabilities, work: Path):
        self.a, self.binary, self.caps, self.work = a, binary, caps, work
        self.enc = generate.load_encoding(a.tokenizer)
        self.table = needles.BoundaryTable(self.enc)
        self.rows: list[dict] = []
        self.perf: list[dict] = []

    def build_opts(self) -> dict:
        a = self.a
        return dict(tokenizer=a.tokenizer, buffer=a.buffer, chunk_len=a.chunk_len, per_chunk=a.per_chunk,
                    span=a.span, threads=a.threads)

    def evaluate_index(self, index: str, case: needles.Case) -> dict:
        """Ranking from `query --top 5`, retention from every span (`--top` very large)."""
        qpath = str(self.work / "question.txt")
        top5, qsec = cli.query(self.binary, index, [case.spec.question], qpath, 5, self.caps.questions_file)
        full, _ = cli.query(self.binary, index, [case.spec.question], qpath, self.a.retention_top,
                            self.caps.questions_file)
        spans = np.array([[r["start"], r["end"]] for r in full[0]["results"]], dtype=np.int64).reshape(-1, 2)
        row = self.score(top5[0]["results"], spans, case) | {"query_seconds": qsec, "listed_spans": len(spans)}
        if "question_tokens" in top5[0]:  # the product's tokenizer must agree with tiktoken
            row["question_tokens_match"] = top5[0]["question_tokens"] == self.enc.encode_ordinary(case.spec.question)
        if len(spans) >= self.a.retention_top:  # more spans than listed: retention could be undercounted
            row["retention_truncated"] = True
        return row

    def score(self, results, spans, case) -> dict:
        tokens = np.memmap(self.case_path, dtype="<u4", mode="r")
        expected = [(v, [int(tokens[p]) for p in pos]) for v, pos in zip(case.spec.expected, case.expected_positions)]
        s = score.score_case(results, spans, expected, case.expected_positions, self.enc)
        return {"retention": s.retention, "top1": s.top1, "top5": s.top5, "top5_chance": s.top5_chance,
                "recall5": s.recall5}

    def run_case(self, length: int, task: str, depth: float, base: str, features_cache: dict) -> None:
        a = self.a
        seed = a.seed + int(depth * 1000) * 7 + needles.TASKS.index(task) * 100003 + length % 999983
        spec = needles.make_case(task, depth, seed)
        self.case_path = str(self.work / "case.u32")
        case = needles.write_case(base, self.case_path, spec, self.enc, self.table)
        common = {"length": length, "task": task, "depth": depth}
        index = str(self.work / "case.phb")
        budget = None
        for m in a.method_list:
            row = dict(common, method=m)
            if os.path.exists(index):
                os.remove(index)  # a failed build must never leave the previous method's index behind
            try:
                if m in OURS:
                    signals, span = OURS[m]
                    opts = self.build_opts() | ({"span": span} if span is not None else {})
                    info = cli.build(self.binary, self.case_path, index, signals=signals, **opts)
                    if m == "proteus":
                        budget = int(info.get("heroes") or a.buffer)
                elif m in KEEP:
                    pos = self.keep_positions(m, length, budget or a.buffer, seed, features_cache)
                    ppath = str(self.work / "keep.u64")
                    baselines.write_positions(ppath, pos)
                    info = cli.build(self.binary, self.case_path, index, keep_positions=ppath, **self.build_opts())
                else:
                    row |= self.run_bm25(case, length)
                    self.rows.append(row)
                    continue
                row |= {k: info.get(k) for k in ("tokens", "heroes", "spans", "index_bytes", "peak_rss_bytes")}
                row["build_seconds"] = info.get("seconds", info["wall_seconds"])
                row |= self.evaluate_index(index, case)
            except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
                lines = [x for x in str(e).strip().splitlines() if x.strip()] or [type(e).__name__]
                row["error"] = (lines[0][:160] + (" … " + lines[-1][:200] if len(lines) > 1 else ""))
                print(f"  {m}: ERROR {row['error']}", file=sys.stderr)
            self.rows.append(row)
        print(f"{generate.format_length(length)} {task} depth={depth:.2f}: " + ", ".join(
            f"{r['method']}={'R' if r.get('retention') else '-'}{'1' if r.get('top1') else '-'}"
            f"{'5' if r.get('top5') else '-'}" for r in self.rows if r.get('length') == length
            and r['task'] == task and r['depth'] == depth), flush=True)

    def keep_positions(self, method: str, n: int, budget: int, seed: int, cache: dict) -> np.ndarray:
        if method == "random":
            return baselines.random_positions(n, budget, seed)
        if method == "stride":
            return baselines.stride_positions(n, budget)
        if method == "streamingllm":
            return baselines.streamingllm_positions(n, budget)
        span = max(self.a.span, 0)
        if method == "random-windows":
            return baselines.random_windows(n, budget, span, seed)
        if method == "stride-windows":
            return baselines.stride_windows(n, budget, span)
        tokens = np.memmap(self.case_path, dtype="<u4", mode="r")
        if "features" not in cache:  # features of the haystack, computed once per length
            cache["features"] = baselines.cooccurrence_features(baselines.sample_tokens(tokens), self.enc.n_vocab)
        if method == "cpu-fallback-windows":
            return baselines.cpu_fallback_windows(tokens, budget, self.a.chunk_len, cache["features"], span)
        return baselines.cpu_fallback_positions(tokens, budget, self.a.chunk_len, cache["features"])

    def run_bm25(self, case: needles.Case, length: int) -> dict:
        if length > generate.parse_length(self.a.bm25_max_tokens):
            return {"error": f"skipped above --bm25-max-tokens {self.a.bm25_max_tokens} (python BM25 indexing costs ~1 s per million tokens per case)"}
        tokens = np.memmap(self.case_path, dtype="<u4", mode="r")
        span = max(self.a.span, 1)
        ix = bm25.BM25Index(tokens, 2 * span + 1, span + 1, self.enc.n_vocab)
        t0 = time.perf_counter()
        results = ix.search(self.enc.encode_ordinary(case.spec.question), 5, self.enc)
        qsec = time.perf_counter() - t0
        spans = np.array([[0, length]], dtype=np.int64)  # the full text is kept: retention is trivially total
        return self.score(results, spans, case) | {"tokens": length, "index_bytes": ix.nbytes,
                                                   "build_seconds": ix.build_seconds, "query_seconds": qsec}

    def run_length(self, length: int, depths: list[float]) -> None:
        base = str(self.work / f"base-{generate.format_length(length)}.u32")
        pieces = (generate.tokenize_essays(self.enc) if self.a.haystack == "essay" else generate.noise_pieces(self.enc))
        t0 = time.perf_counter()
        generate.write_haystack(base, pieces, length, self.a.seed)
        print(f"haystack {generate.format_length(length)} ({self.a.haystack}) written in {time.perf_counter() - t0:.1f}s",
              flush=True)
        if not self.a.no_perf:
            self.perf.append(perf.machine_limits(base, length, self.binary, self.caps.scan, str(self.work),
                                                 self.a.threads))
        cache: dict = {}
        for task in self.a.task_list:
            for depth in depths:
                self.run_case(length, task, depth, base, cache)
        if not self.a.keep:  # a 1B haystack and its case file are 4 GB each
            for f in (base, self.work / "case.u32", self.work / "case.phb"):
                if os.path.exists(f):
                    os.remove(f)


def haystack_unit_tokens(a) -> int:
    """Tokens of one pass over the haystack's source text (the essays, or one noise block)."""
    enc = generate.load_encoding(a.tokenizer)
    pieces = generate.tokenize_essays(enc) if a.haystack == "essay" else generate.noise_pieces(enc)
    return int(sum(len(p) for p in pieces))


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a stopped run still writes the report of the cases it finished
    binary, caps = None, cli.Capabilities()
    if any(m != "bm25" for m in a.method_list):  # BM25 alone needs no binary
        try:
            binary = cli.locate(a.binary, build_if_missing=not a.no_build and not a.binary)
            caps = cli.capabilities(binary)
            cli.require(caps, binary, need_keep_positions=False, need_signals=False)
        except cli.MissingFeature as e:
            print(f"run.py: cannot evaluate end to end: {e}", file=sys.stderr)
            return 3
    skipped = drop_unsupported(a, caps, binary)
    work = Path(tempfile.mkdtemp(prefix="proteus-eval-", dir=a.scratch))
    command = "python3 tools/eval/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    ev = Evaluator(a, binary, caps, work)
    started = time.time()
    try:
        largest = max(a.length_list)
        for length in a.length_list:
            depths = a.largest_depth_list if (length == largest and length >= 10**9) else a.depth_list
            ev.run_length(length, depths)
    finally:
        raw = Path(a.out).with_name(Path(a.out).stem + ".json")
        meta = {"command": command, "commit": git_commit(), "binary": binary, "haystack": a.haystack,
                "binary_commit": git_commit(Path(binary).parent) if binary else None, "seed": a.seed,
                "buffer": a.buffer, "chunk_len": a.chunk_len, "per_chunk": a.per_chunk, "span": a.span, "threads": a.threads, "elapsed_seconds": time.time() - started,
                "capabilities": vars(caps), "heatmap_baseline": a.heatmap_baseline,
                "skipped_methods": skipped, "haystack_unit_tokens": haystack_unit_tokens(a)}
        raw.write_text(json.dumps({"meta": meta, "rows": ev.rows, "perf": ev.perf}, indent=1))
        if ev.rows:
            report.write(a.out, a.heatmap, meta, ev.rows, ev.perf)
            print(f"wrote {a.out}, {a.heatmap} and {raw}")
        if a.keep:
            print(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

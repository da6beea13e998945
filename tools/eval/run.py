#!/usr/bin/env python3
"""End-to-end evaluation of proteus-index against same-budget baselines and BM25 (tantivy).

  python3 tools/eval/run.py --lengths 1M,10M,100M --tasks niah,multikey --out tools/eval/RESULTS.md
  python3 tools/eval/run.py --quick --binary /path/to/proteus-index
  python3 tools/eval/run.py --quick --haystack unique --methods proteus,proteus-heroes,tantivy \
      --out tools/eval/RESULTS-unique.md          # real text that never repeats (corpus.py)
  python3 tools/eval/run.py --lengths 100M,1B --haystack synthetic ...   # SYNTHETIC text (synth.py)

Haystacks: essay (the bundled essays, repeated), noise (RULER's repeated sentences), unique (the
first N tokens of the unique-text token file written by corpus.py; never repeated, an error
when it is shorter than N), synthetic (N tokens of an order-2 model fitted on that file, no
sentence twice). The lookalike task brings its own haystack (lookalike.py) whatever --haystack says.

Methods "proteus" and "proteus-heroes" share one index: "proteus" asks `query --corpus CASE`
(routed answers where the binary routes; its JSON "mode" is recorded), "proteus-heroes" asks
`query --index-only` (plain `query` when the binary has no such flag, which then never routes).

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
import corpus  # noqa: E402
import generate  # noqa: E402
import lookalike  # noqa: E402
import needles  # noqa: E402
import perf  # noqa: E402
import report  # noqa: E402
import score  # noqa: E402
import synth  # noqa: E402
import tantivy_baseline  # noqa: E402

HERE = Path(__file__).resolve().parent
# Our method and its ablations: name → (signals, span override).
OURS = {
    "proteus": (None, None),
    "proteus-heroes": (None, None),
    "ablation: surprisal only": ("surprisal", None),
    "ablation: no burstiness": ("surprisal,gates,spans,shapes", None),
    "ablation: no gates": ("surprisal,burstiness,spans,shapes", None),
    "ablation: no shapes": ("surprisal,burstiness,gates,spans", None),
    "ablation: span 0": (None, 0),
}
KEEP = ("random", "stride", "streamingllm", "cpu-fallback", "random-windows", "stride-windows", "cpu-fallback-windows")
ALL_METHODS = (*OURS, *KEEP, "tantivy")
ALIASES = {"bm25": "tantivy"}  # the hand-written BM25 was replaced by tantivy
HAYSTACKS = ("essay", "noise", "unique", "synthetic")
DEFAULT_UNIQUE = str(corpus.DEFAULT_OUT)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lengths", default="1M,10M,100M", help="comma list, e.g. 1M,10M,100M,1B")
    p.add_argument("--depths", default="0,0.25,0.5,0.75,1", help="needle depths in [0,1] (or percents)")
    p.add_argument("--largest-depths", default="0,0.5,1", help="depths for the largest length when it is >= 1B")
    p.add_argument("--tasks", default=",".join(needles.TASKS))
    p.add_argument("--methods", default=",".join(ALL_METHODS), help="comma list of: " + ", ".join(ALL_METHODS))
    p.add_argument("--haystack", choices=HAYSTACKS, default="essay")
    p.add_argument("--unique-tokens", default=DEFAULT_UNIQUE,
                   help="u32 token file of unique text (corpus.py) for --haystack unique|synthetic")
    p.add_argument("--synth-affinity", type=int, default=2, help="synth.py affinity (1 = plain order-2 chain)")
    p.add_argument("--seed", type=int, default=20240520)
    p.add_argument("--quick", action="store_true", help="1M tokens, depths 0,0.5,1, all tasks")
    p.add_argument("--binary", help="proteus-index to evaluate (default: .build/release, built if needed)")
    p.add_argument("--no-build", action="store_true", help="never run swift build")
    p.add_argument("--scratch", default=os.environ.get("PROTEUS_EVAL_DIR", tempfile.gettempdir()))
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    p.add_argument("--haystack-cache", help="folder keeping each generated SYNTHETIC haystack (named by length, "
                   "seed and affinity, its generator's figures beside it) for later runs to reuse: 1B takes ~25 min")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    p.add_argument("--heatmap", default=None, help="PNG path (default: heatmap-X.png beside RESULTS-X.md)")
    p.add_argument("--heatmap-baseline", default=None,
                   help="method beside proteus in the heatmap (default: cpu-fallback, else tantivy, else the first other)")
    p.add_argument("--tokenizer", default=str(generate.DEFAULT_RANKS))
    p.add_argument("--buffer", type=int, default=32768)
    p.add_argument("--chunk-len", type=int, default=65536)
    p.add_argument("--per-chunk", type=int, default=4096)
    p.add_argument("--span", type=int, default=8)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--retention-top", type=int, default=100000, help="--top used to list every span")
    p.add_argument("--no-perf", action="store_true", help="skip the machine-limit measurements (scan/cat/zstd/lz4)")
    p.add_argument("--tantivy-max-tokens", "--bm25-max-tokens", dest="tantivy_max_tokens", default="100M",
                   help="skip tantivy above this length (decoding and indexing cost ~10 s per 10M tokens per case)")
    p.add_argument("--tantivy-window", type=int, default=128, help="tokens per tantivy passage")
    p.add_argument("--tantivy-stride", type=int, default=64, help="tokens between tantivy passage starts")
    a = p.parse_args(argv)
    if a.quick:
        a.lengths, a.depths = "1M", "0,0.5,1"
    a.length_list = [generate.parse_length(x) for x in a.lengths.split(",") if x]
    a.depth_list = _depths(a.depths)
    a.largest_depth_list = _depths(a.largest_depths)
    a.task_list = [t for t in a.tasks.split(",") if t]
    a.method_list = list(dict.fromkeys(ALIASES.get(m, m) for m in a.methods.split(",") if m))
    for t in a.task_list:
        if t not in needles.TASKS:
            p.error(f"unknown task {t!r}")
    for m in a.method_list:
        if m not in ALL_METHODS:
            p.error(f"unknown method {m!r}")
    for first in ("proteus-heroes", "proteus"):  # the baselines' budget is our hero count: ours first
        if first in a.method_list:
            a.method_list.remove(first)
            a.method_list.insert(0, first)
    if a.heatmap_baseline is None:
        others = [m for m in a.method_list if m not in ("proteus", "proteus-heroes")] or ["proteus-heroes"]
        a.heatmap_baseline = next((m for m in ("cpu-fallback", "tantivy") if m in others), others[0])
    stem = Path(a.out).stem  # RESULTS-unique.md → heatmap-unique.png: a run never overwrites another's
    a.heatmap = a.heatmap or str(Path(a.out).with_name("heatmap" + (stem[7:] if stem.startswith("RESULTS") else
                                                                    "-" + stem) + ".png"))
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
        elif m == "tantivy" and tantivy_baseline.available():
            skipped[m] = tantivy_baseline.available()
        else:
            continue
        a.method_list.remove(m)
        print(f"run.py: not running {m}: {skipped[m]}", file=sys.stderr)
    return skipped


def portable(path: str | None) -> str | None:
    """A binary's path as recorded in the results: relative to its repository when inside one
    (".build/release/proteus-index"), else its file name; never a machine's own folders."""
    if not path:
        return path
    p = Path(os.path.abspath(path))  # symlinks kept: .build/release, not the triple folder behind it
    if p.is_relative_to(HERE.parents[1]):
        return str(p.relative_to(HERE.parents[1]))
    try:
        where = next(d for d in p.parents if d.is_dir())
        top = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        return str(p.relative_to(Path(top).resolve()))
    except (OSError, ValueError, subprocess.CalledProcessError):
        return p.name


def portable_command(args: list[str]) -> str:
    """The command line with the --binary, --scratch, --haystack-cache, --unique-tokens and --out values made portable."""
    out, i = [], 0
    while i < len(args):
        x = args[i]
        key, eq, val = x.partition("=")
        if key in ("--binary", "--scratch", "--haystack-cache", "--unique-tokens", "--out", "--heatmap"):
            if not eq and i + 1 < len(args):
                val = args[i + 1]
                i += 1
            val = portable(val) if key == "--binary" else (
                os.path.relpath(val, HERE.parents[1]) if key in ("--out", "--heatmap") and
                Path(val).resolve().is_relative_to(HERE.parents[1]) else
                (f"$PROTEUS_EVAL_DATA/{Path(val).name}" if key == "--unique-tokens" else f"<{key[2:]}>"))
            out += [key, val]
        else:
            out.append(x)
        i += 1
    return "python3 tools/eval/run.py " + " ".join(out)


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
        self.pieces: lookalike.Pieces | None = None
        self.keywords: lookalike.KeyWords | None = None
        self.model: synth.Model | None = None
        self.ends = None
        self.synth_info: dict = {}

    def build_opts(self) -> dict:
        a = self.a
        return dict(tokenizer=a.tokenizer, buffer=a.buffer, chunk_len=a.chunk_len, per_chunk=a.per_chunk,
                    span=a.span, threads=a.threads)

    def query_options(self, method: str) -> tuple[tuple[str, ...], str]:
        """`query` options of a method and what answers: "proteus" gives the corpus (routing where
        the binary routes), "proteus-heroes" forces the heroes (or asks plainly, without the
        corpus, when the binary has no --index-only)."""
        if method == "proteus":
            if self.caps.corpus:
                return ("--corpus", self.case_path), "corpus given"
            return (), "heroes (this binary has no query --corpus)"
        if self.caps.index_only:
            return ("--index-only",), "heroes (--index-only)"
        return (), "heroes (plain query, no corpus)"

    def evaluate_index(self, index: str, case: needles.Case, method: str = "proteus") -> dict:
        """Ranking from `query --top 5`, retention from every hero span (`--top` very large,
        heroes only)."""
        qpath = str(self.work / "question.txt")
        opts, how = self.query_options(method)
        top5, qsec = cli.query(self.binary, index, [case.spec.question], qpath, 5, self.caps.questions_file, opts)
        heroes, _ = self.query_options("proteus-heroes")
        full, _ = cli.query(self.binary, index, [case.spec.question], qpath, self.a.retention_top,
                            self.caps.questions_file, heroes)
        spans = np.array([[r["start"], r["end"]] for r in full[0]["results"]], dtype=np.int64).reshape(-1, 2)
        row = self.score(top5[0]["results"], spans, case) | {"query_seconds": qsec, "listed_spans": len(spans),
                                                            "mode": top5[0].get("mode"), "query_as": how}
        row |= {k: top5[0][k] for k in ("windows_read", "candidate_windows", "stopped_at_window_limit", "elapsed_ms")
                if k in top5[0]}  # routing's own figures, where the binary prints them
        if "question_tokens" in top5[0]:  # the product's tokenizer must agree with tiktoken
            # A question opening with a word is read as if a space came before it (README: the exact pass).
            q = case.spec.question
            asked = " " + q if q[:1].isalnum() else q
            row["question_tokens_match"] = top5[0]["question_tokens"] == self.enc.encode_ordinary(asked)
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
        self.case_path = str(self.work / "case.u32")
        self.task = task
        if task == "lookalike":
            if self.pieces is None:
                self.keywords = lookalike.key_words(self.enc)
                self.pieces = lookalike.Pieces(self.enc, self.keywords)
            case = lookalike.write_case(self.case_path, length, depth, seed, self.enc, pieces=self.pieces)
        else:
            spec = needles.make_case(task, depth, seed)
            case = needles.write_case(base, self.case_path, spec, self.enc, self.table)
        common = {"length": length, "task": task, "depth": depth}
        index = str(self.work / "case.phb")
        budget = None
        shared: dict | None = None  # the default index, built once for proteus and proteus-heroes
        for m in a.method_list:
            row = dict(common, method=m)
            reuse = m in ("proteus", "proteus-heroes") and shared is not None and os.path.exists(index)
            if os.path.exists(index) and not reuse:
                os.remove(index)  # a failed build must never leave the previous method's index behind
            try:
                if m in OURS:
                    signals, span = OURS[m]
                    opts = self.build_opts() | ({"span": span} if span is not None else {})
                    if reuse:
                        info = shared
                    else:
                        info = cli.build(self.binary, self.case_path, index, signals=signals, **opts)
                        shared = info if m in ("proteus", "proteus-heroes") else None
                    if m in ("proteus", "proteus-heroes"):
                        budget = int(info.get("heroes") or a.buffer)
                elif m in KEEP:
                    pos = self.keep_positions(m, length, budget or a.buffer, seed, features_cache)
                    ppath = str(self.work / "keep.u64")
                    baselines.write_positions(ppath, pos)
                    info = cli.build(self.binary, self.case_path, index, keep_positions=ppath, **self.build_opts())
                else:
                    row |= self.run_tantivy(case, length)
                    self.rows.append(row)
                    continue
                row |= {k: info.get(k) for k in ("tokens", "heroes", "spans", "index_bytes", "peak_rss_bytes")}
                row["build_seconds"] = info.get("seconds", info["wall_seconds"])
                row |= self.evaluate_index(index, case, m)
            except (RuntimeError, ValueError, KeyError, OSError, subprocess.TimeoutExpired) as e:
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
        key = "features-" + ("lookalike" if self.task == "lookalike" else "haystack")
        if key not in cache:  # features of the haystack (or of the lookalike one), computed once per length
            cache[key] = baselines.cooccurrence_features(baselines.sample_tokens(tokens), self.enc.n_vocab)
        if method == "cpu-fallback-windows":
            return baselines.cpu_fallback_windows(tokens, budget, self.a.chunk_len, cache[key], span)
        return baselines.cpu_fallback_positions(tokens, budget, self.a.chunk_len, cache[key])

    def run_tantivy(self, case: needles.Case, length: int) -> dict:
        if length > generate.parse_length(self.a.tantivy_max_tokens):
            return {"error": f"skipped above --tantivy-max-tokens {self.a.tantivy_max_tokens}"}
        tokens = np.memmap(self.case_path, dtype="<u4", mode="r")
        ix = tantivy_baseline.TantivyIndex(tokens, self.enc, self.work / "tantivy", self.a.tantivy_window,
                                           self.a.tantivy_stride, threads=1)
        try:
            results = ix.search(case.spec.question, 5)
            latency = ix.latency(case.spec.question, 5)
            files = ix.files()
        finally:
            del ix.searcher, ix.index
            shutil.rmtree(self.work / "tantivy", ignore_errors=True)
        spans = np.array([[0, length]], dtype=np.int64)  # the full text is kept: retention is trivially total
        return self.score(results, spans, case) | {
            "tokens": length, "index_bytes": sum(files.values()), "index_files": files,
            "store_bytes": files.get("store", 0), "build_seconds": ix.build_seconds,
            "decode_seconds": ix.decode_seconds, "query_seconds": latency, "query_in_process": True,
            "passages": ix.count, "window": ix.window, "stride": ix.stride}

    def base_pieces(self):
        if self.a.haystack == "essay":
            return generate.tokenize_essays(self.enc)
        return generate.noise_pieces(self.enc)

    def write_base(self, base: str, length: int) -> None:
        a = self.a
        if a.haystack in ("essay", "noise"):
            generate.write_haystack(base, self.base_pieces(), length, a.seed)
        elif a.haystack == "unique":
            src = corpus.load_tokens(a.unique_tokens, length)
            tmp = base + ".partial"
            with open(tmp, "wb") as f:
                for s in range(0, length, generate.WRITE_BLOCK):
                    np.asarray(src[s:s + generate.WRITE_BLOCK]).tofile(f)
            os.replace(tmp, base)
        else:
            cached = self.cached_haystack(length)
            if cached and os.path.exists(cached):  # the same generator, seed and affinity: the same tokens
                _link_or_copy(cached, base)
                st = json.loads(Path(cached).with_suffix(".json").read_text())
                self.synth_info.setdefault("runs", []).append(st | {"reused_from_cache": True})
                return
            if self.model is None:
                src = np.memmap(a.unique_tokens, dtype="<u4", mode="r")
                t0 = time.perf_counter()
                self.model = synth.fit(np.asarray(src), synth.break_table(self.enc))
                self.ends = synth.sentence_end_table(self.enc)
                self.synth_info["fit_seconds"] = time.perf_counter() - t0
                self.synth_info["source_tokens"] = len(src)
            st = synth.write(base, self.model, length, a.seed, self.ends, affinity=a.synth_affinity)
            self.synth_info.setdefault("runs", []).append(st)
            if cached:
                _link_or_copy(base, cached + ".partial")
                Path(cached).with_suffix(".json").write_text(json.dumps(st, indent=1))
                os.replace(cached + ".partial", cached)

    def cached_haystack(self, length: int) -> str | None:
        a = self.a
        if not a.haystack_cache:
            return None
        os.makedirs(a.haystack_cache, exist_ok=True)
        name = f"synthetic-{generate.format_length(length)}-seed{a.seed}-affinity{a.synth_affinity}.u32"
        return os.path.join(a.haystack_cache, name)

    def run_length(self, length: int, depths: list[float]) -> None:
        base = str(self.work / f"base-{generate.format_length(length)}.u32")
        needs_base = any(t != "lookalike" for t in self.a.task_list) or not self.a.no_perf
        if needs_base:
            t0 = time.perf_counter()
            self.write_base(base, length)
            print(f"haystack {generate.format_length(length)} ({self.a.haystack}) written in "
                  f"{time.perf_counter() - t0:.1f}s", flush=True)
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


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link where the file system allows one (a 1B haystack is 4 GB), else a copy."""
    if os.path.exists(dst):
        os.remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def haystack_unit_tokens(a) -> int | None:
    """Tokens of one pass over the haystack's source text (the essays, or one noise block); None
    for haystacks that do not repeat."""
    if a.haystack not in ("essay", "noise"):
        return None
    enc = generate.load_encoding(a.tokenizer)
    pieces = generate.tokenize_essays(enc) if a.haystack == "essay" else generate.noise_pieces(enc)
    return int(sum(len(p) for p in pieces))


def haystack_source(a, ev) -> dict:
    """What the haystack was made of, for the report: the unique text's manifest (tokens per
    source, SHA-256), the synthetic generator's statistics, the lookalike key words."""
    out: dict = {}
    if a.haystack in ("unique", "synthetic"):
        m = Path(a.unique_tokens).with_suffix(".json")
        if m.exists():
            man = json.loads(m.read_text())
            out["unique"] = {k: man.get(k) for k in ("tokens", "sha256", "sources", "packages",
                                                      "repeated_32_token_windows", "repeated_16_token_windows")}
        out["unique_file"] = os.path.basename(a.unique_tokens)
    if a.haystack == "synthetic":
        out["synthetic"] = ev.synth_info
    if ev.keywords is not None:
        kw = ev.keywords
        out["lookalike_words"] = {"source": kw.source, "adjectives": len(kw.adjectives), "nouns": len(kw.nouns),
                                  "words": len(kw.words)}
    return out


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a stopped run still writes the report of the cases it finished
    binary, caps = None, cli.Capabilities()
    if any(m != "tantivy" for m in a.method_list):  # tantivy alone needs no binary
        try:
            binary = cli.locate(a.binary, build_if_missing=not a.no_build and not a.binary)
            caps = cli.capabilities(binary)
            cli.require(caps, binary, need_keep_positions=False, need_signals=False)
        except cli.MissingFeature as e:
            print(f"run.py: cannot evaluate end to end: {e}", file=sys.stderr)
            return 3
    if a.haystack in ("unique", "synthetic"):  # the unique text must be there, and long enough
        try:
            corpus.load_tokens(a.unique_tokens, max(a.length_list) if a.haystack == "unique" else 4)
        except (OSError, ValueError) as e:
            print(f"run.py: --haystack {a.haystack}: {e}", file=sys.stderr)
            return 2
    skipped = drop_unsupported(a, caps, binary)
    work = Path(tempfile.mkdtemp(prefix="proteus-eval-", dir=a.scratch))
    command = portable_command(list(sys.argv[1:] if argv is None else argv))
    ev = Evaluator(a, binary, caps, work)
    started = time.time()
    try:
        largest = max(a.length_list)
        for length in a.length_list:
            depths = a.largest_depth_list if (length == largest and length >= 10**9) else a.depth_list
            ev.run_length(length, depths)
    finally:
        raw = Path(a.out).with_name(Path(a.out).stem + ".json")
        meta = {"command": command, "commit": git_commit(), "binary": portable(binary), "haystack": a.haystack,
                "binary_commit": git_commit(Path(binary).parent) if binary else None, "seed": a.seed,
                "buffer": a.buffer, "chunk_len": a.chunk_len, "per_chunk": a.per_chunk, "span": a.span, "threads": a.threads, "elapsed_seconds": time.time() - started,
                "capabilities": vars(caps), "heatmap_baseline": a.heatmap_baseline,
                "skipped_methods": skipped, "haystack_unit_tokens": haystack_unit_tokens(a),
                "haystack_source": haystack_source(a, ev)}
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

"""RESULTS.md and the heatmap from the rows of one run. Goals are judged against fixed
thresholds and reported as met or missed; nothing here adjusts a measured figure."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import baselines
import generate

GOALS = [  # (tasks, lengths predicate, threshold, text, metric): the repeated (essay/noise) benchmark
    (("niah", "single-numbers", "single-words", "single-uuids"), lambda n: n <= 100_000_000, 1.00,
     "niah/single top-5 = 100% up to 100M", "top5"),
    (("niah", "single-numbers", "single-words", "single-uuids"), lambda n: n >= 1_000_000_000, 0.99,
     "niah/single top-5 >= 99% at 1B", "top5"),
    (("multikey", "multivalue"), lambda n: True, 0.95, "multikey/multivalue top-5 >= 95%", "top5"),
    (("jigsaw",), lambda n: True, 0.95, "jigsaw top-5 >= 95%", "top5"),
]
UNIQUE_GOALS = [  # issue 10, "Must reach → Quality": text that never repeats, default buffer, corpus present
    (("niah",), lambda n: True, 1.00, "niah top-5 = 100%", "top5"),
    (("single-numbers", "single-words", "single-uuids"), lambda n: True, 0.99, "single needle top-5 >= 99%", "top5"),
    (("multikey", "lookalike"), lambda n: True, 0.95, "multikey top-1 >= 95% (incl. the lookalike haystack)", "top1"),
    (("multivalue",), lambda n: True, 0.95, "multivalue all values top-5 >= 95%", "top5"),
    (("jigsaw",), lambda n: True, 0.95, "jigsaw top-5 >= 95%", "top5"),
]
GOAL_METRIC = {"multikey": "top1", "lookalike": "top1"}  # the side-by-side comparison's measure per task
MULTI_VALUE = ("multivalue", "jigsaw")  # every value sits in its own needle: top-1 cannot hold them all
DESCRIPTIONS = {
    "proteus": "our index, default signals, asked with the corpus present (`query --corpus CASE` when the "
               "binary has the flag; the JSON `mode` says what answered)",
    "ablation: surprisal only": "`--signals surprisal`, heroes only",
    "ablation: no burstiness": "`--signals surprisal,gates,spans,shapes`, heroes only",
    "ablation: no gates": "`--signals surprisal,burstiness,spans,shapes`, heroes only",
    "ablation: no shapes": "`--signals surprisal,burstiness,gates,spans` (no identifier shapes), heroes only",
    "ablation: span 0": "`--span 0`",
    "random": "uniform random positions, same budget (`--keep-positions`)",
    "stride": "every (N/budget)-th token, same budget",
    "streamingllm": "StreamingLLM: 4 sink tokens + most recent window, same budget",
    "cpu-fallback": "RE-IMPLEMENTATION of the upstream CPU fallback: per-chunk top tokens by norm of "
                    "random-indexing co-occurrence features (dim 32, ±2 window, haystack sample), same budget",
    "random-windows": "random non-overlapping windows of 2·span+1 tokens, same budget (the span-shaped version of random)",
    "stride-windows": "evenly spaced windows of 2·span+1 tokens, same budget",
    "cpu-fallback-windows": "RE-IMPLEMENTED CPU fallback rule on windows: per chunk, the windows of 2·span+1 tokens "
                            "holding the largest feature norms, same budget",
    "bm25": "BM25 over the FULL uncompressed text, passages of 2·span+1 tokens, stride span+1 (python/numpy; "
            "replaced by tantivy)",
    "tantivy": "BM25 by tantivy 0.27 (PyPI `tantivy`) over the FULL text: overlapping passages of decoded token "
               "windows, default tokenizer, term frequencies only, no stored text, a u64 fast field mapping a "
               "passage back to its token range; of the 4·k best passages, overlapping ones are merged into one "
               "result (token range = union) and the first k results kept; query latency is in-process (median "
               "of 21 searches)",
    "proteus-heroes": "our index, answers from the heroes only (`query --index-only`, or plain `query` without "
                      "the corpus when the binary has no such flag)",
}


def _pct(xs) -> str:
    xs = [bool(x) for x in xs]
    return f"{100 * sum(xs) / len(xs):.0f}%" if xs else "–"


def _mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def _fmt(x, spec="{:.3g}"):
    return "–" if x is None else spec.format(x)


def _bytes(n):
    if n is None:
        return "–"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def group(rows, *keys):
    g = defaultdict(list)
    for r in rows:
        g[tuple(r[k] for k in keys)].append(r)
    return g


def task_tables(rows, methods, lengths) -> list[str]:
    out = []
    by = group(rows, "task", "method", "length")
    for task in dict.fromkeys(r["task"] for r in rows):
        multi = task in MULTI_VALUE
        out += [f"### {task}", "", "retention / top-1 / top-5" + (" / value recall@5" if multi else "") + " (cases)", "",
                "| method | " + " | ".join(generate.format_length(n) for n in lengths) + " |",
                "|---|" + "---|" * len(lengths)]
        for m in methods:
            cells = []
            for n in lengths:
                rs = [r for r in by.get((task, m, n), []) if "error" not in r]
                errs = [r for r in by.get((task, m, n), []) if "error" in r and not str(r["error"]).startswith("skipped")]
                skipped = [r for r in by.get((task, m, n), []) if str(r.get("error", "")).startswith("skipped")]
                recall = f" / {100 * _mean([r.get('recall5') for r in rs]):.0f}%" if multi and rs and \
                    _mean([r.get('recall5') for r in rs]) is not None else ""
                cell = (f"{_pct(r['retention'] for r in rs)} / {_pct(r['top1'] for r in rs)} / "
                        f"{_pct(r['top5'] for r in rs)}{recall} ({len(rs)})") if rs else "–"
                if errs:
                    cell += f" [{len(errs)} failed: {errs[0]['error'][:80]}]"
                if skipped and not rs:
                    cell = "not run (" + skipped[0]["error"].split(" (")[0] + ")"
                cells.append(cell)
            out.append(f"| {m} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def cost_table(rows, methods, lengths) -> list[str]:
    out = ["| method | length | model-free | heroes / tokens | index size | build s | query ms (1 question: process wall; "
           "tantivy in-process) |",
           "|---|---|---|---|---|---|---|"]
    by = group([r for r in rows if "error" not in r], "method", "length")
    for m in methods:
        for n in lengths:
            rs = by.get((m, n), [])
            if not rs:
                continue
            heroes = _mean([r.get("heroes") for r in rs])
            ratio = f"{heroes / n:.2e}" if heroes else ("1 (full text)" if m in ("bm25", "tantivy") else "–")
            q = _mean([r.get("query_seconds") for r in rs])
            free = "yes" if baselines.MODEL_FREE.get(m) or m in DESCRIPTIONS else "no"
            out.append(f"| {m} | {generate.format_length(n)} | {free} | {ratio} | {_bytes(_mean([r.get('index_bytes') for r in rs]))} "
                       f"| {_fmt(_mean([r.get('build_seconds') for r in rs]))} | {_fmt(q * 1000 if q else None)} |")
    return out


def routing_table(rows) -> list[str]:
    """Per routed case: the windows `query --corpus` read (the binary's own figures, where it
    prints them) beside top-1 and the query's wall time."""
    rs = [r for r in rows if r["method"] == "proteus" and "error" not in r and r.get("windows_read") is not None]
    if not rs:
        return []
    out = ["## Routing per case (proteus, corpus given)", "",
           "| length | task | depth | top-1 | windows read / candidates | stopped at the window limit | "
           "query ms (process wall / routing) |", "|---|---|---|---|---|---|---|"]
    for r in rs:
        out.append(f"| {generate.format_length(r['length'])} | {r['task']} | {r['depth']:g} | "
                   f"{'yes' if r.get('top1') else 'no'} | {r['windows_read']:,} / {r.get('candidate_windows') or 0:,} | "
                   f"{'yes' if r.get('stopped_at_window_limit') else 'no'} | {1000 * r['query_seconds']:.0f} / "
                   f"{_fmt(r.get('elapsed_ms'))} |")
    return [*out, ""]


def goal_lines(rows, lengths, goals=GOALS) -> list[str]:
    out = ["| goal | length | measured (proteus) | verdict |", "|---|---|---|---|"]
    ours = [r for r in rows if r["method"] == "proteus"]
    for tasks, applies, threshold, text, metric in goals:
        for n in lengths:
            if not applies(n):
                continue
            rs = [r for r in ours if r["task"] in tasks and r["length"] == n]
            if not rs:
                out.append(f"| {text} | {generate.format_length(n)} | – | not run |")
                continue
            ok = [bool(r.get(metric)) and "error" not in r for r in rs]
            share = sum(ok) / len(ok)
            verdict = "met" if share >= threshold else "MISSED"
            out.append(f"| {text} | {generate.format_length(n)} | {100 * share:.1f}% of {len(ok)} | {verdict} |")
    return out


def _share(rs, key):
    rs = [r for r in rs if "error" not in r]
    return (sum(bool(r.get(key)) for r in rs) / len(rs), len(rs)) if rs else (None, 0)


def side_by_side(rows, lengths) -> list[str]:
    """Routed (corpus present) vs heroes only vs tantivy, per task and length, on one measure per
    task (top-1 for multikey/lookalike, top-5 otherwise), plus tantivy's cost."""
    have = {r["method"] for r in rows}
    if not have & {"proteus-heroes", "tantivy"}:
        return []
    methods = [m for m in ("proteus", "proteus-heroes", "tantivy") if m in have]
    out = ["## Side by side: routed, heroes only, tantivy", "",
           "Measure: top-1 for multikey and lookalike, top-5 (all values) otherwise; retention is the heroes' "
           "(hero spans holding every value token). \"at least tantivy\" compares proteus (corpus present) with "
           "tantivy on the same measure.", "",
           "| length | task | measure | " + " | ".join(methods) + " | heroes retention | proteus answered by | "
           "at least tantivy |", "|---|---|---|" + "---|" * len(methods) + "---|---|---|"]
    by = group(rows, "method", "task", "length")
    for n in lengths:
        for task in dict.fromkeys(r["task"] for r in rows):
            metric = GOAL_METRIC.get(task, "top5")
            cells, shares = [], {}
            for m in methods:
                sh, k = _share(by.get((m, task, n), []), metric)
                shares[m] = sh
                cells.append("–" if sh is None else f"{100 * sh:.0f}% ({k})")
            ret, _ = _share(by.get(("proteus-heroes", task, n), []) or by.get(("proteus", task, n), []), "retention")
            modes = sorted({str(r.get("mode") or f"{r.get('query_as', '?')}, no mode in JSON")
                            for r in by.get(("proteus", task, n), []) if "error" not in r})
            verdict = "–"
            if shares.get("proteus") is not None and shares.get("tantivy") is not None:
                verdict = "met" if shares["proteus"] >= shares["tantivy"] else "MISSED"
            out.append(f"| {generate.format_length(n)} | {task} | {metric} | " + " | ".join(cells) +
                       f" | {'–' if ret is None else f'{100 * ret:.0f}%'} | {', '.join(modes) or '–'} | {verdict} |")
    out.append("")
    tv = [r for r in rows if r["method"] == "tantivy" and "error" not in r]
    ours = [r for r in rows if r["method"] == "proteus" and "error" not in r]
    if tv:
        import statistics
        out += ["| length | tantivy index bytes (no stored text) | bytes/token | of which store | build s (decode + index) | "
                "query ms, in-process median | passages | proteus .phb bytes | proteus query ms (process wall) |",
                "|---|---|---|---|---|---|---|---|---|"]
        for n in lengths:
            t = [r for r in tv if r["length"] == n]
            o = [r for r in ours if r["length"] == n]
            if not t:
                continue
            b = statistics.median(r["index_bytes"] for r in t)
            bs = statistics.median(r["build_seconds"] for r in t)
            ds = statistics.median(r.get("decode_seconds") or 0 for r in t)
            q = statistics.median(r["query_seconds"] for r in t)
            st = statistics.median(r.get("store_bytes") or 0 for r in t)
            ob = statistics.median(r["index_bytes"] for r in o) if o else None
            oq = statistics.median(r["query_seconds"] for r in o) if o else None
            out.append(f"| {generate.format_length(n)} | {b:,.0f} | {b / n:.3f} | {st:,.0f} | {bs:.2f} ({ds:.2f} + "
                       f"{bs - ds:.2f}) | {1000 * q:.2f} | {t[0].get('passages', 0):,} of {t[0].get('window')} tokens "
                       f"every {t[0].get('stride')} | {_fmt(ob, '{:,.0f}')} | {_fmt(oq * 1000 if oq else None, '{:.1f}')} |")
        out.append("")
    return out


def perf_table(perf, rows) -> list[str]:
    out = ["| length | proteus build tok/s | proteus peak RSS | `scan` (reader) | `scan --plain` | cat floor | zstd -dc | lz4 -dc | query ms |",
           "|---|---|---|---|---|---|---|---|---|"]
    by = group([r for r in rows if r["method"] == "proteus" and "error" not in r], "length")
    for p in perf:
        n = p["tokens"]
        rs = by.get((n,), [])
        b = _mean([r.get("build_seconds") for r in rs])
        rss = max([r.get("peak_rss_bytes") or 0 for r in rs], default=0) or None
        q = _mean([r.get("query_seconds") for r in rs])
        tput = lambda s: f"{n / s / 1e6:.0f} M tok/s" if s else "–"
        def scan_cell(key):
            s = p.get(key)
            if not s:
                return p.get(key + "_error", "not available")[:60]
            ok = "" if s.get("sum_matches_numpy") else " (SUM MISMATCH vs numpy)"
            return tput(s.get("seconds", s.get("wall_seconds"))) + ok
        out.append(f"| {generate.format_length(n)} | {tput(b)} | {_bytes(rss)} | "
                   f"{scan_cell('scan')} | {scan_cell('scan_plain')} | {tput(p.get('cat_seconds'))} | "
                   f"{tput(p.get('zstd_dc_seconds'))} ({_bytes(p.get('zstd_bytes'))}) | "
                   f"{tput(p.get('lz4_dc_seconds'))} ({_bytes(p.get('lz4_bytes'))}) | {_fmt(q * 1000 if q else None)} |")
    return out


def heatmap(path, rows, baseline: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    task = "niah" if any(r["task"] == "niah" for r in rows) else "all tasks"
    rs = [r for r in rows if task == "all tasks" or r["task"] == task]
    lengths = sorted({r["length"] for r in rs})
    depths = sorted({r["depth"] for r in rs})
    fig, axes = plt.subplots(1, 2, figsize=(4 + 1.2 * len(lengths) * 2, 1.5 + 0.45 * len(depths)), squeeze=False,
                             gridspec_kw={"wspace": 0.25})
    for ax, m in zip(axes[0], ("proteus", baseline)):
        grid = np.full((len(depths), len(lengths)), np.nan)
        for i, d in enumerate(depths):
            for j, n in enumerate(lengths):
                cell = [bool(r.get("top5")) for r in rs if r["method"] == m and r["depth"] == d and r["length"] == n
                        and "error" not in r]
                if cell:
                    grid[i, j] = sum(cell) / len(cell)
        im = ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
        for i in range(len(depths)):
            for j in range(len(lengths)):
                v = grid[i, j]
                ax.text(j, i, "not run" if np.isnan(v) else f"{100 * v:.0f}%", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(lengths)), [generate.format_length(n) for n in lengths])
        ax.set_yticks(range(len(depths)), [f"{100 * d:.0f}%" for d in depths])
        ax.set_xlabel("context length (tokens)")
        if m == "proteus":
            ax.set_ylabel("needle depth")
        ax.set_title(f"{m}: top-5 success ({task})", fontsize=9)
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return task


def _other_runs(out_path) -> list[str]:
    """A summary of the other runs whose RESULTS-*.json sit beside this report (each has its own
    RESULTS-*.md with every table): proteus retention / top-5 per task and length."""
    import json

    here = Path(out_path).resolve()
    others = sorted(p for p in here.parent.glob("RESULTS*.json") if p.with_suffix(".md") != here)
    if not others:
        return []
    out = ["## Other runs in this folder", "",
           "proteus retention / top-5 per task, from each run's own RESULTS-*.md (same harness, other settings).", ""]
    for p in others:
        data = json.loads(p.read_text())
        # Only this harness's runs: natural.py's RESULTS-natural.json has rows of its own shape.
        rows = [r for r in data.get("rows", []) if r.get("method") == "proteus" and "error" not in r]
        if "meta" not in data:
            continue
        if not rows:
            continue
        lengths = sorted({r["length"] for r in rows})
        out += [f"**{p.with_suffix('.md').name}** — `{data['meta']['command']}`", "",
                "| task | " + " | ".join(generate.format_length(n) for n in lengths) + " |", "|---|" + "---|" * len(lengths)]
        by = group(rows, "task", "length")
        for task in dict.fromkeys(r["task"] for r in rows):
            cells = [f"{_pct(r['retention'] for r in by.get((task, n), []))} / {_pct(r['top5'] for r in by.get((task, n), []))}"
                     if by.get((task, n)) else "–" for n in lengths]
            out.append(f"| {task} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def _haystack_lines(meta, rows=()) -> list[str]:
    h, src = meta["haystack"], meta.get("haystack_source") or {}
    if rows and all(r["task"] == "lookalike" for r in rows):
        out = [f"Haystack: none written (--haystack {h} unused): the lookalike task brings its own  "]
    elif h == "essay":
        out = [f"Haystack: essay (Paul Graham essays shuffled by essay, seed {meta['seed']})  "]
    elif h == "noise":
        out = [f"Haystack: RULER noise, seed {meta['seed']}  "]
    else:
        u = src.get("unique") or {}
        per = ", ".join(f"{s} {v['tokens'] / 1e6:.2f}M" for s, v in (u.get("sources") or {}).items())
        text = (f"unique English text from Debian packages, never repeated: the first N tokens of "
                f"`{src.get('unique_file')}` ({u.get('tokens', 0):,} tokens: {per}; SHA-256 {str(u.get('sha256'))[:16]}…; "
                f"repeated 32-token windows {100 * (u.get('repeated_32_token_windows') or 0):.3f}%), written by "
                "`tools/eval/corpus.py` after `tools/eval/install-text.sh`")
        if h == "unique":
            out = [f"Haystack: {text}  "]
        else:
            runs = (src.get("synthetic") or {}).get("runs") or []
            speed = ", ".join(f"{r['tokens'] / 1e6:.0f}M in {r['seconds']:.0f} s"
                              + (" (reused from --haystack-cache)" if r.get("reused_from_cache") else "") for r in runs)
            out = [f"Haystack: **SYNTHETIC** text (tools/eval/synth.py: order-2 token Markov model fitted on the {text}; "
                   f"no sentence of 8+ tokens twice; generated {speed}, seed {meta['seed']})  "]
    kw = src.get("lookalike_words")
    if kw:
        out.append(f"Lookalike task: its own haystack of lookalike lines only; keys from {kw['source']} "
                   f"({kw['adjectives']:,} / {kw['nouns']:,} / {kw['words']:,} words)  ")
    return out


def _haystack_caveat(meta, lengths) -> list[str]:
    size = meta.get("haystack_unit_tokens")
    if not size:
        return []
    epochs = ", ".join(f"{generate.format_length(n)} = {n / size:,.1f}×" for n in lengths)
    return [f"**Caveat:** the {meta['haystack']} haystack repeats a {size:,}-token unit (the whole essay set, "
            f"shuffled by essay each time; {epochs}). Apart from the needles, every passage of a long haystack "
            "has been seen many times, so a method that favours novel or rare tokens may be helped by the "
            "benchmark itself; real corpora do not repeat like this.", ""]


def _warnings(rows) -> list[str]:
    out = []
    mismatch = sum(1 for r in rows if r.get("question_tokens_match") is False)
    if mismatch:
        out.append(f"**Warning:** in {mismatch} queries the binary tokenized the question differently from tiktoken cl100k_base.")
    truncated = sum(1 for r in rows if r.get("retention_truncated"))
    if truncated:
        out.append(f"**Warning:** in {truncated} cases the index had at least `--retention-top` spans, so retention may be undercounted.")
    chance = [r for r in rows if r.get("top5_chance")]
    if chance:
        by = ", ".join(f"{m[0]}: {len(v)}" for m, v in group(chance, "method").items())
        out.append(f"Not counted as success: {len(chance)} cases where the values' text appeared in the top 5 only "
                   f"away from the needle (chance matches; {by}).")
    failed = sum(1 for r in rows if "error" in r and not str(r["error"]).startswith("skipped"))
    if failed:
        out.append(f"**Warning:** {failed} method runs failed; the per-task cells leave them out and say so; the goal verdicts count them as misses.")
    return [*out, ""] if out else []


def write(out_path, heatmap_path, meta, rows, perf) -> None:
    methods = list(dict.fromkeys(r["method"] for r in rows))
    lengths = sorted({r["length"] for r in rows})
    hm_task = heatmap(heatmap_path, rows, meta.get("heatmap_baseline", "cpu-fallback"))
    rel = os.path.relpath(heatmap_path, Path(out_path).parent)
    lines = ["# proteus-index evaluation results", "",
             f"Command: `{meta['command']}`  ", f"Commit: `{meta['commit']}`  ",
             f"Binary: `{meta['binary']}` (repository commit `{meta.get('binary_commit')}`)  ",
             *_haystack_lines(meta, rows),
             f"Build options: --buffer {meta['buffer']} --chunk-len {meta['chunk_len']} --per-chunk {meta['per_chunk']} "
             f"--span {meta['span']} --threads {meta['threads']}  ", f"Run time: {meta['elapsed_seconds']:.0f} s", "",
             "Success at k: every expected value is readable (text or token ids) from the top-k results "
             "(adjacent results are joined) AND those results cover the needle's own value tokens (a value's text "
             "matched elsewhere in the haystack is a chance match, not a success). For multivalue and jigsaw all "
             "values must come back, so top-1 (one span) cannot succeed there; value recall@5 is RULER's share "
             "of values recovered. Retention: every token carrying an expected value lies inside a span "
             "the index lists (`query --top` very large), independent of ranking. Baselines keep exactly as many "
             "tokens as our index keeps (its `heroes` count) and are ranked by the same `query`.", "",
             *_warnings(rows),
             *_haystack_caveat(meta, lengths),
             "## Goals" + (" (issue 10: text that never repeats, corpus present)" if meta["haystack"] in
                           ("unique", "synthetic") else ""), "",
             *goal_lines(rows, lengths, UNIQUE_GOALS if meta["haystack"] in ("unique", "synthetic") else GOALS), "",
             *side_by_side(rows, lengths),
             "## Results per task", "", *task_tables(rows, methods, lengths),
             "## Cost", "", *cost_table(rows, methods, lengths), "",
             *routing_table(rows),
             "## Performance (same run)", "",
             "Throughput = tokens / seconds of one run over the same u32 tokens, page cache warm. `scan` columns and "
             "the build use the binary's own timer (`seconds` in its JSON; wall time if absent); cat, zstd -dc and "
             "lz4 -dc are wall times including process start, so small lengths are start-up bound. `scan` sums are "
             "checked against numpy. Query ms is the wall time of one `query --top 5` process (start-up, index map, "
             "tokenizer load included).",
             "", *perf_table(perf, rows), "",
             f"## Heatmap ({hm_task}: proteus vs {meta.get('heatmap_baseline')})", "", f"![heatmap]({rel})", "",
             *_other_runs(out_path),
             "## Methods", "",
             *[f"- **{m}**: NOT RUN: {why}." for m, why in meta.get("skipped_methods", {}).items()], *[f"- **{m}**: {DESCRIPTIONS.get(m, '')}. Model-free: "
                                 f"{'yes' if baselines.MODEL_FREE.get(m, m in DESCRIPTIONS) else 'no'}." for m in methods], ""]
    tmp = Path(str(out_path) + ".partial")
    tmp.write_text("\n".join(lines))
    os.replace(tmp, out_path)


def main(argv=None) -> int:
    """Rewrites RESULTS.md and the heatmap from a RESULTS.json written by run.py."""
    import argparse
    import json

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("results_json")
    p.add_argument("--out", help="default: the .md beside the JSON")
    p.add_argument("--heatmap", help="default: heatmap-X.png beside RESULTS-X.md (heatmap.png for RESULTS.md)")
    a = p.parse_args(argv)
    data = json.loads(Path(a.results_json).read_text())
    out = a.out or str(Path(a.results_json).with_suffix(".md"))
    stem = Path(out).stem
    default = Path(out).with_name("heatmap" + (stem[7:] if stem.startswith("RESULTS") else "-" + stem) + ".png")
    write(out, a.heatmap or str(default), data["meta"], data["rows"], data["perf"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

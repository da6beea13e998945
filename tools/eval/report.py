"""RESULTS.md and the heatmap from the rows of one run. Goals are judged against fixed
thresholds and reported as met or missed; nothing here adjusts a measured figure."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import baselines
import generate

GOALS = [  # (tasks, lengths predicate, threshold on top-5 success, text)
    (("niah", "single-numbers", "single-words", "single-uuids"), lambda n: n <= 100_000_000, 1.00,
     "niah/single top-5 = 100% up to 100M"),
    (("niah", "single-numbers", "single-words", "single-uuids"), lambda n: n >= 1_000_000_000, 0.99,
     "niah/single top-5 >= 99% at 1B"),
    (("multikey", "multivalue"), lambda n: True, 0.95, "multikey/multivalue top-5 >= 95%"),
    (("jigsaw",), lambda n: True, 0.95, "jigsaw top-5 >= 95%"),
]
MULTI_VALUE = ("multivalue", "jigsaw")  # every value sits in its own needle: top-1 cannot hold them all
DESCRIPTIONS = {
    "proteus": "our index, default signals",
    "ablation: surprisal only": "`--signals surprisal`",
    "ablation: no burstiness": "`--signals surprisal,gates,spans`",
    "ablation: no gates": "`--signals surprisal,burstiness,spans`",
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
    "bm25": "BM25 over the FULL uncompressed text, passages of 2·span+1 tokens, stride span+1 (python/numpy)",
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
    out = ["| method | length | model-free | heroes / tokens | index size | build s | query ms (1 question, wall) |",
           "|---|---|---|---|---|---|---|"]
    by = group([r for r in rows if "error" not in r], "method", "length")
    for m in methods:
        for n in lengths:
            rs = by.get((m, n), [])
            if not rs:
                continue
            heroes = _mean([r.get("heroes") for r in rs])
            ratio = f"{heroes / n:.2e}" if heroes else ("1 (full text)" if m == "bm25" else "–")
            q = _mean([r.get("query_seconds") for r in rs])
            free = "yes" if baselines.MODEL_FREE.get(m) or m in DESCRIPTIONS else "no"
            out.append(f"| {m} | {generate.format_length(n)} | {free} | {ratio} | {_bytes(_mean([r.get('index_bytes') for r in rs]))} "
                       f"| {_fmt(_mean([r.get('build_seconds') for r in rs]))} | {_fmt(q * 1000 if q else None)} |")
    return out


def goal_lines(rows, lengths) -> list[str]:
    out = ["| goal | length | measured top-5 (proteus) | verdict |", "|---|---|---|---|"]
    ours = [r for r in rows if r["method"] == "proteus"]
    for tasks, applies, threshold, text in GOALS:
        for n in lengths:
            if not applies(n):
                continue
            rs = [r for r in ours if r["task"] in tasks and r["length"] == n]
            if not rs:
                out.append(f"| {text} | {generate.format_length(n)} | – | not run |")
                continue
            ok = [bool(r.get("top5")) and "error" not in r for r in rs]
            share = sum(ok) / len(ok)
            verdict = "met" if share >= threshold else "MISSED"
            out.append(f"| {text} | {generate.format_length(n)} | {100 * share:.1f}% of {len(ok)} | {verdict} |")
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
        rows = [r for r in data["rows"] if r["method"] == "proteus" and "error" not in r]
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
             f"Haystack: {meta['haystack']} (Paul Graham essays shuffled by essay, seed {meta['seed']})" if meta['haystack'] == 'essay'
             else f"Haystack: RULER noise, seed {meta['seed']}",
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
             "## Goals", "", *goal_lines(rows, lengths), "",
             "## Results per task", "", *task_tables(rows, methods, lengths),
             "## Cost", "", *cost_table(rows, methods, lengths), "",
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
    p.add_argument("--heatmap", help="default: heatmap.png beside --out")
    a = p.parse_args(argv)
    data = json.loads(Path(a.results_json).read_text())
    out = a.out or str(Path(a.results_json).with_suffix(".md"))
    write(out, a.heatmap or str(Path(out).with_name("heatmap.png")), data["meta"], data["rows"], data["perf"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

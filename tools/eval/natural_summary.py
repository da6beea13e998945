#!/usr/bin/env python3
"""One table of several `natural.py` runs, corpus by corpus, beside tantivy: the README's summary.

  python3 tools/eval/natural_summary.py tools/eval/RESULTS-natural*.json

Prints markdown: top-1 and top-5 of every kind of question, routed (`query --corpus`) against
tantivy, a figure in bold where it is below tantivy's; then each corpus's sizes and times. Each
corpus is named by its RESULTS file (RESULTS-natural-info.json: "info"; RESULTS-natural.json:
the 20M real tokens)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

KINDS = ("phrase", "terms", "mixed", "question", "inflected", "lowercase", "named")


def name_of(path: Path) -> str:
    stem = path.stem.removeprefix("RESULTS-natural").lstrip("-")
    return stem or "real text (20M)"


def cell(ours: float, theirs: float | None) -> str:
    text = f"{100 * ours:.1f}"
    if theirs is None:
        return text
    # Bold marks where we are short of tantivy: the goal is at least its recall on every task.
    mine = f"**{text}**" if ours < theirs else text
    return f"{mine} / {100 * theirs:.1f}"


def main(paths: list[Path]) -> None:
    runs = [(name_of(p), json.loads(p.read_text())) for p in paths]
    for measure in ("top1", "top5"):
        print(f"| {measure}: routed / tantivy (%) | " + " | ".join(KINDS) + " |")
        print("|---" * (len(KINDS) + 1) + "|")
        for name, run in runs:
            rows = {r["kind"]: r for r in run["rows"]}
            cells = []
            for kind in KINDS:
                row = rows.get(kind)
                if row is None:
                    cells.append("")
                    continue
                tantivy = row.get("tantivy", {}).get(measure)
                cells.append(f"{cell(row['routed'][measure], tantivy)} ({row['questions']})" if measure == "top1"
                             else cell(row["routed"][measure], tantivy))
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()
    print("| corpus | tokens | commit | routing tier | tantivy index | our build | tantivy build |")
    print("|---|---|---|---|---|---|---|")
    for name, run in runs:
        tantivy_bytes = run.get("tantivy_bytes")
        tantivy_seconds = run.get("tantivy_build_seconds")
        print(f"| {name} | {run['tokens'] / 1e6:.2f}M | {run['commit']} | {run['tier_bytes'] / 1e6:.2f} MB | "
              f"{tantivy_bytes / 1e6:.2f} MB | {run['build_seconds']:.1f} s | {tantivy_seconds:.1f} s |"
              if tantivy_bytes else
              f"| {name} | {run['tokens'] / 1e6:.2f}M | {run['commit']} | {run['tier_bytes'] / 1e6:.2f} MB | | "
              f"{run['build_seconds']:.1f} s | |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: natural_summary.py RESULTS-natural*.json")
    main([Path(a) for a in sys.argv[1:]])

#!/usr/bin/env bash
# Issue 12's memory bound with many documents, side by side in one run: `build` of a Megatron
# dataset of one-line documents (8-40 int32 tokens each, ids below cl100k's 100,256, from
# tools/bench/make_megatron.py) at 1M and N million documents, `build` of the same datasets
# converted to zstd .tok, the conversion itself and one `query` of each index; then a
# single-document raw u32 corpus (the essays) at 1 GiB and G GiB. Each command runs once
# under tools/bench/rss.py: wall time, peak RSS (/usr/bin/time -v's maximum resident set,
# which counts mapped file pages still resident) and peak anonymous RSS (RssAnon sampled every
# 5 ms). Prints a markdown table and the goal: anonymous RSS ≤ 256 MiB, flat.
# Usage: tools/bench/documents.sh [MILLIONS of documents, default 10] [GiB, default 8; 0 skips]
# BASELINE_BIN=path/to/another/proteus-index adds its figures beside ours (same inputs).
set -euo pipefail
cd "$(dirname "$0")/../.."
millions=${1:-10}
large=${2:-8}
source tools/bench/common.sh documents
baseline=${BASELINE_BIN:-}
results=$work/results.jsonl
question="what is the number of the founders"

# measure LABEL BINARY ARGS...: one row of figures; the binary replaces "BIN".
measure() {
  local label=$1 which=$2; shift 2
  local run=${which/#ours/$bin}; run=${run/#baseline/$baseline}
  local figures
  figures=$(python3 tools/bench/rss.py "$run" "$@")
  echo "{\"label\": \"$label\", \"binary\": \"$which\", \"figures\": $figures}" >> "$results"
}
binaries() { echo ours; [ -z "$baseline" ] || echo baseline; }

for m in 1 "$millions"; do
  n=$((m * 1000000))
  python3 tools/bench/make_megatron.py "$work/m$m" "$n" >/dev/null
  cat "$work/m$m.bin" "$work/m$m.idx" > /dev/null
  for b in $(binaries); do
    measure "build Megatron, ${m}M documents" "$b" build "$work/m$m.bin" -o "$work/m$m.$b.phb" --tokenizer "$tok" --quiet
    measure "convert Megatron to .tok, ${m}M documents" "$b" convert "$work/m$m.bin" -o "$work/m$m.$b.tok" --quiet
    measure "build .tok, ${m}M documents" "$b" build "$work/m$m.$b.tok" -o "$work/t$m.$b.phb" --tokenizer "$tok" --quiet
    measure "query the Megatron index, ${m}M documents" "$b" query "$work/m$m.$b.phb" "$question"
  done
  if [ -n "$baseline" ]; then
    cmp "$work/m$m.ours.phb" "$work/m$m.baseline.phb" && cmp "$work/m$m.ours.tok" "$work/m$m.baseline.tok" \
      && echo "${m}M documents: the index and the .tok are byte-identical to the baseline's" >&2
  fi
  rm -f "$work/m$m".* "$work/t$m".*
done

if [ "$large" -gt 0 ]; then
  make_corpus "$work" 1
  for b in $(binaries); do
    measure "build raw u32, 1 document, 1 GiB" "$b" build "$work/corpus.u32" -o "$work/g1.phb" --tokenizer "$tok" --quiet
  done
  for _ in $(seq 2 "$large"); do cat "$work/corpus.u32"; done > "$work/big.part"
  cat "$work/corpus.u32" "$work/big.part" > "$work/big.u32"; rm "$work/big.part" "$work/corpus.u32"
  for b in $(binaries); do
    measure "build raw u32, 1 document, $large GiB" "$b" build "$work/big.u32" -o "$work/gN.phb" --tokenizer "$tok" --quiet
  done
fi

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
labels = list(dict.fromkeys(r["label"] for r in rows))
binaries = list(dict.fromkeys(r["binary"] for r in rows))
fig = {(r["label"], r["binary"]): r["figures"] for r in rows}
mib = lambda kib: f"{kib / 1024:.0f} MiB"
head = "| command |" + "".join(f" {b}: time | {b}: peak RSS | {b}: peak anonymous |" for b in binaries)
print(head)
print("|---|" + "---|---|---|" * len(binaries))
for label in labels:
    cells = ""
    for b in binaries:
        f = fig.get((label, b))
        if f is None:
            cells += " | | |"
        elif f["status"] != 0:
            cells += f" exit {f['status']} | | |"
        else:
            cells += f" {f['seconds']:.2f} s | {mib(f['peak_kib'])} | {mib(f['peak_anon_kib'])} |"
    print(f"| {label} |" + cells)
anon = lambda label: fig[(label, "ours")]["peak_anon_kib"]
builds = [l for l in labels if l.startswith("build")]
worst = max(anon(l) for l in builds)
print()
print("| goal | measured | |")
print("|---|---|---|")
print(f"| anonymous RSS ≤ 256 MiB in every build | {mib(worst)} (largest) | {'met' if worst <= 256 * 1024 else 'MISSED'} |")
for kind in ["build Megatron", "build .tok", "build raw u32"]:
    pair = [l for l in builds if l.startswith(kind)]
    if len(pair) == 2:
        a, b = anon(pair[0]), anon(pair[1])
        flat = abs(b - a) <= 0.1 * a
        what = pair[0].split(", ", 1)[1] + " → " + pair[1].split(", ", 1)[1].replace("1 document, ", "")
        print(f"| anonymous RSS flat (±10%), {kind[6:]}: {what} | {mib(a)} → {mib(b)} | {'met' if flat else 'MISSED'} |")
PY

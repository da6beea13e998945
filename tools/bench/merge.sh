#!/usr/bin/env bash
# Issue 12's merge benchmark: the 16 shard indexes of a 1 GiB token file made from the essays
# (default parameters, `build --dna --shard i/16`), merged in one `merge` and as a tree of
# `merge --partial` (8 pairs, 4, 2, then the whole), side by side in one run with the
# single `build --dna` they equal, and optionally with a baseline binary's merge
# (BASELINE_BIN). Checks every result is byte-identical to the single build; prints medians
# and peak RSS (/usr/bin/time -v). Goal: the merge of 16 shards in at most 1 s.
# Usage: [BASELINE_BIN=old/proteus-index] tools/bench/merge.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/common.sh merge
make_corpus "$work" 1
corpus=$work/corpus.u32
"$bin" learn "$corpus" -o "$work/c.dna" --tokenizer "$tok" 2>/dev/null
"$bin" build "$corpus" --dna "$work/c.dna" -o "$work/single.phb" --quiet --tokenizer "$tok"
for i in $(seq 1 16); do
  "$bin" build "$corpus" --dna "$work/c.dna" --shard "$i/16" -o "$work/s$i.phb" --quiet --threads 1 --tokenizer "$tok"
done
shards=$(for i in $(seq 1 16); do printf '%s ' "$work/s$i.phb"; done)
tree="sh -c '
  for i in 1 3 5 7 9 11 13 15; do $bin merge --partial $work/s\$i.phb $work/s\$((i + 1)).phb -o $work/p\$i.phb 2>/dev/null; done
  for i in 1 5 9 13; do $bin merge --partial $work/p\$i.phb $work/p\$((i + 2)).phb -o $work/q\$i.phb 2>/dev/null; done
  $bin merge --partial $work/q1.phb $work/q5.phb -o $work/r1.phb 2>/dev/null
  $bin merge --partial $work/q9.phb $work/q13.phb -o $work/r9.phb 2>/dev/null
  $bin merge $work/r1.phb $work/r9.phb -o $work/tree.phb 2>/dev/null'"
commands=(-n "merge 16 shards" "$bin merge $shards -o $work/flat.phb")
commands+=(-n "merge 16 shards, 1 thread" "$bin merge $shards -o $work/one.phb --threads 1")
[ -n "${BASELINE_BIN:-}" ] && commands+=(-n "merge 16 shards, baseline" "$BASELINE_BIN merge $shards -o $work/base.phb")
commands+=(-n "tree of 15 merges (8 + 4 + 2 + 1)" "$tree")
commands+=(-n "single build --dna, 2 threads" "$bin build $corpus --dna $work/c.dna -o $work/again.phb --quiet --threads 2 --tokenizer $tok")
cat "$work"/s*.phb "$corpus" > /dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/merge.json" "${commands[@]}" >/dev/null
for f in flat one tree again ${BASELINE_BIN:+base}; do
  cmp "$work/$f.phb" "$work/single.phb" && echo "$f.phb is byte-identical to the single build"
done
rss=$(/usr/bin/time -v "$bin" merge $shards -o "$work/rss.phb" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
python3 - "$work/merge.json" "$rss" "$(stat -c %s "$work/s1.phb")" <<'PY'
import json, sys
m = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
print(f"| command (16 shards of {int(sys.argv[3]) / 1e6:.1f} MB) | median |")
print("|---|---|")
for k, v in m.items():
    print(f"| {k} | {v:.2f} s |")
flat = m["merge 16 shards"]
print(f"\nmerge of 16 shards: {flat:.2f} s against the 1 s goal ({'met' if flat <= 1 else 'missed'}); "
      f"peak RSS {int(sys.argv[2]) / 1024:.0f} MiB (the shards are mapped)")
if "merge 16 shards, baseline" in m:
    print(f"against the baseline: {m['merge 16 shards, baseline'] / flat:.2f}x faster")
PY

#!/usr/bin/env bash
# Issue 3's build benchmark, side by side in one run on a ≥ 1 GiB token file made from the
# essays: whole `build` against a plain single-thread scan of the same mapped raw file (1 and
# 2 threads), `build` of a zstd .tok against `zstd -dc`, peak RSS at 1 GiB and N GiB, and the
# index size against the 8 MiB + 16 B/hero budget. Prints markdown tables.
# Usage: tools/bench/build.sh [GiB for the large RSS check, default 8]
set -euo pipefail
cd "$(dirname "$0")/../.."
large=${1:-8}
source tools/bench/common.sh build
make_corpus "$work" 1
"$bin" convert "$work/corpus.u32" -o "$work/corpus.zstd.tok" --codec zstd --quiet
cat "$work"/corpus.* > /dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/build.json" \
  -n "plain scan (mapped u32, 1 thread)" "$bin scan --plain $work/corpus.u32" \
  -n "build raw u32, 1 thread" "$bin build $work/corpus.u32 -o $work/a.phb --tokenizer $tok --threads 1 --quiet" \
  -n "build raw u32, 2 threads" "$bin build $work/corpus.u32 -o $work/b.phb --tokenizer $tok --threads 2 --quiet" \
  -n "zstd -dc" "sh -c 'zstd -qdc $work/corpus.zstd.tok > /dev/null'" \
  -n "build zstd .tok, 2 threads" "$bin build $work/corpus.zstd.tok -o $work/c.phb --tokenizer $tok --threads 2 --quiet" >/dev/null
cmp "$work/a.phb" "$work/b.phb" && echo "1-thread and 2-thread indexes are byte-identical"
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}'; }
rss1=$(rss "$bin" build "$work/corpus.u32" -o "$work/r1.phb" --tokenizer "$tok" --quiet)
for _ in $(seq 2 "$large"); do cat "$work/corpus.u32"; done > "$work/big.part"
cat "$work/corpus.u32" "$work/big.part" > "$work/big.u32"; rm "$work/big.part"
rssN=$(rss "$bin" build "$work/big.u32" -o "$work/rN.phb" --tokenizer "$tok" --quiet)
# The heroes and the routing tier's bytes: the 8 MiB budget is the heroes' index (issue 3); the
# tier came later with its own goal (≤ 10% of the zstd .tok, tools/bench/teleport.sh).
read -r heroes tier < <("$bin" inspect "$work/a.phb" --json | python3 -c 'import json,sys
d = json.load(sys.stdin); r = d.get("routing") or {}
print(d["statistics"]["hero_tokens"], r.get("directory_bytes", 0) + r.get("list_bytes", 0) + r.get("pair_filter_bytes", 0))')
python3 - "$work/build.json" "$rss1" "$rssN" "$large" "$(stat -c %s "$work/a.phb")" "$heroes" "$(stat -c %s "$work/corpus.u32")" "$tier" <<'PY'
import json, sys
m = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
rss1, rssN, large, index_bytes, heroes, size, tier = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
print(f"| command (1 GiB, {size // 4:,} tokens) | median | tokens/s |")
print("|---|---|---|")
for k, v in m.items():
    print(f"| {k} | {v:.2f} s | {size / 4 / v / 1e6:.0f} M |")
scan = m["plain scan (mapped u32, 1 thread)"]
print()
print("| goal | measured | |")
print("|---|---|---|")
for name, t, ref, goal in [("build 1 thread ≤ 2× plain scan", m["build raw u32, 1 thread"], scan, 2.0),
                           ("build 2 threads ≤ 1.2× plain scan", m["build raw u32, 2 threads"], scan, 1.2),
                           ("build zstd .tok ≤ 1.5× zstd -dc", m["build zstd .tok, 2 threads"], m["zstd -dc"], 1.5)]:
    r = t / ref
    print(f"| {name} | {r:.2f}× | {'met' if r <= goal else 'MISSED'} |")
budget = 8 * 2**20 + 16 * heroes
print(f"| peak RSS equal ±10% at 1 and {large} GiB | {int(rss1) / 1024:.0f} MiB / {int(rssN) / 1024:.0f} MiB | {'met' if abs(int(rssN) - int(rss1)) <= 0.1 * int(rss1) else 'MISSED'} |")
print(f"| peak RSS ≤ 256 MiB | {max(int(rss1), int(rssN)) / 1024:.0f} MiB | {'met' if max(int(rss1), int(rssN)) <= 256 * 1024 else 'MISSED'} |")
print(f"| index without its routing tier ≤ 8 MiB + 16 B × {heroes} heroes = {budget:,} B | {index_bytes - tier:,} B "
      f"(the tier {tier:,} B more) | {'met' if index_bytes - tier <= budget else 'MISSED'} |")
PY

#!/usr/bin/env bash
# Issue 4's query benchmark, in one run: one question against indexes of 1 GiB and N GiB
# corpora beside `proteus-index --version` (the process-start floor), 1,000 questions in one
# run on one core, and `--rescan` throughput against `build` on the same corpus.
# Usage: tools/bench/query.sh [GiB of the large corpus, default 8]
set -euo pipefail
cd "$(dirname "$0")/../.."
large=${1:-8}
source tools/bench/common.sh query
make_corpus "$work" 1
"$bin" build "$work/corpus.u32" -o "$work/small.phb" --tokenizer "$tok" --quiet
for _ in $(seq 1 "$large"); do cat "$work/corpus.u32"; done > "$work/big.u32"
"$bin" build "$work/big.u32" -o "$work/big.phb" --tokenizer "$tok" --quiet
rm "$work/big.u32"
python3 - "$work/questions.txt" <<'PY'
import random, sys
random.seed(7)
topics = ["potato soup", "San Francisco", "startup founders", "investors", "Lisp macros", "painters and hackers",
          "wealth", "cities", "Y Combinator", "essays", "programming languages", "good taste", "procrastination"]
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(f"What does the author say about {random.choice(topics)} and {random.choice(topics)}?\n")
PY
head -n 1 "$work/questions.txt" > "$work/one.txt"
q="What is the best thing to do in San Francisco?"
hyperfine -N --warmup 3 --runs 30 --export-json "$work/latency.json" \
  -n "proteus-index --version" "$bin --version" \
  -n "query, index of 1 GiB corpus" "$bin query $work/small.phb '$q'" \
  -n "query, index of $large GiB corpus" "$bin query $work/big.phb '$q'" \
  -n "1 question from a file" "taskset -c 0 $bin query $work/small.phb --questions $work/one.txt --json" \
  -n "1000 questions from a file" "taskset -c 0 $bin query $work/small.phb --questions $work/questions.txt --json" >/dev/null
hyperfine -N --warmup 1 --runs 3 --export-json "$work/rescan.json" \
  -n "build (1 GiB)" "$bin build $work/corpus.u32 -o $work/again.phb --tokenizer $tok --quiet" \
  -n "query --rescan (1 GiB)" "$bin query $work/small.phb '$q' --rescan $work/corpus.u32" >/dev/null
python3 - "$work/latency.json" "$work/rescan.json" "$large" <<'PY'
import json, sys
lat = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
res = {r["command"]: r["median"] for r in json.load(open(sys.argv[2]))["results"]}
large = sys.argv[3]
print("| command | median |")
print("|---|---|")
for k, v in {**lat, **res}.items():
    print(f"| {k} | {v * 1000:.1f} ms |")
floor = lat["proteus-index --version"]
small, big = lat["query, index of 1 GiB corpus"], lat[f"query, index of {large} GiB corpus"]
per_q = (lat["1000 questions from a file"] - lat["1 question from a file"]) / 999
rescan = res["build (1 GiB)"] / res["query --rescan (1 GiB)"]
print()
print("| goal | measured | |")
print("|---|---|---|")
print(f"| one question ≤ 3× `--version` | {small / floor:.2f}× | {'met' if small <= 3 * floor else 'MISSED'} |")
print(f"| same ±10% for 1 GiB and {large} GiB corpora | {small * 1000:.1f} ms vs {big * 1000:.1f} ms ({(big / small - 1) * 100:+.0f}%) | {'met' if abs(big / small - 1) <= 0.10 else 'MISSED'} |")
print(f"| ≥ 2,000 questions/s on one core | {1 / per_q:,.0f} /s | {'met' if 1 / per_q >= 2000 else 'MISSED'} |")
print(f"| `--rescan` ≥ 70% of build throughput | {rescan * 100:.0f}% | {'met' if rescan >= 0.7 else 'MISSED'} |")
PY

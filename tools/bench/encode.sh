#!/usr/bin/env bash
# Issue 2's encode benchmark: `proteus-index encode` (1 thread and all cores) against
# tiktoken's single-thread encode_ordinary on the same ~50 MB of essay text, whole processes
# timed by hyperfine (tiktoken's figure includes Python's start-up, about 0.1 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
megabytes=${1:-50}
source tools/bench/common.sh encode
while [ "$(stat -c %s "$work/text.txt" 2>/dev/null || echo 0)" -lt $((megabytes * 1000000)) ]; do
  cat fixtures/essays/*.txt >> "$work/text.txt"
done
bytes=$(stat -c %s "$work/text.txt")
hyperfine -N --warmup 1 --runs 5 --export-json "$work/encode.json" \
  -n "tiktoken encode_ordinary (1 thread)" "python3 tools/bench/tiktoken_encode.py $tok $work/text.txt" \
  -n "proteus-index encode --threads 1" "$bin encode $work/text.txt -o $work/out1.tok --tokenizer $tok --threads 1 --codec none --quiet" \
  -n "proteus-index encode (all cores)" "$bin encode $work/text.txt -o $work/out2.tok --tokenizer $tok --codec none --quiet" >/dev/null
python3 - "$work/encode.json" "$bytes" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
size = int(sys.argv[2])
base = results[0]["median"]
print(f"| command ({size / 1e6:.0f} MB of text) | median | MB/s | vs tiktoken |")
print("|---|---|---|---|")
for r in results:
    print(f"| {r['command']} | {r['median']:.2f} s | {size / r['median'] / 1e6:.1f} | {base / r['median']:.2f}× |")
PY

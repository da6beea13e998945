#!/usr/bin/env bash
# Issue 2's reader benchmark, side by side in one run on a ≥ 1 GiB token file made from the
# essays: raw u32 windows vs a plain scan of the same mapped file, zstd .tok vs `zstd -dc`,
# lz4 .tok vs `lz4 -dc`, and peak RSS at 1 GiB and 8 GiB. Prints a markdown table.
# Usage: tools/bench/reader.sh [GiB for the large RSS check, default 8]
set -euo pipefail
cd "$(dirname "$0")/../.."
large=${1:-8}
source tools/bench/common.sh reader
make_corpus "$work" 1   # → $work/corpus.u32 (≥ 1 GiB of essay tokens)
"$bin" convert "$work/corpus.u32" -o "$work/corpus.zstd.tok" --codec zstd --quiet
"$bin" convert "$work/corpus.u32" -o "$work/corpus.lz4.tok" --codec lz4 --quiet
cat "$work"/corpus.* > /dev/null   # warm the page cache: we measure reading, not the disk

hyperfine -N --warmup 1 --runs 7 --export-json "$work/read.json" \
  -n "plain scan (mapped u32)" "$bin scan --plain $work/corpus.u32" \
  -n "reader: raw u32 windows" "$bin scan $work/corpus.u32" \
  -n "zstd -dc" "sh -c 'zstd -qdc $work/corpus.zstd.tok > /dev/null'" \
  -n "reader: zstd .tok" "$bin scan $work/corpus.zstd.tok" \
  -n "reader: zstd .tok, 2 threads" "$bin scan --threads 2 $work/corpus.zstd.tok" \
  -n "lz4 -dc" "sh -c 'lz4 -qdc $work/corpus.lz4.tok > /dev/null'" \
  -n "reader: lz4 .tok" "$bin scan $work/corpus.lz4.tok" >/dev/null

rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}'; }
rss_raw1=$(rss "$bin" scan "$work/corpus.u32")
rss_zstd1=$(rss "$bin" scan "$work/corpus.zstd.tok")
rss_lz41=$(rss "$bin" scan "$work/corpus.lz4.tok")
for _ in $(seq 2 "$large"); do cat "$work/corpus.u32"; done > "$work/big.part"
cat "$work/corpus.u32" "$work/big.part" > "$work/big.u32"; rm "$work/big.part"
"$bin" convert "$work/big.u32" -o "$work/big.zstd.tok" --codec zstd --quiet
rss_rawN=$(rss "$bin" scan "$work/big.u32")
rss_zstdN=$(rss "$bin" scan "$work/big.zstd.tok")
python3 tools/bench/report.py reader "$work/read.json" \
  "$rss_raw1" "$rss_zstd1" "$rss_lz41" "$rss_rawN" "$rss_zstdN" "$large" \
  "$(stat -c %s "$work/corpus.u32")"

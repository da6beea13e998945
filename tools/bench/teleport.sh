#!/usr/bin/env bash
# Issue 10's speed and size goals for teleport, side by side in one run, on a u32 corpus of
# unique text (100M tokens: `tools/eval/synth.py --tokens 100M`, SYNTHETIC; or the 20M real
# tokens of `tools/eval/corpus.py`). Warm cache. Measures:
#   - the routing tier's bytes against the corpus's zstd .tok, and the build time it costs
#     (`build` against `build --route-window 0`, same threads), with peak RSS;
#   - routed questions: how many are answered (a top-5 answer holds the question's text, as
#     tools/eval/natural.py tests it), beside `--rescan` of the same questions (every window);
#     windows read and in-process time (`elapsed_ms` of --json), medians
#     and 90th percentiles, with the default threads and with one (same answers), for two kinds of question drawn from the corpus with a fixed seed:
#     "phrase" (eight consecutive words of a random line, as a user quotes what they remember)
#     and "terms" (the three rarest words of a random line, as a user types keywords);
#   - routed questions as whole processes against `proteus-index --version`: every question
#     of both kinds, each timed by hyperfine (5 runs), and `--version` at the start, middle
#     and end; the goal takes the median question against the median `--version` (the first
#     10 of each kind, as before, read a median of 180 windows where all read 32 and 111);
#   - `query --rescan` (every window, exhaustive) against `scan` of the same .tok.
# Usage: tools/bench/teleport.sh CORPUS.u32 [QUESTIONS PER KIND, default 200]
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=$(realpath "$1")
per_kind=${2:-200}
source tools/bench/common.sh teleport
"$bin" convert "$corpus" -o "$work/corpus.tok" --quiet
cat "$work/corpus.tok" > /dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/build.json" \
  -n "build, routing tier" "$bin build $work/corpus.tok -o $work/routed.phb --tokenizer $tok --quiet" \
  -n "build, no tier" "$bin build $work/corpus.tok -o $work/plain.phb --tokenizer $tok --route-window 0 --quiet" >/dev/null
rss=$(/usr/bin/time -v "$bin" build "$work/corpus.tok" -o "$work/again.phb" --tokenizer "$tok" --quiet 2>&1 >/dev/null \
  | awk '/Maximum resident/ {print $6}')
cmp "$work/routed.phb" "$work/again.phb" >/dev/null || echo "note: two builds differ only in their recorded timings" >&2
"$bin" inspect "$work/routed.phb" --json > "$work/inspect.json"

python3 - "$corpus" "$tok" "$per_kind" "$work/phrase.txt" "$work/terms.txt" <<'PY'
# Questions drawn from the corpus itself, so every one has an answer somewhere in it.
import random, sys
import numpy as np
sys.path.insert(0, "tools/eval")
import generate
import natural
corpus, ranks, per_kind, phrase_out, terms_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
enc = generate.load_encoding(ranks)
ids = np.memmap(corpus, dtype="<u4", mode="r")
counts = np.bincount(np.asarray(ids[: min(len(ids), 20_000_000)]), minlength=enc.n_vocab)
rng = random.Random(10)
def a_line():
    while True:
        at = rng.randrange(0, max(1, len(ids) - 400))
        text = enc.decode(ids[at:at + 400].tolist())
        lines = [l for l in text.split("\n")[1:-1] if len(l.split()) >= 12]
        if lines:
            return rng.choice(lines)
def rarity(word):  # the count of the word's rarest token in the sample: lower is rarer
    return min(counts[t] for t in enc.encode_ordinary(" " + word))
with open(phrase_out, "w") as phrase, open(terms_out, "w") as terms:
    for _ in range(per_kind):
        words = a_line().split()
        start = rng.randrange(0, len(words) - 8)
        phrase.write(" ".join(words[start:start + 8]) + "\n")
        # natural.py's keywords, ties in the line's order (a set's order changed with every run)
        terms.write(" ".join(sorted(natural.words_of(a_line()), key=rarity)[:3]) + "\n")
PY
# Default threads (all cores: the next windows are decompressed ahead), and one thread.
for kind in phrase terms; do
  "$bin" query "$work/routed.phb" --corpus "$work/corpus.tok" --questions "$work/$kind.txt" --json --top 5 \
    > "$work/$kind.jsonl"
  "$bin" query "$work/routed.phb" --corpus "$work/corpus.tok" --questions "$work/$kind.txt" --json --top 5 \
    --threads 1 > "$work/$kind-1.jsonl"
  # What routing loses: the same questions over every window.
  "$bin" query "$work/routed.phb" --rescan "$work/corpus.tok" --questions "$work/$kind.txt" --json --top 5 \
    > "$work/$kind-rescan.jsonl"
done
q1=$(head -n 1 "$work/terms.txt")
whole=(-n "proteus-index --version" "$bin --version")
for kind in phrase terms; do
  i=0
  while IFS= read -r q; do
    i=$((i + 1))
    whole+=(-n "$kind $i, whole process" "$bin query $work/routed.phb --corpus $work/corpus.tok -- $(printf '%q' "$q")")
  done < "$work/$kind.txt"
  whole+=(-n "proteus-index --version, after $kind" "$bin --version")
done
hyperfine -N --warmup 1 --runs 5 --export-json "$work/process.json" "${whole[@]}" >/dev/null
hyperfine -N --warmup 1 --runs 3 --export-json "$work/rescan.json" \
  -n "scan" "$bin scan $work/corpus.tok" \
  -n "query --rescan" "$bin query $work/routed.phb --rescan $work/corpus.tok -- '$q1'" >/dev/null

python3 - "$work" "$rss" "$(stat -c %s "$work/corpus.tok")" "$(stat -c %s "$corpus")" <<'PY'
import json, statistics, sys
sys.path.insert(0, "tools/eval")
import natural
work, rss, tok_bytes, u32_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def medians(name):
    return {r["command"]: r["median"] for r in json.load(open(f"{work}/{name}.json"))["results"]}
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]
build, process, rescan = medians("build"), medians("process"), medians("rescan")
inspect = json.load(open(f"{work}/inspect.json"))
tier = inspect["routing"]["directory_bytes"] + inspect["routing"]["list_bytes"] + inspect["routing"].get("pair_filter_bytes", 0)
tokens = inspect["statistics"]["tokens"]
print(f"Corpus: {tokens:,} tokens ({u32_bytes / 2**20:.0f} MiB u32, {tok_bytes / 2**20:.1f} MiB zstd .tok), "
      f"{inspect['routing']['windows']:,} windows of {inspect['routing']['window_tokens']:,} tokens\n")
print("| measure | median | p90 |")
print("|---|---|---|")
kinds = {}
for kind in ("phrase", "terms"):
    rows = [json.loads(line) for line in open(f"{work}/{kind}.jsonl")]
    modes = {r.get("mode") for r in rows}
    windows = [r["windows_read"] for r in rows]
    ms = [r["elapsed_ms"] for r in rows]
    capped = sum(bool(r.get("stopped_at_window_limit")) for r in rows)
    # Answered: a top-5 answer holds the question's text (natural.py's test: the phrase's words
    # in order, or all three terms as words), routed and over every window.
    def answered(rs):
        return sum(natural.first_success(r["results"], r["question"], kind) is not None for r in rs)
    found = answered(rows)
    exhaustive = answered([json.loads(line) for line in open(f"{work}/{kind}-rescan.jsonl")])
    kinds[kind] = (statistics.median(windows), statistics.median(ms))
    print(f"| {kind}: windows read ({len(rows)} questions, modes {sorted(map(str, modes))}, {capped} at the cap) "
          f"| {statistics.median(windows):g} | {pct(windows, 0.9):g} |")
    print(f"| {kind}: answered in the top 5, routed (`--rescan`: every window) | {found} of {len(rows)} ({exhaustive}) | |")
    print(f"| {kind}: routing + exact pass, in-process | {statistics.median(ms):.1f} ms | {pct(ms, 0.9):.1f} ms |")
    single = [json.loads(line) for line in open(f"{work}/{kind}-1.jsonl")]
    same = all(a["results"] == b["results"] and a["windows_read"] == b["windows_read"] for a, b in zip(rows, single))
    ms1 = [r["elapsed_ms"] for r in single]
    print(f"| {kind}: the same on one thread (answers {'identical' if same else 'DIFFERENT'}) "
          f"| {statistics.median(ms1):.1f} ms | {pct(ms1, 0.9):.1f} ms |")
floor = statistics.median([process.pop(k) for k in list(process) if k.startswith("proteus-index --version")])
wholes = {kind: [v for k, v in process.items() if k.startswith(kind)] for kind in ("phrase", "terms")}
for kind, times in wholes.items():
    print(f"| {kind}: one question as a whole process ({len(times)} questions, hyperfine medians) "
          f"| {statistics.median(times) * 1000:.1f} ms | {pct(times, 0.9) * 1000:.1f} ms |")
for k, v in {**build, "proteus-index --version": floor, **rescan}.items():
    print(f"| {k} (hyperfine median) | {v * 1000:.1f} ms | |")
print(f"| peak RSS, build with tier | {rss / 1024:.0f} MiB | |")
one = statistics.median(wholes["phrase"] + wholes["terms"])
lost = 1 - build["build, no tier"] / build["build, routing tier"]
ratio = rescan["scan"] / rescan["query --rescan"]
def verdict(ok):
    return "met" if ok else "MISSED"
print("\n| goal | measured | |")
print("|---|---|---|")
print(f"| routed query, whole process ≤ 3× `--version` (median question) | {one / floor:.2f}× ({one * 1000:.1f} vs {floor * 1000:.1f} ms) | {verdict(one <= 3 * floor)} |")
for kind, (w, ms) in kinds.items():
    print(f"| windows read, median ≤ 32 ({kind}) | {w:g} | {verdict(w <= 32)} |")
    print(f"| routing + exact pass ≤ 5 ms median ({kind}) | {ms:.1f} ms | {verdict(ms <= 5)} |")
print(f"| routing tier ≤ 10% of the zstd .tok | {tier:,} B = {tier / tok_bytes * 100:.1f}% ({tier / tokens:.3f} B/token) | {verdict(tier <= 0.1 * tok_bytes)} |")
print(f"| build throughput lost to the tier ≤ 15% | {lost * 100:.1f}% | {verdict(lost <= 0.15)} |")
print(f"| `--rescan` throughput ≥ 50% of `scan` | {ratio * 100:.0f}% | {verdict(ratio >= 0.5)} |")
PY

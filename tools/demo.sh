#!/usr/bin/env bash
# The main job on bundled sample data, on a fresh machine: install what is missing, build,
# then encode the Paul Graham essays (one hides a needle) → build an index → ask it questions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
swift build -c release --product proteus-index 2>&1 | tail -n 1
bin=$PWD/.build/release/proteus-index
tokenizer=$PWD/fixtures/tokenizers/cl100k_base.tiktoken
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/proteus-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A needle-in-a-haystack corpus as NIAH builds it: the essays repeated (four rounds, ~600k
# tokens), with the classic needle hidden once, deep inside one essay of round three.
for round in 1 2 3 4; do
  mkdir -p "$work/essays/round$round"
  cp "$repo"/fixtures/essays/*.txt "$work/essays/round$round/"
done
# (after the first sentence that ends a line, from line 60 on)
awk 'NR >= 60 && !done && /\.[ ]*$/ { print; print "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day."; done = 1; next } 1' \
  "$repo"/fixtures/essays/founders.txt > "$work/essays/round3/founders.txt"
grep -q "Dolores Park" "$work/essays/round3/founders.txt"   # the needle is really there
cd "$work"   # documents are named by their paths: keep them short

echo "== encode: text → tokens (cl100k_base, identical to tiktoken)"
"$bin" encode essays -o essays.tok --tokenizer "$tokenizer"
"$bin" inspect essays.tok | head -n 7

# 4,096 heroes keep the needle's sentence because a copy of a better champion's window takes no
# seat: before 312c3f0 every salient span of the four rounds sat four times, and they did not.
echo; echo "== build: DNA scores → chunk champions → a 4,096-token hero buffer (0.7% of the corpus)"
"$bin" build essays.tok -o essays.phb --tokenizer "$tokenizer" --buffer 4096
"$bin" inspect essays.phb | head -n 4

echo; echo "== query: teleport, the question is routed to the corpus windows that hold its rare tokens"
"$bin" query essays.phb "What is the best thing to do in San Francisco?" --top 3 --explain

echo; echo "== query --index-only: the heroes alone, no corpus read (the instant, corpus-free tier)"
"$bin" query essays.phb "What is the best thing to do in San Francisco?" --top 3 --index-only

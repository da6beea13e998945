# Shared set-up of the benchmark scripts; `source tools/bench/common.sh NAME` from the
# repository root. Builds the release binary (or takes $PROTEUS_BIN, another build to run
# side by side, say a worktree's at an earlier commit) and sets:
#   bin   the release proteus-index      tok   the bundled cl100k_base rank file
#   work  a scratch folder (removed on exit; under $BENCH_DIR, default /tmp)
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
if [ -n "${PROTEUS_BIN:-}" ]; then
  bin=$(realpath "$PROTEUS_BIN")
else
  swift build -c release --product proteus-index 2>&1 | tail -n 1
  bin=$PWD/.build/release/proteus-index
fi
tok=$PWD/fixtures/tokenizers/cl100k_base.tiktoken
work=$(mktemp -d "${BENCH_DIR:-/tmp}/proteus-$1.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

# make_corpus DIR GIB: tokenizes the essays with proteus-index (cl100k_base) and repeats the
# tokens into DIR/corpus.u32 of exactly GIB GiB.
make_corpus() {
  local dir=$1 gib=$2
  "$bin" encode fixtures/essays -o "$dir/essays.tok" --tokenizer "$tok" --quiet
  "$bin" convert "$dir/essays.tok" -o "$dir/essays.u32" --quiet
  cp "$dir/essays.u32" "$dir/corpus.u32"
  local want=$((gib * 1024 * 1024 * 1024))
  while [ "$(stat -c %s "$dir/corpus.u32")" -lt "$want" ]; do
    cat "$dir/corpus.u32" "$dir/corpus.u32" > "$dir/corpus.tmp" && mv "$dir/corpus.tmp" "$dir/corpus.u32"
  done
  truncate -s "$want" "$dir/corpus.u32"
}

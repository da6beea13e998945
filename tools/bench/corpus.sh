# make_corpus DIR GIB: tokenizes the essays with proteus-index (cl100k_base) and repeats the
# tokens into DIR/corpus.u32 of at least GIB GiB. Needs $bin.
make_corpus() {
  local dir=$1 gib=$2
  "$bin" encode fixtures/essays -o "$dir/essays.tok" --tokenizer fixtures/tokenizers/cl100k_base.tiktoken --quiet
  "$bin" convert "$dir/essays.tok" -o "$dir/essays.u32" --quiet
  cp "$dir/essays.u32" "$dir/corpus.u32"
  local want=$((gib * 1024 * 1024 * 1024))
  while [ "$(stat -c %s "$dir/corpus.u32")" -lt "$want" ]; do
    cat "$dir/corpus.u32" "$dir/corpus.u32" > "$dir/corpus.tmp" && mv "$dir/corpus.tmp" "$dir/corpus.u32"
  done
  truncate -s "$want" "$dir/corpus.u32"
}

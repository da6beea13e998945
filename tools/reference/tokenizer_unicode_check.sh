#!/usr/bin/env bash
# Exhaustive cross-check of our tokenizer against tiktoken over all of Unicode.
#
#   tools/reference/tokenizer_unicode_check.sh
#
# Writes a text holding every code point except surrogates (U+0000..U+10FFFF, ~1.1M), each
# followed by a random separator (space, apostrophe, newline, digit, letter, ...), shuffled,
# then encodes it with tiktoken (cl100k ranks, cl100k and r50k split patterns) and with our
# encoder, and compares the ids byte for byte. This is what pins CharacterClass to the
# Unicode version of tiktoken's Rust regex tables; rerun it after a Swift or tiktoken
# upgrade. Too large for the unit tests (5 MB of ids); takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=${TMPDIR:-/tmp}/proteus-tokenizer-unicode-check
mkdir -p "$WORK"
RANKS="$ROOT/fixtures/tokenizers/cl100k_base.tiktoken"

python3 - "$WORK/every.txt" <<'PY'
import random, sys
rng = random.Random(11)
separators = [" ", "", "", "'", "\n", "  ", "\t", "1", "a"]
out = []
for c in range(0x110000):
    if 0xD800 <= c < 0xE000:
        continue
    out.append(chr(c))
    out.append(rng.choice(separators))
rng.shuffle(out)
open(sys.argv[1], "w", encoding="utf-8", newline="").write("".join(out))
PY

cat > "$WORK/main.swift" <<'SWIFT'
#if canImport(Glibc)
import Glibc
#endif
// encode RANKS TEXT PATTERN OUT: writes the ids as u32 little-endian.
let args = CommandLine.arguments
let base = try Tokenizer.load(path: args[1])
let tokenizer = Tokenizer(ranks: base.ranks, pattern: SplitPattern(rawValue: args[3])!, identity: base.identity)
let file = try SystemFile(openForReading: args[2])
let text = try file.readBytes(at: 0, count: Int(file.size))
var tokens: [UInt32] = []
try text.withUnsafeBytes { try tokenizer.encodeOrdinary($0, into: &tokens) }
let out = fopen(args[4], "wb")!
_ = tokens.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, out) }
fclose(out)
SWIFT
swiftc -O -wmo -module-name ProteusIndexCheck -swift-version 5 \
    $(find Sources/ProteusIndex -name '*.swift') "$WORK/main.swift" -o "$WORK/encode"

status=0
for pattern in cl100k r50k; do
  python3 - "$RANKS" "$WORK/every.txt" "$pattern" "$WORK/every.$pattern.tiktoken" <<'PY'
import array, sys, tiktoken, tiktoken.load
patterns = {
    "cl100k": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "r50k": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
}
ranks_path, text_path, pattern, out = sys.argv[1:5]
enc = tiktoken.Encoding("check", pat_str=patterns[pattern],
                        mergeable_ranks=tiktoken.load.load_tiktoken_bpe(ranks_path), special_tokens={})
ids = enc.encode_ordinary(open(text_path, encoding="utf-8", newline="").read())
open(out, "wb").write(array.array("I", ids).tobytes())
PY
  "$WORK/encode" "$RANKS" "$WORK/every.txt" "$pattern" "$WORK/every.$pattern.ours"
  if cmp -s "$WORK/every.$pattern.tiktoken" "$WORK/every.$pattern.ours"; then
    echo "$pattern: identical ($(( $(stat -c %s "$WORK/every.$pattern.ours") / 4 )) ids)"
  else
    echo "$pattern: DIFFERENT ($(cmp "$WORK/every.$pattern.tiktoken" "$WORK/every.$pattern.ours" | head -1))"
    status=1
  fi
done
exit $status

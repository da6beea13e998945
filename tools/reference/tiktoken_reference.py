#!/usr/bin/env python3
"""Writes the tokenizer reference fixtures from the real tiktoken and the Python `regex` module.

Run from anywhere: python3 tools/reference/tiktoken_reference.py
Needs: tiktoken, regex (pip install tiktoken regex).

Inputs:  fixtures/tokenizers/cl100k_base.tiktoken, fixtures/essays/*.txt (concatenated in
         sorted file-name order, nothing between them), fixtures/text/mixed.txt, and
         fixtures/text/unicode.txt, which this tool writes (sampled code points of all planes
         plus the blocks of Unicode 15-17; no piece check for it, as Python's `regex` has
         newer Unicode tables than tiktoken's Rust `regex`).
Outputs (fixtures/tiktoken/):
  <text>.cl100k.u32          tiktoken encode_ordinary ids, u32 little-endian
  <text>.r50ksplit.u32       ids with the same ranks but the r50k (GPT-2) split pattern:
                             we do not ship the GPT-2 rank file, yet tiktoken runs any
                             pattern over any ranks, which checks our r50k scanner end to end
  <text>.<pattern>.pieces.u16  byte length of every piece from regex.finditer(pattern), u16 LE
  manifest.json              versions, input checksums, counts, special-token bytes
"""
import hashlib
import json
import os
import random
import struct
import sys

import regex
import tiktoken
import tiktoken.load

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RANKS = os.path.join(ROOT, "fixtures", "tokenizers", "cl100k_base.tiktoken")
OUT = os.path.join(ROOT, "fixtures", "tiktoken")

PATTERNS = {
    "cl100k": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "r50k": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
}
SPECIALS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


# Blocks assigned in Unicode 15-17: tiktoken's Rust regex tables stop at Unicode 16, so
# letters of 17 (CJK Extension J, ...) are "other" there, unlike in Python's `regex`.
NEW_BLOCKS = [(0x31350, 0x323AF), (0x2EBF0, 0x2EE5F), (0x10D40, 0x10D8F), (0x105C0, 0x105FF),
              (0x16D40, 0x16D7F), (0x11BC0, 0x11BFF), (0x323B0, 0x3347F), (0x10940, 0x1095F),
              (0x11DB0, 0x11DEF), (0x16EA0, 0x16EDF)]


def unicode_text():
    """Every 61st code point plus the new blocks, each followed by a separator that exercises
    a different alternative (seeded, so the text is reproducible)."""
    rng = random.Random(20261129)
    points = [c for c in range(0, 0x110000, 61) if not 0xD800 <= c < 0xE000]
    points += [c for lo, hi in NEW_BLOCKS for c in range(lo, hi + 1, 3)]
    separators = [" ", "", "", "'", "'s", "\n", "  ", "\t", "1", "a", " a", "\r\n", "\u00a0"]
    out = []
    for c in points:
        out.append(chr(c))
        out.append(rng.choice(separators))
    return "".join(out)


def texts():
    essays_dir = os.path.join(ROOT, "fixtures", "essays")
    names = sorted(n for n in os.listdir(essays_dir) if n.endswith(".txt"))
    essays = b"".join(open(os.path.join(essays_dir, n), "rb").read() for n in names)
    mixed = open(os.path.join(ROOT, "fixtures", "text", "mixed.txt"), "rb").read()
    unicode_path = os.path.join(ROOT, "fixtures", "text", "unicode.txt")
    with open(unicode_path, "w", encoding="utf-8", newline="") as f:
        f.write(unicode_text())
    return {"essays": essays, "mixed": mixed, "unicode": open(unicode_path, "rb").read()}


def write(name, fmt, values):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def main():
    os.makedirs(OUT, exist_ok=True)
    ranks = tiktoken.load.load_tiktoken_bpe(RANKS)
    cl100k = tiktoken.Encoding("cl100k_base", pat_str=PATTERNS["cl100k"], mergeable_ranks=ranks,
                               special_tokens=SPECIALS)
    r50k_split = tiktoken.Encoding("cl100k_ranks_r50k_split", pat_str=PATTERNS["r50k"], mergeable_ranks=ranks,
                                   special_tokens={})
    manifest = {
        "tiktoken": tiktoken.__version__,
        "regex": regex.__version__,
        "rank_file_sha256": hashlib.sha256(open(RANKS, "rb").read()).hexdigest(),
        "specials": {str(i): cl100k.decode_single_token_bytes(i).decode("utf-8") for i in SPECIALS.values()},
        "texts": {},
    }
    for name, data in texts().items():
        text = data.decode("utf-8")
        entry = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        ids = cl100k.encode_ordinary(text)
        assert cl100k.decode_bytes(ids) == data
        write(f"{name}.cl100k.u32", "I", ids)
        entry["cl100k_tokens"] = len(ids)
        ids = r50k_split.encode_ordinary(text)
        write(f"{name}.r50ksplit.u32", "I", ids)
        entry["r50ksplit_tokens"] = len(ids)
        for pattern, source in PATTERNS.items() if name != "unicode" else []:
            lengths = [len(m.group(0).encode("utf-8")) for m in regex.finditer(source, text)]
            assert sum(lengths) == len(data), "pieces must tile the text"
            assert max(lengths) < 65536
            write(f"{name}.{pattern}.pieces.u16", "H", lengths)
            entry[f"{pattern}_pieces"] = len(lengths)
        manifest["texts"][name] = entry
        print(name, entry, file=sys.stderr)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

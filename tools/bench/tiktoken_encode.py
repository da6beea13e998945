#!/usr/bin/env python3
"""Encodes a text file with the real tiktoken (cl100k_base built from the bundled rank
file), single-threaded encode_ordinary: the reference `proteus-index encode` is compared to."""
import sys
import tiktoken
from tiktoken.load import load_tiktoken_bpe

PATTERN = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
SPECIALS = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}

ranks_path, text_path = sys.argv[1], sys.argv[2]
enc = tiktoken.Encoding("cl100k_base", pat_str=PATTERN, mergeable_ranks=load_tiktoken_bpe(ranks_path),
                        special_tokens=SPECIALS)
with open(text_path, encoding="utf-8") as f:
    text = f.read()
ids = enc.encode_ordinary(text)
print(len(ids))

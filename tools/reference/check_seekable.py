#!/usr/bin/env python3
"""Reads .tok files through pyzstd's SeekableZstdFile, a reader of the zstd seekable format,
so the Swift tests can compare what it reads with what proteus-index reads.

  check_seekable.py SPEC.json

SPEC: {"files": [{"path": P, "width": 2 or 4, "reads": [[TOKEN_OFFSET, COUNT], ...]}]}
Prints one JSON object: {"files": [{"path": P, "seek_table": [FRAMES, COMPRESSED, DECOMPRESSED],
"reads": [[id, ...], ...]}]}, or {"path": P, "error": MESSAGE} for a file pyzstd refuses.
Each read seeks to the token's byte offset and reads COUNT tokens (fewer at the end).
"""
import json
import struct
import sys

from pyzstd import SeekableFormatError, SeekableZstdFile


def read_file(spec):
    width = spec["width"]
    code = {2: "H", 4: "I"}[width]
    try:
        f = SeekableZstdFile(spec["path"], "r")
    except SeekableFormatError as e:
        return {"path": spec["path"], "error": str(e)}
    with f:
        reads = []
        for offset, count in spec["reads"]:
            f.seek(offset * width)
            data = f.read(count * width)
            reads.append(list(struct.unpack(f"<{len(data) // width}{code}", data)))
        return {"path": spec["path"], "seek_table": list(f.seek_table_info), "reads": reads}


def main(argv):
    with open(argv[1]) as f:
        spec = json.load(f)
    json.dump({"files": [read_file(s) for s in spec["files"]]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)

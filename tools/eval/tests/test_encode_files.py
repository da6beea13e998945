import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np

import generate

SCRIPT = Path(__file__).resolve().parent.parent / "encode_files.py"


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_files_plain_and_gzipped_in_sorted_order_each_then_a_blank_line(tmp_path):
    (tmp_path / "b.txt").write_text("Second file: ret_ERRVAL.\n")
    with gzip.open(tmp_path / "a.log.gz", "wt") as f:
        f.write("First «\u00a0file\u00a0», gzipped.\n")
    out = tmp_path / "out.u32"
    r = run(out, tmp_path / "b.txt", tmp_path / "a.log.gz")
    assert r.returncode == 0, r.stderr
    enc = generate.load_encoding(generate.DEFAULT_RANKS)
    expected = enc.encode_ordinary("First «\u00a0file\u00a0», gzipped.\n\n\n") + enc.encode_ordinary("Second file: ret_ERRVAL.\n\n\n")
    assert np.fromfile(out, dtype="<u4").tolist() == expected
    assert f"{out}: {len(expected):,} tokens from 2 files" in r.stdout


def test_a_missing_file_is_named_and_nothing_is_written(tmp_path):
    out = tmp_path / "out.u32"
    r = run(out, tmp_path / "absent.txt")
    assert r.returncode == 1
    assert r.stderr == f"encode_files.py: {tmp_path / 'absent.txt'}: No such file or directory\n"
    assert not out.exists()


def test_a_file_missing_after_others_leaves_no_partial_output(tmp_path):
    # The files before it were already written out as encoded: none of it stays.
    (tmp_path / "a.txt").write_text("The first file is here.\n")
    out = tmp_path / "out.u32"
    r = run(out, tmp_path / "a.txt", tmp_path / "b-absent.txt")
    assert r.returncode == 1
    assert "b-absent.txt: No such file or directory" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]

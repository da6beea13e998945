import os
import stat

import pytest

import binary as cli
import report
import run


def test_quick_defaults():
    a = run.parse_args(["--quick"])
    assert a.length_list == [1_000_000] and a.depth_list == [0.0, 0.5, 1.0]
    assert a.task_list == list(run.needles.TASKS)
    assert a.method_list[0] == "proteus" and set(a.method_list) == set(run.ALL_METHODS)
    assert run.parse_args(["--depths", "0,50,100"]).depth_list == [0.0, 0.5, 1.0]


def test_unknown_task_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        run.parse_args(["--tasks", "niah,bogus"])
    assert e.value.code == 2
    assert "unknown task 'bogus'" in capsys.readouterr().err


def test_missing_binary_exits_3(tmp_path, capsys):
    assert run.main(["--quick", "--binary", str(tmp_path / "nope"), "--out", str(tmp_path / "R.md")]) == 3
    err = capsys.readouterr().err
    assert err.strip() == f"run.py: cannot evaluate end to end: {tmp_path / 'nope'}: no such executable"
    assert not (tmp_path / "R.md").exists()


def fake_cli(tmp_path, commands, hidden=""):
    """A stand-in executable that only prints argument-parser style help for `commands` (and the
    root help, exit 0, for anything else, as argument-parser does): it exercises capability
    detection, never produces results."""
    path = tmp_path / "old-proteus-index"
    cases = "\n".join(f'  {c}) case "$2" in --help*) echo "USAGE: proteus-index {c} {flags}"; exit 0;; esac;'
                      f' for a in "$@"; do case "$a" in --*) case " {flags} {hidden} " in *" $a "*) ;; *) [ "$a" = --help ] || '
                      f'{{ echo "Error: Unknown option \'$a\'" >&2; exit 64; }};; esac;; esac; done; exit 66;;'
                      for c, flags in commands.items())
    path.write_text(f'#!/bin/sh\ncase "$1" in\n{cases}\n  *) echo "USAGE: proteus-index <subcommand>"; exit 0;;\nesac\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_binary_without_build_or_keep_positions_exits_3(tmp_path, capsys):
    old = fake_cli(tmp_path, {"inspect": "<file>"})
    assert run.main(["--quick", "--binary", old, "--out", str(tmp_path / "R.md")]) == 3
    assert "lacks `build` subcommand, `query` subcommand" in capsys.readouterr().err
    newer = fake_cli(tmp_path, {"build": "<input> -o --signals", "query": "<index> --questions"})
    caps = cli.capabilities(newer)
    assert caps.build and caps.query and caps.signals and caps.questions_file
    assert not caps.keep_positions and not caps.scan
    a = run.parse_args(["--quick"])
    skipped = run.drop_unsupported(a, caps, newer)
    assert a.method_list == [m for m in run.ALL_METHODS if m not in run.KEEP]
    assert skipped == {m: f"{newer} lacks `build --keep-positions`" for m in run.KEEP}
    assert "run.py: not running random: " in capsys.readouterr().err


def test_hidden_option_is_found_by_probing(tmp_path):
    binary = fake_cli(tmp_path, {"build": "<input> -o"}, hidden="--signals --keep-positions")
    assert "--keep-positions" not in cli._help(binary, "build")
    caps = cli.capabilities(binary)
    assert caps.build and caps.keep_positions and caps.signals and not caps.query
    assert not cli._accepts(binary, "build", "--bogus", "1")


def rows():
    out = []
    for depth in (0.0, 0.5, 1.0):
        for m, ok in (("proteus", depth != 1.0), ("random", False)):
            out.append({"method": m, "length": 1_000_000, "task": "niah", "depth": depth, "retention": ok,
                        "top1": ok, "top5": ok, "heroes": 32768, "index_bytes": 10_000, "build_seconds": 0.5,
                        "query_seconds": 0.01, "peak_rss_bytes": 50 << 20})
    out.append({"method": "proteus", "length": 1_000_000, "task": "jigsaw", "depth": 0.5, "retention": True,
                "top1": False, "top5": True, "heroes": 32768, "build_seconds": 0.5, "query_seconds": 0.01})
    out.append({"method": "random", "length": 1_000_000, "task": "jigsaw", "depth": 0.5, "error": "query exited with 1"})
    out.append({"method": "stride", "length": 1_000_000, "task": "jigsaw", "depth": 0.5, "retention": False,
                "top1": False, "top5": False, "top5_chance": True, "recall5": 0.5})
    return out


def test_report_states_goals_honestly_and_draws_the_heatmap(tmp_path):
    meta = {"command": "python3 tools/eval/run.py --quick", "commit": "abc", "binary": "/b", "haystack": "essay",
            "seed": 1, "buffer": 32768, "chunk_len": 65536, "per_chunk": 4096, "span": 8, "threads": 2,
            "elapsed_seconds": 3.0, "heatmap_baseline": "random"}
    perf = [{"tokens": 1_000_000, "bytes": 4_000_000, "cat_seconds": 0.01, "zstd_dc_seconds": 0.02,
             "zstd_bytes": 1000, "lz4_dc_seconds": 0.02, "lz4_bytes": 2000}]
    out = tmp_path / "RESULTS.md"
    # natural.py's results beside it, rows of another shape: left out of "Other runs", not a crash.
    (tmp_path / "RESULTS-natural.json").write_text('{"corpus": "c", "rows": [{"kind": "phrase", "questions": 2}]}')
    report.write(out, tmp_path / "heatmap.png", meta, rows(), perf)
    text = out.read_text()
    assert "RESULTS-natural" not in text
    assert "| niah/single top-5 = 100% up to 100M | 1M | 66.7% of 3 | MISSED |" in text
    assert "| jigsaw top-5 >= 95% | 1M | 100.0% of 1 | met |" in text
    assert "| multikey/multivalue top-5 >= 95% | 1M | – | not run |" in text
    assert "| proteus | 67% / 67% / 67% (3) |" in text
    assert "| random | 0% / 0% / 0% (3) |" in text
    assert "[1 failed: query exited with 1]" in text
    assert "| stride | 0% / 0% / 0% / 50% (1) |" in text  # jigsaw shows value recall@5
    assert "1 cases where the values' text appeared in the top 5 only away from the needle (chance matches; stride: 1)" in text
    assert "| proteus | 1M | yes | 3.28e-02 |" in text
    assert "Commit: `abc`" in text and "RE-IMPLEMENTATION" not in text  # cpu-fallback was not run
    assert (tmp_path / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(tmp_path / "heatmap.png") > 5000


def test_methods_aliases_and_order():
    a = run.parse_args(["--methods", "tantivy,stride,proteus-heroes,bm25,proteus"])
    assert a.method_list == ["proteus", "proteus-heroes", "tantivy", "stride"]  # bm25 is now tantivy


def test_query_options_follow_the_binarys_flags(tmp_path):
    a = run.parse_args(["--quick"])
    ev = run.Evaluator.__new__(run.Evaluator)
    ev.case_path = "/x/case.u32"
    ev.caps = cli.Capabilities(build=True, query=True, corpus=True, index_only=True)
    assert ev.query_options("proteus") == (("--corpus", "/x/case.u32"), "corpus given")
    assert ev.query_options("proteus-heroes") == (("--index-only",), "heroes (--index-only)")
    ev.caps = cli.Capabilities(build=True, query=True)
    assert ev.query_options("proteus") == ((), "heroes (this binary has no query --corpus)")
    assert ev.query_options("proteus-heroes") == ((), "heroes (plain query, no corpus)")
    binary = fake_cli(tmp_path, {"build": "<input> -o", "query": "<index> --questions --corpus --index-only"})
    caps = cli.capabilities(binary)
    assert caps.corpus and caps.index_only


def test_results_record_no_machine_paths(tmp_path):
    cmd = run.portable_command(["--quick", "--binary", str(run.HERE.parents[1] / ".build/release/proteus-index"),
                                "--scratch", str(tmp_path), "--unique-tokens", str(tmp_path / "u.u32"),
                                "--out", str(run.HERE / "RESULTS-x.md")])
    assert cmd == ("python3 tools/eval/run.py --quick --binary .build/release/proteus-index --scratch <scratch> "
                   "--unique-tokens $PROTEUS_EVAL_DATA/u.u32 --out tools/eval/RESULTS-x.md")
    assert run.portable(str(tmp_path / "bin" / "proteus-index")) == "proteus-index"


def test_unique_haystack_missing_or_short_is_a_clear_error(tmp_path, capsys):
    out = str(tmp_path / "R.md")
    assert run.main(["--quick", "--haystack", "unique", "--methods", "tantivy", "--unique-tokens",
                     str(tmp_path / "none.u32"), "--out", out]) == 2
    assert "install-text.sh" in capsys.readouterr().err
    (tmp_path / "u.u32").write_bytes(b"\0" * 4000)
    assert run.main(["--quick", "--haystack", "unique", "--methods", "tantivy", "--unique-tokens",
                     str(tmp_path / "u.u32"), "--out", out]) == 2
    assert "holds 1,000 tokens of unique text, fewer than the 1,000,000 asked" in capsys.readouterr().err


def test_unique_report_judges_issue_goals_and_shows_methods_side_by_side(tmp_path):
    meta = {"command": "python3 tools/eval/run.py --quick --haystack unique", "commit": "abc", "binary": "proteus-index",
            "haystack": "unique", "seed": 1, "buffer": 32768, "chunk_len": 65536, "per_chunk": 4096, "span": 8,
            "threads": 2, "elapsed_seconds": 3.0, "heatmap_baseline": "tantivy",
            "haystack_source": {"unique_file": "unique.u32", "unique": {"tokens": 20_000_000, "sha256": "ab" * 32,
                                "sources": {"kernel": {"tokens": 2_000_000}}, "repeated_32_token_windows": 0.0},
                                "lookalike_words": {"source": "WordNet", "adjectives": 3, "nouns": 4, "words": 5}}}
    rows = []
    for depth in (0.0, 0.5, 1.0):
        for task in ("lookalike", "niah"):
            rows.append({"method": "proteus", "length": 10**6, "task": task, "depth": depth, "retention": True,
                         "top1": depth > 0, "top5": True, "index_bytes": 7_000_000, "query_seconds": 0.02,
                         "build_seconds": 1.0, "heroes": 32768, "mode": "heroes"})
            rows.append({"method": "proteus-heroes", "length": 10**6, "task": task, "depth": depth, "retention": False,
                         "top1": False, "top5": False, "index_bytes": 7_000_000, "query_seconds": 0.02,
                         "build_seconds": 1.0, "heroes": 32768})
            rows.append({"method": "tantivy", "length": 10**6, "task": task, "depth": depth, "retention": True,
                         "top1": True, "top5": True, "index_bytes": 1_500_000, "store_bytes": 60_000,
                         "build_seconds": 2.0, "decode_seconds": 0.5, "query_seconds": 0.0007, "passages": 15624,
                         "window": 128, "stride": 64})
    out = tmp_path / "R.md"
    report.write(out, tmp_path / "h.png", meta, rows, [])
    text = out.read_text()
    assert "## Goals (issue 10: text that never repeats, corpus present)" in text
    assert "| multikey top-1 >= 95% (incl. the lookalike haystack) | 1M | 66.7% of 3 | MISSED |" in text
    assert "| niah top-5 = 100% | 1M | 100.0% of 3 | met |" in text
    assert "| 1M | lookalike | top1 | 67% (3) | 0% (3) | 100% (3) | 0% | heroes | MISSED |" in text
    assert "| 1M | niah | top5 | 100% (3) | 0% (3) | 100% (3) | 0% | heroes | met |" in text
    assert "| 1M | 1,500,000 | 1.500 | 60,000 | 2.00 (0.50 + 1.50) | 0.70 | 15,624 of 128 tokens every 64 |" in text
    assert "unique English text from Debian packages" in text and "kernel 2.00M" in text
    assert "keys from WordNet" in text


def test_lookalike_only_report_names_no_haystack_and_lists_the_windows_read(tmp_path):
    meta = {"command": "python3 tools/eval/run.py --tasks lookalike", "commit": "abc", "binary": "proteus-index",
            "haystack": "synthetic", "seed": 1, "buffer": 32768, "chunk_len": 65536, "per_chunk": 4096, "span": 8,
            "threads": 2, "elapsed_seconds": 3.0, "heatmap_baseline": "proteus-heroes",
            "haystack_source": {"lookalike_words": {"source": "WordNet", "adjectives": 3, "nouns": 4, "words": 5}}}
    rows = [{"method": m, "length": 10**9, "task": "lookalike", "depth": d, "retention": False, "top1": m == "proteus",
             "top5": m == "proteus", "index_bytes": 1, "query_seconds": 0.25, "build_seconds": 30.0, "heroes": 32768,
             "windows_read": 3814 if m == "proteus" else 0, "candidate_windows": 61036 if m == "proteus" else 0,
             "stopped_at_window_limit": m == "proteus", "elapsed_ms": 201.5}
            for d in (0.0, 0.5) for m in ("proteus", "proteus-heroes")]
    out = tmp_path / "R.md"
    report.write(out, tmp_path / "h.png", meta, rows, [])
    text = out.read_text()
    assert "Haystack: none written (--haystack synthetic unused): the lookalike task brings its own" in text
    assert "SYNTHETIC" not in text
    assert "| 1B | lookalike | 0.5 | yes | 3,814 / 61,036 | yes | 250 / 202 |" in text


@pytest.mark.parametrize("haystack", ["unique", "synthetic"])
def test_unique_and_synthetic_haystacks_run_end_to_end_with_tantivy(tmp_path, enc, essays, haystack):
    """Without a binary (tantivy alone): the haystack is cut from (or generated from) a small
    unique-text file, a needle goes in, tantivy finds it, the report says what the text was."""
    pytest.importorskip("tantivy")
    import json

    import numpy as np

    src = tmp_path / "u.u32"
    np.concatenate(essays).astype("<u4").tofile(src)  # stands in for corpus.py's output
    out = tmp_path / "R.md"
    assert run.main(["--lengths", "60k", "--depths", "0.5", "--tasks", "single-numbers", "--methods", "tantivy",
                     "--haystack", haystack, "--unique-tokens", str(src), "--no-perf", "--scratch", str(tmp_path),
                     "--out", str(out)]) == 0
    data = json.loads(out.with_suffix(".json").read_text())
    rows = {r["task"]: r for r in data["rows"]}
    assert rows["single-numbers"]["top5"] and rows["single-numbers"]["index_bytes"] > 0
    text = out.read_text()
    if haystack == "synthetic":
        (run_stats,) = data["meta"]["haystack_source"]["synthetic"]["runs"]
        assert run_stats["tokens"] == 60_000 and run_stats["synthetic"]
        assert "**SYNTHETIC** text" in text
    else:
        assert "unique English text from Debian packages" in text
    assert (tmp_path / "heatmap-R.png").exists()

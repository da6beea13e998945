#!/usr/bin/env python3
"""Builds one proteus-index over a corpus with Ray (issue 12): `learn` once, N shard builds
(`build --shard i/N --dna`) as Ray tasks each calling the CLI on shared storage, then a tree
of merges, also Ray tasks: two neighbouring ranges of finished shards merge (`merge --partial`)
as soon as both exist, and the merge that covers shards 1..N writes the output.

    python3 tools/cluster/ray_build.py CORPUS... --shards N -o all.phb [--address auto] [-- BUILD OPTIONS]

Progress goes to stderr. A shard that fails is retried once; a second failure stops the run
with the shard's own message and exit status 1, and leaves an earlier all.phb untouched (the
merge writes atomically, and is never started). The result is byte-identical to a single
`build --dna` of the whole corpus. Without --address a local Ray runtime is started with
--num-cpus CPUs (the test uses 2).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run_cli(command: list[str]) -> tuple[int, str]:
    """Runs one proteus-index command; (exit status, last line of its stderr)."""
    p = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    return p.returncode, lines[-1] if lines else ""


def say(message: str) -> None:
    print(f"ray_build: {message}", file=sys.stderr, flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="+", help="token files or directories (on storage every worker sees)")
    p.add_argument("--shards", type=int, required=True, help="number of shard builds (N)")
    p.add_argument("-o", "--output", required=True, help="the merged index")
    p.add_argument("--binary", default=os.environ.get("PROTEUS_INDEX_BIN", "proteus-index"))
    p.add_argument("--address", help="an existing Ray cluster ('auto'); default: start a local one")
    p.add_argument("--num-cpus", type=int, default=os.cpu_count() or 1, help="CPUs of the local Ray runtime")
    p.add_argument("--work", help="folder for the .dna and the shard indexes (default: beside the output)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args(argv)
    if args.shards < 1:
        p.error("--shards must be at least 1")
    args.build_options = extra
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    import ray  # imported late: --help works without Ray

    started = time.monotonic()
    output = os.path.abspath(args.output)
    work = args.work or tempfile.mkdtemp(prefix=".ray-build-", dir=os.path.dirname(output))
    os.makedirs(work, exist_ok=True)
    binary = shutil.which(args.binary) or args.binary
    corpus = [os.path.abspath(c) for c in args.corpus]
    try:
        dna = os.path.join(work, "corpus.dna")
        status, message = run_cli([binary, "learn", *corpus, "-o", dna, *learn_options(args.build_options)])
        if status != 0:
            say(f"learn failed (exit {status}): {message}")
            return 1
        say(f"learned the DNA in {time.monotonic() - started:.1f} s")

        if args.address:
            ray.init(address=args.address, log_to_driver=False)
        else:
            ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)

        @ray.remote(max_retries=0)
        def build_shard(i: int) -> tuple[int, str]:
            part = os.path.join(work, f"part-{i}.phb")
            return run_cli([binary, "build", *corpus, "--dna", dna, "--shard", f"{i}/{args.shards}",
                            "-o", part, "--quiet", "--threads", "1", *build_options(args.build_options)])

        @ray.remote(max_retries=0)
        def merge(inputs: list[str], out: str, partial: bool) -> tuple[int, str]:
            return run_cli([binary, "merge", *(["--partial"] if partial else []), *inputs, "-o", out])

        n = args.shards
        # Each task's ref -> what it is: ("shard", i, attempt) or ("merge", first, last, path, inputs).
        pending: dict = {build_shard.remote(i): ("shard", i, 1) for i in range(1, n + 1)}
        ready: dict[int, tuple[int, str]] = {}  # finished ranges of shards: first -> (last, index path)
        built = 0

        def start_merges() -> None:
            """Merges every two neighbouring finished ranges; the one covering 1..N is the output."""
            firsts = sorted(ready)
            k = 0
            while k + 1 < len(firsts):
                a, b = firsts[k], firsts[k + 1]
                if ready[a][0] + 1 == b:
                    last = ready[b][0]
                    inputs = [ready.pop(a)[1], ready.pop(b)[1]]
                    whole = a == 1 and last == n
                    out = output if whole else os.path.join(work, f"merge-{a}-{last}.phb")
                    pending[merge.remote(inputs, out, not whole)] = ("merge", a, last, out, inputs)
                    k += 2
                else:
                    k += 1
            if n == 1 and 1 in ready:
                path = ready.pop(1)[1]
                pending[merge.remote([path], output, False)] = ("merge", 1, 1, output, [path])

        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            ref = done[0]
            task = pending.pop(ref)
            status, message = ray.get(ref)
            if task[0] == "merge":
                _, first, last, out, inputs = task
                if status != 0:
                    say(f"merge of shards {first}-{last}/{n} failed (exit {status}): {message}; {args.output} left as it was")
                    return 1
                if not args.keep:
                    for used in inputs:  # shard indexes are as large as the result: free the disk
                        os.unlink(used)
                if out == output:
                    say(f"merged {n} shards into {args.output} in {time.monotonic() - started:.1f} s")
                    return 0
                say(f"merged shards {first}-{last}/{n} ({time.monotonic() - started:.1f} s)")
                ready[first] = (last, out)
                start_merges()
                continue
            _, i, attempt = task
            if status == 0:
                built += 1
                say(f"shard {i}/{n} built ({built} of {n} done, {time.monotonic() - started:.1f} s)")
                ready[i] = (i, os.path.join(work, f"part-{i}.phb"))
                start_merges()
            elif attempt == 1:
                say(f"shard {i}/{n} failed (exit {status}: {message}); retrying once")
                pending[build_shard.remote(i)] = ("shard", i, 2)
            else:
                say(f"shard {i}/{n} failed twice (exit {status}: {message}); stopping, {args.output} left as it was")
                for other in pending:
                    ray.cancel(other, force=True)
                return 1
        say("internal error: the merges ended without covering every shard")
        return 1
    finally:
        if ray.is_initialized():
            ray.shutdown()
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


LEARN_ONLY = {"--embeddings", "--embedding-tensor", "--focus", "--focus-file"}
LEARNED = {"--tokenizer", "--chunk-len", "--per-chunk", "--top-p", "--signals", "--split-pattern"} | LEARN_ONLY


def learn_options(options: list[str]) -> list[str]:
    """The options `learn` takes (the DNA's: tokenizer, chunk, champions, signals, features, focus)."""
    return select(options, LEARNED)


def build_options(options: list[str]) -> list[str]:
    """The options a shard build takes: all but those the DNA already holds."""
    every = {o.split("=", 1)[0] for o in options if o.startswith("--")}
    return select(options, every - LEARN_ONLY)


def select(build_options: list[str], takes: set[str]) -> list[str]:
    """The options named in `takes`, each with its value."""
    out: list[str] = []
    k = 0
    while k < len(build_options):
        option = build_options[k]
        name = option.split("=", 1)[0]
        if name in takes:
            out.append(option)
            if "=" not in option and k + 1 < len(build_options):
                out.append(build_options[k + 1])
                k += 1
        k += 1
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

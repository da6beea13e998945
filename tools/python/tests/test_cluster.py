"""The cluster drivers of issue 12 end to end: tools/cluster/ray_build.py on a local Ray
runtime (ray.init(num_cpus=2)) and tools/cluster/slurm_build.sh's job scripts, each compared
byte for byte with a single `build --dna` of the same corpus. Without Ray installed the Ray
tests are skipped with the reason (failed under tools/test.sh)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import ESSAYS, REPO, TOKENIZER, require, run_cli

CLUSTER = REPO / "tools" / "cluster"
SHAPE = ["--tokenizer", str(TOKENIZER), "--chunk-len", "4096", "--buffer", "4096"]


@pytest.fixture(scope="module")
def corpus(binary: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled essays as one .tok, and its single `build --dna` index."""
    folder = tmp_path_factory.mktemp("cluster")
    tok = folder / "essays.tok"
    run_cli(binary, "encode", str(ESSAYS), "-o", str(tok), "--tokenizer", str(TOKENIZER), "--quiet")
    dna = folder / "single.dna"
    run_cli(binary, "learn", str(tok), "-o", str(dna), *SHAPE[:4])
    single = folder / "single.phb"
    run_cli(binary, "build", str(tok), "--dna", str(dna), "-o", str(single), "--quiet", *SHAPE)
    return {"folder": folder, "tok": tok, "single": single}


def ray_build(binary: str, corpus: dict[str, Path], output: Path, shards: int = 3) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CLUSTER / "ray_build.py"), str(corpus["tok"]), "--shards", str(shards),
                           "-o", str(output), "--binary", binary, "--num-cpus", "2", "--", *SHAPE],
                          capture_output=True, text=True, timeout=600)


def failing_binary(folder: Path, binary: str, times: int) -> str:
    """A wrapper of the tool whose `build --shard 2/3` fails the first `times` times."""
    wrapper = folder / f"fails-{times}.sh"
    count = folder / f"fails-{times}.count"
    wrapper.write_text(f"""#!/usr/bin/env bash
if [[ " $* " == *" --shard 2/3 "* ]]; then
  n=$(cat {count} 2>/dev/null || echo 0); echo $((n + 1)) > {count}
  if [ "$n" -lt {times} ]; then echo "proteus-index: injected failure $((n + 1))" >&2; exit 74; fi
fi
exec {binary} "$@"
""")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


def test_ray_build_equals_the_single_build(binary: str, corpus: dict[str, Path]) -> None:
    require("ray")
    output = corpus["folder"] / "ray.phb"
    done = ray_build(binary, corpus, output)
    assert done.returncode == 0, done.stderr
    assert "shard 3/3 built" in done.stderr and "merged 3 shards" in done.stderr
    # A tree: two neighbouring shards merge first (--partial), the last merge covers all three.
    assert re.search(r"merged shards (1-2|2-3)/3", done.stderr), done.stderr
    assert output.read_bytes() == corpus["single"].read_bytes()


def test_ray_build_retries_a_shard_once_then_fails_loudly(binary: str, corpus: dict[str, Path]) -> None:
    require("ray")
    once = corpus["folder"] / "retried.phb"
    done = ray_build(failing_binary(corpus["folder"], binary, 1), corpus, once)
    assert done.returncode == 0, done.stderr
    assert "shard 2/3 failed (exit 74: proteus-index: injected failure 1); retrying once" in done.stderr
    assert once.read_bytes() == corpus["single"].read_bytes()
    # Failing twice: exit 1, the shard's message, and the earlier index left as it was.
    earlier = corpus["folder"] / "earlier.phb"
    earlier.write_bytes(b"the earlier index")
    done = ray_build(failing_binary(corpus["folder"], binary, 2), corpus, earlier)
    assert done.returncode == 1
    assert "shard 2/3 failed twice (exit 74: proteus-index: injected failure 2)" in done.stderr
    assert earlier.read_bytes() == b"the earlier index"


def test_slurm_dry_run_prints_the_jobs_and_its_scripts_build_the_index(binary: str, corpus: dict[str, Path]) -> None:
    """The three sbatch lines with their dependencies; then the job scripts it wrote, run as
    Slurm would run them (array tasks 0..2 with SLURM_ARRAY_TASK_ID), give the single build.
    Slurm itself is not run here: tools/cluster/slurm_local.sh runs it for real (see the README)."""
    output = corpus["folder"] / "slurm.phb"
    work = corpus["folder"] / "slurm-work"
    done = subprocess.run(["bash", str(CLUSTER / "slurm_build.sh"), "--dry-run", "--binary", binary, "--work", str(work),
                           "--shards", "3", "-o", str(output), str(corpus["tok"]), "--", *SHAPE],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("sbatch")]
    assert len(lines) == 3
    assert "--job-name=proteus-learn" in lines[0] and "--dependency" not in lines[0]
    assert "--array=0-2" in lines[1] and "--dependency=afterok:LEARN_JOB" in lines[1]
    assert "--dependency=afterok:SHARD_JOB" in lines[2] and "--array" not in lines[2]
    assert all("--kill-on-invalid-dep=yes" in line for line in lines)
    subprocess.run(["bash", str(work / "learn.sbatch")], check=True)
    for task in range(3):
        subprocess.run(["bash", str(work / "shard.sbatch")], check=True, env={**os.environ, "SLURM_ARRAY_TASK_ID": str(task)})
    subprocess.run(["bash", str(work / "merge.sbatch")], check=True)
    assert output.read_bytes() == corpus["single"].read_bytes()
    bad = subprocess.run(["bash", str(CLUSTER / "slurm_build.sh"), "--dry-run", "--shards", "0", "-o", str(output),
                          str(corpus["tok"])], capture_output=True, text=True)
    assert bad.returncode == 64 and "--shards must be a positive integer" in bad.stderr

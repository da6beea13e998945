#!/usr/bin/env bash
# Crash-safety test: rebuild an index over an existing one and SIGKILL `proteus-index build`
# at random moments (and, every few rounds, exactly while the temporary output file exists).
# After every kill the old index must be intact (bytes unchanged, or equal to a complete new
# build when the kill came after the rename), pass `inspect --verify`, at most one stale
# temporary file (the killed run's own) may exist, and the next run must sweep it away.
# Finally Ctrl-C (SIGINT) during the write must leave no temporary file.
#
# Usage: tools/kill_test.sh [KILLS=20]
#   PROTEUS_BIN  binary to test (default: .build/release/proteus-index, else .build/debug/)
#   TOKENS       corpus size in u32 tokens (default: sized so one build takes ~1 s)
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-20}
BIN=${PROTEUS_BIN:-}
if [[ -z "$BIN" ]]; then
    if [[ -x .build/release/proteus-index ]]; then BIN=.build/release/proteus-index
    else BIN=.build/debug/proteus-index; fi
fi
[[ -x "$BIN" ]] || { echo "kill_test: no binary at $BIN (run swift build first)" >&2; exit 2; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d /tmp/proteus-kill-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

exec python3 - "$BIN" "$WORK" "$KILLS" "${TOKENS:-0}" <<'PY'
import os, random, signal, subprocess, sys, time, filecmp, glob, shutil
binary, work, kills, tokens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
corpus, index = os.path.join(work, "corpus.u32"), os.path.join(work, "corpus.phb")

def make_corpus(n):
    # Zipf-like ids so the scorer has real structure to work on (not only noise).
    import numpy as np
    ids = (np.random.default_rng(7).zipf(1.3, size=n) % 50000).astype("<u4")
    ids.tofile(corpus)

def build(out, *extra):
    t = time.monotonic()
    subprocess.run([binary, "build", corpus, "-o", out, "--quiet", *extra], check=True)
    return time.monotonic() - t

def temps():
    return glob.glob(os.path.join(work, ".corpus.phb.proteus-tmp-*"))

def verify(path):
    r = subprocess.run([binary, "inspect", "--verify", path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: inspect --verify {path}: {r.stderr.strip()}")

n = tokens or 200_000
make_corpus(n)
if not tokens:  # grow the corpus until a build takes ~1 s with this binary
    while True:
        took = build(os.path.join(work, "probe.phb"))
        if took >= 0.7 or n >= 64_000_000: break
        n = int(n * min(8.0, 1.0 / max(took, 0.05)))
        make_corpus(n)
old, new = os.path.join(work, "old.phb"), os.path.join(work, "new.phb")
build(old, "--buffer", "16384")          # the existing index differs from what a rebuild writes
duration = build(new)
print(f"corpus {n} tokens, complete build {duration:.2f} s, {kills} kills, binary {binary}")
shutil.copyfile(old, index)

def wait(p):
    try: p.wait(timeout=duration * 10 + 10)
    except subprocess.TimeoutExpired:
        p.kill(); sys.exit(f"FAIL: build pid {p.pid} hung after the signal")

def spawn():
    return subprocess.Popen([binary, "build", corpus, "-o", index, "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def kill_when_temp_appears(p, sig, limit):
    # Polls for the temporary output so the signal lands while it is being written.
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and p.poll() is None:
        if any(str(p.pid) in t for t in temps()):
            p.send_signal(sig); return True
    if p.poll() is None: p.send_signal(sig)
    return False

outcomes = {"old": 0, "new": 0}
random.seed(int(os.environ.get("SEED", "1")))
for i in range(kills):
    p = spawn()
    if i % 4 == 3:
        kill_when_temp_appears(p, signal.SIGKILL, duration * 3)
    else:
        time.sleep(random.uniform(0, duration * 1.1))
        p.send_signal(signal.SIGKILL)
    wait(p)
    if filecmp.cmp(index, old, shallow=False): outcomes["old"] += 1
    elif filecmp.cmp(index, new, shallow=False): outcomes["new"] += 1; shutil.copyfile(old, index)
    else: sys.exit(f"FAIL round {i}: index is neither the old one nor a complete new build")
    verify(index)
    left = temps()  # a kill leaves at most its own file: the next run sweeps it
    if len(left) > 1: sys.exit(f"FAIL round {i}: {len(left)} temporary files accumulate: {sorted(left)}")

# The next run sweeps the stale temporary file of the last killed run and succeeds.
build(index)
if not filecmp.cmp(index, new, shallow=False): sys.exit("FAIL: the build after the kills differs from a clean build")
verify(index)
if temps(): sys.exit(f"FAIL: temporary files left after a complete build: {temps()}")

# Ctrl-C while the temporary output exists: the signal handler removes it, the old index stays.
shutil.copyfile(old, index)
interrupted = 0
for i in range(3):
    p = spawn()
    hit = kill_when_temp_appears(p, signal.SIGINT, duration * 3)
    wait(p)
    interrupted += hit and p.returncode == -signal.SIGINT
    if temps(): sys.exit(f"FAIL: SIGINT left temporary files: {temps()}")
    if not (filecmp.cmp(index, old, shallow=False) or filecmp.cmp(index, new, shallow=False)):
        sys.exit("FAIL: SIGINT damaged the index")
    verify(index)
    shutil.copyfile(old, index)
print(f"ok: {kills} SIGKILLs (index kept old bytes {outcomes['old']}x, complete new build {outcomes['new']}x), "
      f"{interrupted}/3 SIGINTs during the write, no temporary file left")
PY

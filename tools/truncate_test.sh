#!/usr/bin/env bash
# Files that change underneath: truncate the corpus at random moments while `proteus-index
# build` is reading it (mapped), ROUNDS times for a raw .u32 corpus and ROUNDS times for a
# zstd .tok. Every run must either finish (the truncation came after the last read) or exit
# 65 with the one-line "file shrank from N to M bytes while being read" message: from the
# reader's check before each window, or from the SIGBUS handler (ProcessSignals) when the
# truncation lands while a window's pages are being read. Never a crash, never a partial or
# damaged output (the index that was there before stays byte for byte), no temporary file.
#
# Usage: tools/truncate_test.sh [ROUNDS=20]
#   PROTEUS_BIN  binary to test (default: .build/release/proteus-index, else .build/debug/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
BIN=${PROTEUS_BIN:-}
if [[ -z "$BIN" ]]; then
    if [[ -x .build/release/proteus-index ]]; then BIN=.build/release/proteus-index
    else BIN=.build/debug/proteus-index; fi
fi
[[ -x "$BIN" ]] || { echo "truncate_test: no binary at $BIN (run swift build first)" >&2; exit 2; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d /tmp/proteus-truncate-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

exec python3 - "$BIN" "$WORK" "$ROUNDS" <<'PY'
import glob, os, random, re, shutil, subprocess, sys, time
binary, work, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
import numpy as np
master = os.path.join(work, "master.u32")
(np.random.default_rng(5).zipf(1.3, size=24_000_000) % 50000).astype("<u4").tofile(master)
subprocess.run([binary, "convert", master, "-o", os.path.join(work, "master.tok"), "--quiet"], check=True)
index = os.path.join(work, "corpus.phb")
random.seed(int(os.environ.get("SEED", "1")))
shrank = re.compile(r"^proteus-index: (\S+): file shrank from (\d+) to (\d+) bytes while being read\n$")
summary = []
for ext in ("u32", "tok"):
    corpus = os.path.join(work, "corpus." + ext)
    shutil.copyfile(os.path.join(work, "master." + ext), corpus)
    t = time.monotonic()
    subprocess.run([binary, "build", corpus, "-o", index, "--quiet"], check=True)
    duration = time.monotonic() - t
    old = open(index, "rb").read()
    outcomes = {"finished": 0, "reported": 0}
    for i in range(rounds):
        shutil.copyfile(os.path.join(work, "master." + ext), corpus)
        size = os.path.getsize(corpus)
        p = subprocess.Popen([binary, "build", corpus, "-o", index, "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(random.uniform(0.05, 1.0) * duration)
        cut = random.randrange(0, size // 2)
        os.truncate(corpus, cut)
        try: _, err = p.communicate(timeout=duration * 10 + 10)
        except subprocess.TimeoutExpired:
            p.kill(); sys.exit(f"FAIL {ext} round {i}: build hung after the truncation")
        if p.returncode == 0:
            outcomes["finished"] += 1                      # read everything before the cut
            old = open(index, "rb").read()
            continue
        m = shrank.match(err)
        if p.returncode != 65 or not m or m.group(1) != corpus or int(m.group(3)) != cut:
            sys.exit(f"FAIL {ext} round {i}: exit {p.returncode}, stderr {err!r}")
        if open(index, "rb").read() != old:
            sys.exit(f"FAIL {ext} round {i}: the existing index changed")
        if glob.glob(os.path.join(work, ".corpus.phb.proteus-tmp-*")):
            sys.exit(f"FAIL {ext} round {i}: a temporary file was left")
        outcomes["reported"] += 1
    summary.append(f"{ext}: {outcomes['reported']} clear errors, {outcomes['finished']} finished first")
print(f"ok: {rounds} truncations per corpus ({'; '.join(summary)}); no crash, no damaged index, no temporary file")
PY

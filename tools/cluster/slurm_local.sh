#!/usr/bin/env bash
# Runs tools/cluster/slurm_build.sh for real on a one-machine Slurm cluster that this script
# starts and stops: slurmctld and slurmd on this host (Debian's slurmctld, slurmd,
# slurm-client and munge packages), with their configuration, state, logs, ports and their own
# munged (key and socket in the scratch folder), so no system Slurm or munge is touched. It submits learn, the shard array
# and the merge, waits for them, and checks the result is byte-identical to a single
# `build --dna` with the same DNA. Needs root (slurmd runs jobs as their user).
#
# Usage: tools/cluster/slurm_local.sh [--shards N] [--binary PATH] CORPUS [-- BUILD OPTIONS]
# Exit: 0 identical, 1 a job failed or the result differs, 69 Slurm or munge missing, 77 not root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards=3; binary=${PROTEUS_INDEX_BIN:-proteus-index}; corpus=""; options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards=$2; shift ;;
    --binary) binary=$2; shift ;;
    --) shift; options=("$@"); break ;;
    *) corpus=$1 ;;
  esac
  shift
done
[ -n "$corpus" ] || { echo "slurm_local.sh: no corpus given" >&2; exit 64; }
for tool in slurmctld slurmd sbatch squeue munged mungekey; do
  command -v "$tool" >/dev/null || {
    echo "slurm_local.sh: $tool not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 69; }
done
[ "$(id -u)" -eq 0 ] || { echo "slurm_local.sh: slurmd must run as root" >&2; exit 77; }
binary=$(command -v "$binary" || echo "$binary")
corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/slurm-local.XXXXXX")
export SLURM_CONF=$scratch/slurm.conf
stop() {
  for pid in "$scratch"/slurmd.pid "$scratch"/slurmctld.pid "$scratch"/munged.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  sleep 1
  [ -n "${SLURM_LOCAL_KEEP:-}" ] && echo "slurm_local.sh: kept $scratch" >&2 || rm -rf "$scratch"
}
trap stop EXIT
host=$(hostname -s)
mkdir -p "$scratch"/{state,spool,log,work}
cat > "$SLURM_CONF" <<CONF
ClusterName=proteus-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$scratch/munge.socket
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mungekey --create --keyfile="$scratch/munge.key"
munged --force --key-file="$scratch/munge.key" --socket="$scratch/munge.socket" --pid-file="$scratch/munged.pid" \
  --seed-file="$scratch/munged.seed" --log-file="$scratch/log/munged.log"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %T | grep -q idle || { echo "slurm_local.sh: the local node never became idle" >&2; cat "$scratch"/log/*.log >&2; exit 1; }
echo "slurm_local.sh: Slurm $(sinfo -V | awk '{print $2}') up on $host ($(nproc) CPUs)" >&2

started=$(date +%s.%N)
output=$scratch/out/all.phb
"$here/slurm_build.sh" --binary "$binary" --work "$scratch/out/jobs" --shards "$shards" -o "$output" "$corpus" \
  ${options[@]+-- "${options[@]}"} >&2
for _ in $(seq 1 600); do [ -z "$(squeue -h -o %i)" ] && break; sleep 1; done
elapsed=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
if [ ! -f "$output" ]; then
  echo "slurm_local.sh: no merged index after the jobs ended; their logs:" >&2
  tail -n 5 "$scratch"/out/jobs/*.log >&2 || true
  exit 1
fi
build_opts=()
for o in ${options[@]+"${options[@]}"}; do case "$o" in --focus|--focus-file|--embeddings|--embedding-tensor) echo "slurm_local.sh: $o is not compared here" >&2; exit 64 ;; esac; build_opts+=("$o"); done
"$binary" build "$corpus" --dna "$scratch/out/jobs/corpus.dna" ${build_opts[@]+"${build_opts[@]}"} -o "$scratch/out/single.phb" --quiet
if cmp -s "$output" "$scratch/out/single.phb"; then
  echo "slurm_local.sh: learn, $shards array tasks and the merge ran under Slurm in $elapsed s; the index is byte-identical to the single build"
else
  echo "slurm_local.sh: the Slurm-built index differs from the single build" >&2
  exit 1
fi

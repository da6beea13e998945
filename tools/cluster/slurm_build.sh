#!/usr/bin/env bash
# Builds one proteus-index over a corpus with Slurm (issue 12): writes and submits three jobs,
#   1. learn   (the DNA, once),
#   2. build   a job array --array=0-(N-1), shard SLURM_ARRAY_TASK_ID+1 of N, after learn succeeds,
#   3. merge   all shards into the output, after every array task succeeds.
# The corpus, the work folder and the output must be on storage every node sees.
#
# Usage: tools/cluster/slurm_build.sh [--dry-run] [--binary PATH] [--work DIR] [--partition P]
#            --shards N -o all.phb CORPUS... [-- BUILD OPTIONS]
# --dry-run prints the job scripts' paths and the sbatch lines instead of submitting them.
# A failed array task stops the merge (afterok; --kill-on-invalid-dep cancels it rather than
# leaving it pending forever); all.phb is only replaced by a successful merge.
set -euo pipefail
dry=0; shards=""; output=""; binary=${PROTEUS_INDEX_BIN:-proteus-index}; work=""; partition=""
corpus=(); options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --shards) shards=$2; shift ;;
    -o|--output) output=$2; shift ;;
    --binary) binary=$2; shift ;;
    --work) work=$2; shift ;;
    --partition) partition=$2; shift ;;
    --) shift; options=("$@"); break ;;
    -*) echo "slurm_build.sh: unknown option '$1'" >&2; exit 64 ;;
    *) corpus+=("$1") ;;
  esac
  shift
done
[ ${#corpus[@]} -gt 0 ] || { echo "slurm_build.sh: no corpus given" >&2; exit 64; }
[ -n "$output" ] || { echo "slurm_build.sh: -o OUTPUT is required" >&2; exit 64; }
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "slurm_build.sh: --shards must be a positive integer (got '$shards')" >&2; exit 64; }
[ $dry -eq 1 ] || command -v sbatch >/dev/null || { echo "slurm_build.sh: sbatch not found (is Slurm installed?)" >&2; exit 69; }
work=${work:-$(dirname "$output")/.slurm-build-$(basename "$output")}
mkdir -p "$work"

# Options the DNA holds go to learn only; the tokenizer and the chunk shape go to both.
learn_opts=(); build_opts=()
i=0
while [ $i -lt ${#options[@]} ]; do
  o=${options[$i]}; v=""
  case "$o" in --*=*) ;; --*) if [ $((i + 1)) -lt ${#options[@]} ] && [[ "${options[$((i + 1))]}" != --* ]]; then v=${options[$((i + 1))]}; i=$((i + 1)); fi ;; esac
  name=${o%%=*}
  case "$name" in
    --embeddings|--embedding-tensor|--focus|--focus-file) learn_opts+=("$o" ${v:+"$v"}) ;;
    --tokenizer|--chunk-len|--per-chunk|--top-p|--signals|--split-pattern) learn_opts+=("$o" ${v:+"$v"}); build_opts+=("$o" ${v:+"$v"}) ;;
    *) build_opts+=("$o" ${v:+"$v"}) ;;
  esac
  i=$((i + 1))
done

q() { printf '%q ' "$@"; }
dna="$work/corpus.dna"
header="#!/usr/bin/env bash
set -euo pipefail"
cat > "$work/learn.sbatch" <<JOB
$header
$(q "$binary" learn "${corpus[@]}" -o "$dna" ${learn_opts[@]+"${learn_opts[@]}"})
JOB
cat > "$work/shard.sbatch" <<JOB
$header
i=\$((SLURM_ARRAY_TASK_ID + 1))
$(q "$binary" build "${corpus[@]}" --dna "$dna" ${build_opts[@]+"${build_opts[@]}"} --quiet) --shard "\$i/$shards" -o "$work/part-\$i.phb"
JOB
parts=(); for k in $(seq 1 "$shards"); do parts+=("$work/part-$k.phb"); done
cat > "$work/merge.sbatch" <<JOB
$header
$(q "$binary" merge "${parts[@]}" -o "$output")
JOB

common=(--parsable --output="$work/%x-%A_%a.log" --kill-on-invalid-dep=yes)
[ -n "$partition" ] && common+=(--partition="$partition")
learn_line=(sbatch "${common[@]}" --job-name=proteus-learn "$work/learn.sbatch")
if [ $dry -eq 1 ]; then
  echo "# job scripts in $work"
  echo "$(q "${learn_line[@]}")"
  echo "$(q sbatch "${common[@]}" --job-name=proteus-shard --array=0-$((shards - 1)) --dependency=afterok:LEARN_JOB "$work/shard.sbatch")"
  echo "$(q sbatch "${common[@]}" --job-name=proteus-merge --dependency=afterok:SHARD_JOB "$work/merge.sbatch")"
  exit 0
fi
learn_job=$("${learn_line[@]}")
shard_job=$(sbatch "${common[@]}" --job-name=proteus-shard --array=0-$((shards - 1)) --dependency=afterok:"$learn_job" "$work/shard.sbatch")
merge_job=$(sbatch "${common[@]}" --job-name=proteus-merge --dependency=afterok:"$shard_job" "$work/merge.sbatch")
echo "submitted: learn $learn_job, shards $shard_job (array 0-$((shards - 1))), merge $merge_job → $output"

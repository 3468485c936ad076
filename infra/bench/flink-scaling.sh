#!/usr/bin/env bash
# Throughput of `cdm generate` (and of `cdm fid` on its images) on a Flink session cluster of
# 1, 2, ... TaskManagers of FLINK_SLOTS slots each (default 1; parallelism = all slots), started with
# infra/flink/cluster.sh. Prints one JSON line per timed run on stdout; progress goes to stderr.
#
#   infra/bench/flink-scaling.sh [TASKMANAGERS...]      # default: 1 2
#
# Per cluster size: start the cluster, one untimed warm-up generate (the TaskManagers load libtorch
# and the network for the first time), then BENCH_REPEATS timed runs of each command, then stop.
# Each line has the job's duration as the JobManager reports it (job_s: from submission to the
# end, on the cluster), the wall time of the whole command (wall_s: also the client JVM, the job
# graph and its submission), images/s over job_s, and the job's Beam counters as Flink holds them
# (the accumulator the Flink web UI shows under the job's "Accumulators" tab).
#
# On a GPU host vary the slots of one TaskManager, not the TaskManagers: slot s of a TaskManager JVM
# samples on card s mod n (fid/WorkerSlots), so two one-slot TaskManagers of one host share card 0:
#   FLINK_SLOTS=1 DEVICE=gpu infra/bench/flink-scaling.sh 1; FLINK_SLOTS=2 DEVICE=gpu ... 1
#
# Environment (defaults in brackets):
#   BENCH_IMAGES   images per run [128]; at least the detector's features (64) for `cdm fid`
#   BENCH_STEPS    sampler steps [8]
#   BENCH_BATCH    seeds per batch [1]
#   BENCH_NETWORK  the network [the tests' 16x16 DDPM++ snapshot, pipelines' fixtures]
#   BENCH_DETECTOR, BENCH_REF   for `cdm fid` [the tests' tiny detector and its statistics]
#   BENCH_FID      1: time `cdm fid --images` of the generated images too [1]
#   BENCH_REPEATS  timed runs per command and cluster size [2]
#   BENCH_OUT      scratch folder [out/bench-flink]
#   DEVICE         --device of the commands [cpu]
# and those of cluster.sh (FLINK_SLOTS is fixed to 1 here unless set; OMP_NUM_THREADS=1).
# Needs curl, jq and python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fixtures="$root/pipelines/src/test/resources/fixtures"
images="${BENCH_IMAGES:-128}"
steps="${BENCH_STEPS:-8}"
batch="${BENCH_BATCH:-1}"
network="${BENCH_NETWORK:-$fixtures/ddpmpp-edm-cond.pkl}"
detector="${BENCH_DETECTOR:-$fixtures/tiny-detector.pt}"
ref="${BENCH_REF:-$fixtures/fid-refA.npz}"
repeats="${BENCH_REPEATS:-2}"
out="${BENCH_OUT:-$root/out/bench-flink}"
device="${DEVICE:-cpu}"
export FLINK_SLOTS="${FLINK_SLOTS:-1}"
export FLINK_RUN_DIR="$out/cluster"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1 2)

cluster() { "$root/infra/flink/cluster.sh" "$@"; }
trap 'cluster stop >/dev/null 2>&1 || true' EXIT

now() { date +%s.%N; }

# The last job the JobManager knows (by start time): its id.
last_job() {
  curl -sf "http://$master/jobs/overview" | jq -r '.jobs | max_by(."start-time") | .jid'
}

# The cdm counters of a finished job, summed over steps, as JSON: Beam hands them to Flink as the
# accumulator "__metricscontainers" (the job's "Accumulators" tab of the web UI), a JSON list of
# monitoring infos whose "payload" is the value as a base64 varint.
counters() {
  curl -sf "http://$master/jobs/$1/accumulators" | python3 -c '
import base64, json, sys
sums = {}
for acc in json.load(sys.stdin)["user-task-accumulators"]:
    if acc["name"] != "__metricscontainers":
        continue
    for info in json.loads(acc["value"])["metrics"]["attempted"]:
        labels = info.get("labels", {})
        if labels.get("NAMESPACE") != "cdm" or "sum_int64" not in info["type"]:
            continue
        value, shift = 0, 0
        for b in base64.b64decode(info["payload"]):
            value |= (b & 0x7F) << shift
            shift += 7
        sums[labels["NAME"]] = sums.get(labels["NAME"], 0) + value
print(json.dumps(sums, sort_keys=True))'
}

# run COMMAND LABEL ARGS...: one timed command on the cluster; prints its JSON line.
run() {
  local label="$1" n="$2"
  shift 2
  local t0 t1 jid job_ms
  t0="$(now)"
  "$root/cdm" "$@" --runner=FlinkRunner --flinkMaster="$master" --parallelism="$((n * FLINK_SLOTS))" \
    --filesToStage="$root/pipelines/target/cdm-pipelines.jar" >&2
  t1="$(now)"
  jid="$(last_job)"
  job_ms="$(curl -sf "http://$master/jobs/$jid" | jq '.duration')"
  jq -cn --arg command "$label" --argjson tms "$n" --argjson images "$images" \
    --argjson steps "$steps" --argjson batch "$batch" --arg network "$(basename "$network")" \
    --argjson job_ms "$job_ms" --argjson wall "$(echo "$t1 - $t0" | bc)" \
    --argjson counters "$(counters "$jid")" --argjson cores "$(nproc)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    '{bench: "flink-scaling", command: $command, taskmanagers: $tms,
      slots_per_tm: (env.FLINK_SLOTS | tonumber),
      parallelism: ($tms * (env.FLINK_SLOTS | tonumber)), images: $images}
      + (if $command == "generate" then {network: $network, steps: $steps, batch: $batch}
         else {} end) + {
      job_s: ($job_ms / 1000), wall_s: ($wall * 1000 | round / 1000),
      images_per_s: ($images / ($job_ms / 1000) * 100 | round / 100), counters: $counters,
      host: {cores: $cores, cpu: $cpu, load_after: $load}}'
}

mkdir -p "$out"
for n in "${sizes[@]}"; do
  echo "flink-scaling: $n TaskManager(s)" >&2
  master="$(cluster start "$n")"
  "$root/cdm" generate --network="$network" --outdir="$out/warm-up" --seeds=0-$((2 * n * FLINK_SLOTS - 1)) \
    --batch=1 --steps="$steps" --device="$device" --runner=FlinkRunner --flinkMaster="$master" \
    --parallelism="$((n * FLINK_SLOTS))" --filesToStage="$root/pipelines/target/cdm-pipelines.jar" >&2
  for r in $(seq 1 "$repeats"); do
    dir="$out/generated-$n-$r"
    rm -rf "$dir"
    run generate "$n" generate --network="$network" --outdir="$dir" --seeds=0-$((images - 1)) \
      --batch="$batch" --steps="$steps" --device="$device"
    if [[ "${BENCH_FID:-1}" == 1 ]]; then
      rm -f "$out/fid-$n-$r.txt"
      run fid "$n" fid --images="$dir" --ref="$ref" --detector="$detector" --num="$images" \
        --batch=16 --device="$device" --results="$out/fid-$n-$r.txt"
    fi
  done
  cluster stop
done

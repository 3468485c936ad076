# Sourced by the background GPU schedules (two-card-schedule.sh, fp32-two-cards.sh): their shared
# settings and the timed Flink generation run. Not a script of its own.
#   L     logs and bench.jsonl [/tmp/logs]      CDM  the java command line of dev.cdm.pipelines.Cdm
#   W     work folder [/tmp/e2e]                NUM  images of the evaluation runs [10000]
#   DET   the detector                          FLINK_IMAGES  images of the Flink runs [4096]
L="${L:-/tmp/logs}"
mkdir -p "$L"
: "${CDM:?set CDM to the java command line of dev.cdm.pipelines.Cdm}"
B="${B:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
export W="${W:-/tmp/e2e}" NUM="${NUM:-10000}" DET="${DET:?set DET to the detector}"
FLINK_IMAGES="${FLINK_IMAGES:-4096}"
now() { python3 -c 'import time; print(time.time())'; }
since() { python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$1"; }

# flink SLOTS DEVICES PRECISION: cdm generate of W/net.pkl on embedded Flink, one JSON line.
flink() {
  local t rc
  t=$(now)
  rm -rf "/tmp/flink-gen-$1"
  $CDM generate --network="$W/net.pkl" --seeds=0-$((FLINK_IMAGES - 1)) --outdir="/tmp/flink-gen-$1" \
    --device="$2" --runner=FlinkRunner --parallelism="$1" --precision="$3" --batch=64 > "$L/flink-$1.log" 2>&1
  rc=$?
  echo "{\"bench\": \"generate-flink\", \"precision\": \"$3\", \"slots\": $1, \"device\": \"$2\"," \
    "\"num\": $FLINK_IMAGES, \"rc\": $rc, \"pngs\": $(find "/tmp/flink-gen-$1" -name '*.png' | wc -l)," \
    "\"wall_s\": $(since "$t")}" >> "$L/bench.jsonl"
}

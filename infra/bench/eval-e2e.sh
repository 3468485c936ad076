#!/usr/bin/env bash
# End-to-end evaluation benchmark on the GPU machine: the reference's `generate.py` followed by its
# `fid.py calc`, against `cdm evaluate` on the same card, network, seeds, detector and statistics.
# Prints one JSON line per timed step ("bench": ...).
#
#   REF=path/to/cdm-reference-checkout W=/tmp/e2e NUM=10000 bash infra/bench/eval-e2e.sh reference
#   CDM="java ... dev.cdm.pipelines.Cdm" W=/tmp/e2e NUM=10000 bash infra/bench/eval-e2e.sh java fp32 gpu:0 1
#
#   reference  (python only) a randomly initialised DDPM++ CIFAR-10 EDMPrecond pickled by the
#              reference code (W/net.pkl); generate.py for seeds 0..NUM-1 (timed); fid.py ref over
#              the first half of those images (W/ref.npz, untimed: the statistics both sides use);
#              fid.py calc over all NUM images (timed).
#   java P D N cdm evaluate of W/net.pkl at precision P on devices D with N worker slots, NUM images,
#              one repeat, against W/ref.npz (timed wall, JVM start included).
#
# The detector is the Inception-v3-shaped TorchScript test fixture (256 features) on both sides:
# the real Inception pickle cannot be downloaded on the GPU machine (infra/bench/eval_ref.py hands
# it to fid.py in place of the download).
set -euo pipefail
W="${W:-/tmp/e2e}"
NUM="${NUM:-10000}"
BATCH="${BATCH:-64}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DET="${DET:-$root/fid/src/test/resources/fixtures/inception-shaped-detector.pt}"
mkdir -p "$W"
now() { date +%s.%N; }
took() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$1" "$(now)"; }

case "${1:?reference|java}" in
reference)
  cd "${REF:?set REF to the reference checkout}"
  [[ -f "$W/net.pkl" ]] || python3 "$here/eval_ref.py" prepare "$W" "$DET"
  rm -rf "$W/ref-images"
  t=$(now)
  python3 generate.py --network="$W/net.pkl" --outdir="$W/ref-images" --seeds=0-$((NUM - 1)) \
    --batch="$BATCH" --steps=18
  echo "{\"bench\": \"e2e\", \"side\": \"reference\", \"step\": \"generate.py\", \"num\": $NUM, \"seconds\": $(took "$t")}"
  half="$W/ref-half"
  rm -rf "$half" && mkdir -p "$half"
  find "$W/ref-images" -name '*.png' | sort | head -n $((NUM / 2)) | while read -r f; do ln -s "$f" "$half/"; done
  python3 "$here/eval_ref.py" ref "$W" "$DET" "$half" > "$W/ref-stats.log" 2>&1 || { cat "$W/ref-stats.log"; exit 1; }
  t=$(now)
  python3 "$here/eval_ref.py" calc "$W" "$DET" "$W/ref-images" "$NUM" 2>&1 | tee "$W/ref-calc.log"
  echo "{\"bench\": \"e2e\", \"side\": \"reference\", \"step\": \"fid.py calc (process)\", \"num\": $NUM, \"seconds\": $(took "$t")}"
  ;;
java)
  CDM="${CDM:?set CDM to the java command line of dev.cdm.pipelines.Cdm}"
  p="${2:-fp32}" dev="${3:-gpu:0}" slots="${4:-1}"
  out="$W/eval-$p-$slots"
  rm -rf "$out"
  t=$(now)
  $CDM evaluate --snapshots="$W/net.pkl" --ref="$W/ref.npz" --detector="$DET" --num="$NUM" --repeats=1 \
    --kid-images=0 --precision="$p" --device="$dev" --targetParallelism="$slots" --batch="$BATCH" \
    --outdir="$out"
  echo "{\"bench\": \"e2e\", \"side\": \"java\", \"precision\": \"$p\", \"device\": \"$dev\", \"slots\": $slots, \"num\": $NUM, \"wall_s\": $(took "$t")}"
  tail -n 1 "$out/results.jsonl"
  ;;
esac

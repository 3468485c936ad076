#!/usr/bin/env bash
# GPU measurements of the workflow (run on a 2-GPU machine; every step also runs on the CPU with
# SMALL=1 to check the commands). Prints one JSON line per measurement ("bench": ...).
#
#   CDM="java ... dev.cdm.pipelines.Cdm" W=/tmp/burst bash infra/bench/gpu-burst.sh demo|scaling
#
#   demo     cdm demo on one GPU for DEMO_MINUTES, then FID-MNIST of its last snapshot at fp32 and
#            fp16 (NUM images x 3 repeats each): does reduced precision move FID beyond the spread
#            of repeats?
#   scaling  a DDPM++ CIFAR-10-sized snapshot (random weights; one channel, 32x32), then
#            cdm evaluate and cdm generate (FlinkRunner, embedded) on one GPU and on two, fp32.
set -euo pipefail
W="${W:-/tmp/burst}"
CDM="${CDM:?set CDM to the java command line of dev.cdm.pipelines.Cdm}"
SMALL="${SMALL:-0}"
mkdir -p "$W"
cdm() { $CDM "$@"; }
now() { date +%s.%N; }
took() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$1" "$(now)"; }
if [[ "$SMALL" == 1 ]]; then
  DEV0=cpu DEV01=cpu PAR2=2 NUM=64 SCALE_NUM=48 DEMO_MINUTES="${DEMO_MINUTES:-1.5}" CBASE=16 MAXIMG="--max-images=2000" DATA_IMAGES=128 DET=fid/src/test/resources/fixtures/conv24-detector.pt
else
  DEV0=gpu:0 DEV01=gpu:0,1 PAR2=2 NUM="${NUM:-10000}" SCALE_NUM="${SCALE_NUM:-1024}" DEMO_MINUTES="${DEMO_MINUTES:-3}" CBASE=128 MAXIMG="" DATA_IMAGES=4096 DET=fid/src/test/resources/fixtures/inception-shaped-detector.pt
fi

case "${1:?demo|precision|scaling}" in
demo)
  t=$(now)
  dev=gpu; [[ "$SMALL" == 1 ]] && dev=cpu
  cdm demo --device=$dev --minutes="$DEMO_MINUTES" --outdir="$W/demo" $MAXIMG
  echo "{\"bench\": \"demo\", \"device\": \"$dev\", \"minutes\": $DEMO_MINUTES, \"wall_s\": $(took "$t")}"
  ;&
precision)
  snap="$(ls "$W"/demo/training/network-snapshot-*.* | sort | tail -n 1)"
  for p in fp32 fp16; do
    t=$(now)
    cdm evaluate --snapshots="$snap" --ref="$W/demo/mnist-ref-fid-mnist.npz" --detector=fid/src/main/resources/dev/cdm/fid/mnist-classifier.safetensors \
      --num="$NUM" --repeats=3 --kid-images=0 --precision=$p --device="$DEV0" --batch=500 \
      --outdir="$W/eval-$p"
    echo "{\"bench\": \"fid-precision\", \"precision\": \"$p\", \"num\": $NUM, \"wall_s\": $(took "$t")}"
    tail -n 1 "$W/eval-$p/results.jsonl"
  done
  ;;
scaling)
  zip="$W/mnist-32x32.zip"
  [[ -f "$zip" ]] || cdm dataset --source=data/mnist/train-images-idx3-ubyte.gz --dest="$zip" --max-images=$DATA_IMAGES
  [[ -n "$(ls "$W"/cifar-sized/network-snapshot-* 2>/dev/null)" ]] || cdm train --data="$zip" --outdir="$W/cifar-sized" --nosubdir --arch=ddpmpp --precond=edm --cbase=$CBASE \
    --batch=64 --max-steps=0 --device="$DEV0" > "$W/train.log" 2>&1 || { cat "$W/train.log"; exit 1; }
  snap="$(ls "$W"/cifar-sized/network-snapshot-*.* | sort | tail -n 1)"
  det=$DET
  [[ -f "$W/ref-inception-shaped.npz" ]] || cdm ref --data="$zip" --dest="$W/ref-inception-shaped.npz" --detector=$det --device="$DEV0" --batch=256
  devices() { if [[ "$1" == 1 ]]; then echo "$DEV0"; else echo "$DEV01"; fi; }
  for n in ${EVAL_SLOTS:-1 $PAR2}; do
    t=$(now)
    cdm evaluate --snapshots="$snap" --ref="$W/ref-inception-shaped.npz" --detector=$det --num="$SCALE_NUM" \
      --repeats=1 --kid-images=0 --device="$(devices $n)" --targetParallelism="$n" --outdir="$W/eval-p$n"
    echo "{\"bench\": \"evaluate\", \"slots\": $n, \"device\": \"$(devices $n)\", \"num\": $SCALE_NUM, \"wall_s\": $(took "$t")}"
    tail -n 1 "$W/eval-p$n/results.jsonl"
  done
  for n in ${GEN_SLOTS:-1 $PAR2}; do
    t=$(now)
    timeout 200 $CDM generate --network="$snap" --seeds=0-$((SCALE_NUM - 1)) --outdir="$W/gen-p$n" --device="$(devices $n)" \
      --runner=FlinkRunner --parallelism="$n"
    echo "{\"bench\": \"generate-flink\", \"slots\": $n, \"device\": \"$(devices $n)\", \"num\": $SCALE_NUM, \"pngs\": $(find "$W/gen-p$n" -name '*.png' | wc -l), \"wall_s\": $(took "$t")}"
  done
  ;;
esac

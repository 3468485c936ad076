#!/usr/bin/env bash
# The schedule of the 2x H200 measurements in docs/performance.md, run in the background on a
# 2-GPU machine so that both cards stay busy: card 0 runs the reference side of eval-e2e.sh and then
# `cdm evaluate` at fp32; card 1 runs the 15-minute `cdm demo --device=gpu`, then `cdm evaluate` at
# fp16 and `cdm generate` on Flink with one slot; at the end both cards run the two-slot evaluation
# and the two-slot Flink generation. Logs and one JSON line per run under $L (default /tmp/logs).
#
#   CDM="java ... dev.cdm.pipelines.Cdm" B=infra/bench REF=path/to/reference-checkout \
#     MNIST=data/mnist DET=fid/src/test/resources/fixtures/inception-shaped-detector.pt \
#     setsid nohup bash infra/bench/two-card-schedule.sh &
#
# Flink's embedded cluster needs a Java runtime with the java.se and jdk.management modules (a
# minimal jlink image without them fails at start-up).
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/schedule-common.sh"
# Card 0: the reference's generate.py and fid.py calc.
( CUDA_VISIBLE_DEVICES=0 NVIDIA_TF32_OVERRIDE=0 PYTHONUNBUFFERED=1 REF="${REF:?}" \
    bash "$B/eval-e2e.sh" reference > "$L/ref.log" 2>&1; touch "$L/ref.done" ) &
# Card 1: the demo, then (reference statistics ready) fp16 evaluation and one-slot Flink.
( t=$(now)
  CUDA_VISIBLE_DEVICES=1 $CDM demo --device=gpu --minutes=15 --outdir=/tmp/demo --mnist="${MNIST:-data/mnist}" \
    > "$L/demo.log" 2>&1
  echo "{\"bench\": \"demo\", \"device\": \"gpu\", \"minutes\": 15, \"rc\": $?, \"wall_s\": $(since "$t")}" >> "$L/bench.jsonl"
  while [ ! -f "$L/ref.done" ]; do sleep 3; done
  NVIDIA_TF32_OVERRIDE=0 bash "$B/eval-e2e.sh" java fp16 gpu:1 1 > "$L/java-fp16.log" 2>&1
  flink 1 gpu:1 fp16
  touch "$L/gpu1.done" ) &
# Card 0 again: fp32 evaluation on the card the reference used.
while [ ! -f "$L/ref.done" ]; do sleep 3; done
NVIDIA_TF32_OVERRIDE=0 bash "$B/eval-e2e.sh" java fp32 gpu:0 1 > "$L/java-fp32.log" 2>&1
while [ ! -f "$L/gpu1.done" ]; do sleep 3; done
# Both cards.
NVIDIA_TF32_OVERRIDE=0 bash "$B/eval-e2e.sh" java fp16 gpu:0,1 2 > "$L/java-fp16-2gpu.log" 2>&1
flink 2 gpu:0,1 fp16
touch "$L/all.done"

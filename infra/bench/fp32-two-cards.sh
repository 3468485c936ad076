#!/usr/bin/env bash
# fp32 on one card and on two (issues of evaluation and cluster scaling), run in the background on a
# 2-GPU machine: `cdm evaluate` of NUM images (eval-e2e.sh java) on card 0 with one worker slot
# while card 1 runs `cdm generate` on embedded Flink with one slot; then the same evaluation with
# two slots on both cards, then the Flink generation with two slots. Logs and one JSON line per run
# under $L (default /tmp/logs); $L/all.done when finished.
#
#   CDM="java ... dev.cdm.pipelines.Cdm" REF=path/to/reference-checkout DET=detector.pt \
#     setsid nohup bash infra/bench/fp32-two-cards.sh &
#
# The network is a randomly initialised DDPM++ CIFAR-10 EDMPrecond pickled by the reference code
# (eval_ref.py prepare); the statistics come from 1024 of its images (cdm generate + cdm ref): the
# FID values carry no information, only the times do. TWO_ONLY=1 skips the one-card runs.
# FLINK_ONLY=1 runs only the two Flink generations: one slot on card 1, then (once the file $GO, if
# set, exists: another benchmark may hold card 0 meanwhile) two slots on both cards.
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/schedule-common.sh"
export NVIDIA_TF32_OVERRIDE=0
mkdir -p "$W"
(cd "${REF:?set REF to the reference checkout}" && CUDA_VISIBLE_DEVICES=1 python3 "$B/eval_ref.py" prepare "$W" "$DET") \
  > "$L/prepare.log" 2>&1
if [[ "${FLINK_ONLY:-0}" == 1 ]]; then
  flink 1 gpu:1 fp32
  while [[ -n "${GO:-}" && ! -f "$GO" ]]; do sleep 2; done
  flink 2 gpu:0,1 fp32
  touch "$L/all.done"
  exit 0
fi
$CDM generate --network="$W/net.pkl" --seeds=0-1023 --outdir="$W/stat-images" --device=gpu:0 --precision=fp16 \
  --batch=64 >> "$L/prepare.log" 2>&1
$CDM ref --data="$W/stat-images" --dest="$W/ref.npz" --detector="$DET" --device=gpu:0 >> "$L/prepare.log" 2>&1
touch "$L/prepared"
if [[ "${TWO_ONLY:-0}" != 1 ]]; then
  ( flink 1 gpu:1 fp32; touch "$L/gpu1.done" ) &
  bash "$B/eval-e2e.sh" java fp32 gpu:0 1 > "$L/eval-fp32-1.log" 2>&1
  grep -h '^{' "$L/eval-fp32-1.log" >> "$L/bench.jsonl"
  while [ ! -f "$L/gpu1.done" ]; do sleep 2; done
fi
bash "$B/eval-e2e.sh" java fp32 gpu:0,1 2 > "$L/eval-fp32-2.log" 2>&1
grep -h '^{' "$L/eval-fp32-2.log" >> "$L/bench.jsonl"
flink 2 gpu:0,1 fp32
touch "$L/all.done"

#!/usr/bin/env bash
# Training throughput on the GPU machine, Java against the reference, in one device call.
# Prepare here (see ../shared/device/README.md): bash infra/bench/gpu-lib.sh
#   optional, for the reference figures in the same call: a copy of the CDM reference repository in
#   .gpu/cdm with ../shared/reference/bench_ref.py beside its train.py
# Every single-GPU measurement is followed by {"peak_nvidia_smi_mib": M}: the highest memory.used of
# GPU 0 polled every 50 ms while it ran (context + allocator reserve), the same measure for both sides
# (bench_ref.py runs EDM, CDM and EDM fp16 in one process: its peak is that of the largest, CDM).
# Java runs with expandable allocator segments, as ./cdm sets them with one GPU visible
# (ALLOC=default to run it with PyTorch's default instead).
# Device call: carry [".gpu"], command: bash infra/bench/train-bench.sh [N_GPUS]
# Prints one JSON line per measurement; copies them to $OUT/train-bench.jsonl when $OUT is set.
set -euo pipefail
gpus="${1:-1}"
source .gpu/kit/env.sh
export NVIDIA_TF32_OVERRIDE=0
out="${OUT:-/tmp}/train-bench.jsonl"
: > "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee -a "$out"
peak() {
  local f; f="$(mktemp)"
  nvidia-smi -i 0 --query-gpu=memory.used --format=csv,noheader,nounits -lms 50 > "$f" & local p=$!
  "$@"
  kill "$p"; wait "$p" 2>/dev/null || true
  echo "{\"peak_nvidia_smi_mib\": $(sort -n "$f" | tail -n 1)}" | tee -a "$out"
}
if [[ -f .gpu/cdm/bench_ref.py ]]; then
  peak bash -c 'cd .gpu/cdm && B=128 N=20 python3 bench_ref.py 2>&1 | tail -n 1' | tee -a "$out"
fi
alloc="expandable_segments:True"
[[ "${ALLOC:-}" == default ]] && alloc=""
run1() { PYTORCH_CUDA_ALLOC_CONF="$alloc" java -Xmx16g -cp '.gpu/lib/*' dev.cdm.bench.model.TrainBench device=gpu "$@" 2>&1 | grep '^{' | tee -a "$out"; }
run() { peak run1 "$@"; }
run batch=128 loss=edm steps=20 warmup=5
run batch=128 loss=edm precision=fp16 steps=20 warmup=5
run batch=128 loss=cdm steps=5 warmup=2
run batch=128 loss=cdm fused=0 steps=5 warmup=2
run batch=128 loss=cdm chain=fp16 steps=5 warmup=2
run batch=128 loss=cdm precision=fp16 steps=5 warmup=2
run batch=128 compare-chain=fp16
run batch=128 compare-all=fp16
if (( gpus > 1 )); then
  # Several GPUs in one process: PyTorch's default allocator (expandable segments crashed there).
  alloc=""
  run1 batch=128 loss=edm devices=1 steps=10 warmup=3
  run1 batch=128 loss=edm devices="$gpus" steps=10 warmup=3
fi

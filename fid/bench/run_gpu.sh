#!/usr/bin/env bash
# One device call: build the Inception-v3 stand-in, time the reference-style python loop, then the
# Java FeatureBench (bench/ module) on the same TorchScript module, same card. Prepare on the CPU
# machine: bash infra/bench/gpu-lib.sh
# then, in the device call (carry [".gpu"]):
#   source .gpu/kit/env.sh && bash fid/bench/run_gpu.sh
# Environment: B (batch, 64), RES (input resolution, 32), ITERS (timed batches, 20).
set -euo pipefail
out="${OUT:-/tmp}"
B="${B:-64}"; RES="${RES:-32}"; ITERS="${ITERS:-20}"
export NVIDIA_TF32_OVERRIDE="${NVIDIA_TF32_OVERRIDE:-0}"
nvidia-smi --query-gpu=name --format=csv,noheader || true
python3 fid/bench/bench_features.py --out "$out/inception-standin.pt" --batch "$B" --res "$RES" --iters "$ITERS"
java -Xmx8g -cp '.gpu/lib/*' dev.cdm.bench.fid.FeatureBench \
  detector="$out/inception-standin.pt" device=gpu batch="$B" res="$RES" iters="$ITERS"
# A second round, both sides warm, to see the spread.
python3 fid/bench/bench_features.py --out "$out/inception-standin.pt" --batch "$B" --res "$RES" --iters "$ITERS"
java -Xmx8g -cp '.gpu/lib/*' dev.cdm.bench.fid.FeatureBench \
  detector="$out/inception-standin.pt" device=gpu batch="$B" res="$RES" iters="$ITERS"

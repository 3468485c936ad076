#!/usr/bin/env bash
# One device call: build the Inception-v3 stand-in, time the reference-style python loop, then the
# Java FeatureBench on the same module and card. Run from the repository root after
#   mvn -q -B -ntp -DskipTests package     (pipelines/target/lib holds the runtime classpath)
# Needs PYTORCH_LIBRARY_PATH (or DJL's cache) to point at a CUDA libtorch for DJL on the GPU.
set -euo pipefail
out="${OUT:-/tmp}"
B="${B:-64}"; RES="${RES:-32}"; ITERS="${ITERS:-20}"
nvidia-smi --query-gpu=name --format=csv,noheader || true
python3 fid/bench/bench_features.py --out "$out/inception-standin.pt" --batch "$B" --res "$RES" --iters "$ITERS"
java -Xmx8g -Dai.djl.offline="${DJL_OFFLINE:-true}" \
  -cp "pipelines/target/cdm-pipelines.jar:pipelines/target/lib/*" dev.cdm.fid.bench.FeatureBench \
  detector="$out/inception-standin.pt" device=gpu batch="$B" res="$RES" iters="$ITERS"

#!/usr/bin/env bash
# One device call: build the Inception-v3 stand-in, time the reference-style python loop, then the
# Java FeatureBench on the same TorchScript module, same card. Prepare on the CPU machine:
#   echo /.gpu/ >> .git/info/exclude; mkdir -p .gpu && cp -r ../shared/device .gpu/kit
#   mvn -q -B -ntp -pl fid -am package -DskipTests
#   mvn -q -B -ntp -pl fid dependency:copy-dependencies -DincludeScope=runtime \
#       -DexcludeArtifactIds=pytorch-native-cpu -DoutputDirectory=$PWD/.gpu/lib
#   cp fid/target/cdm-fid-*.jar .gpu/lib/
# then, in the device call (carry [".gpu"]):
#   source .gpu/kit/env.sh && bash fid/bench/run_gpu.sh
# Environment: B (batch, 64), RES (input resolution, 32), ITERS (timed batches, 20).
set -euo pipefail
out="${OUT:-/tmp}"
B="${B:-64}"; RES="${RES:-32}"; ITERS="${ITERS:-20}"
export NVIDIA_TF32_OVERRIDE="${NVIDIA_TF32_OVERRIDE:-0}"
nvidia-smi --query-gpu=name --format=csv,noheader || true
python3 fid/bench/bench_features.py --out "$out/inception-standin.pt" --batch "$B" --res "$RES" --iters "$ITERS"
java -Xmx8g -Dai.djl.offline=true -cp '.gpu/lib/*' dev.cdm.fid.bench.FeatureBench \
  detector="$out/inception-standin.pt" device=gpu batch="$B" res="$RES" iters="$ITERS"
# A second round, both sides warm, to see the spread.
python3 fid/bench/bench_features.py --out "$out/inception-standin.pt" --batch "$B" --res "$RES" --iters "$ITERS"
java -Xmx8g -Dai.djl.offline=true -cp '.gpu/lib/*' dev.cdm.fid.bench.FeatureBench \
  detector="$out/inception-standin.pt" device=gpu batch="$B" res="$RES" iters="$ITERS"

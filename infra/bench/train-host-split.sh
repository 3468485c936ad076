#!/usr/bin/env bash
# fp16 training step on one GPU: the reference (infra/bench/train_ref.py) against the Java
# TrainBench of this build and of an earlier build, each with the share of the timed steps during
# which the GPU was busy (nvidia-smi utilization.gpu, sampled every 100 ms, averaged over each run's
# timed window): a step that takes longer than the GPU is busy waits for the host.
#
#   REF=reference-checkout CUR=dir-of-jars [BEFORE=dir-of-jars] LIB=dir-of-runtime-jars \
#     KIT=device-kit bash infra/bench/train-host-split.sh
#
# CUR/BEFORE hold the cdm-*.jar of a build (bench included), LIB the runtime libraries without the
# CPU libtorch (infra/bench/gpu-lib.sh). The JVMs start as ./cdm starts them on one GPU (cuDNN
# autotuning, expandable allocator segments); the whole loop also runs once with
# -Dcdm.passWeights=false (a cast per weight and use instead of one per pass). With JFR=1 one more run of this build records a Java
# Flight Recording of the EDM fp16 training loop into $OUT/train-fp16.jfr (the Java runtime needs jdk.jfr).
# One JSON line per run on stdout and in $OUT/train-split.jsonl, with gpu_busy (0-1) added, and
# peak_mem_mib: the highest memory.used nvidia-smi reported from the run's start to its last output line
# (the whole process, context and allocator reserve: the same measure on both sides). SHORT=1 runs only the
# fp16 pairs of the product path (the reference with its EMA, as in its training loop, then Java's
# whole loop, which has one; EDM, then CDM), fewer steps. MEMORY=1 runs only the EDM fp16 pair with
# the EMA under the settings that may explain Java's higher peak: the reference with expandable
# allocator segments too; Java as built, then with the composed attention (-Dcdm.fusedAttention=false),
# with TorchScript's graph executor optimisation off, and with expandable segments off; then the
# float32 pair (both with the EMA).
set -uo pipefail
source "${KIT:?}/env.sh"
export NVIDIA_TF32_OVERRIDE=0 TORCH_CPP_LOG_LEVEL=ERROR CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-/tmp}"
raw="$out/train-split.raw"
util="$out/gpu-util.csv"
: > "$raw"
nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1 | sed 's/^/# /' | tee -a "$raw"
nvidia-smi -i "${CUDA_VISIBLE_DEVICES%%,*}" --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 100 > "$util" &
smi=$!
trap 'kill $smi 2>/dev/null' EXIT
stamp() { while IFS= read -r l; do [[ "$l" == "{"* ]] && printf '%s %s\n' "$(date +%s.%N)" "$l"; done; }
started() { printf '# start %s\n' "$(date +%s.%N)" >> "$raw"; }
ref() { started; (cd "${REF:?}" && PYTHONUNBUFFERED=1 "$@" python3 "$here/train_ref.py" "${pairs[@]}") 2>&1 | stamp | tee -a "$raw"; }
java_bench() { # jars tag args...
  local jars="$1" tag="$2" steps; shift 2
  steps="$(printf '%s\n' "$@" | sed -n 's/^steps=//p')"
  started
  env PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True ${JAVA_ENV:-} java -Xmx16g -Dai.djl.offline=true \
    -Dai.djl.pytorch.cudnn_benchmark=true ${JAVA_EXTRA:-} -cp "$jars/*:${LIB:?}/*" dev.cdm.bench.model.TrainBench \
    device=gpu batch=128 "$@" 2>&1 | stamp | sed "s/{/{\"build\":\"$tag\",\"steps\":$steps,/" | tee -a "$raw"
}
if [[ "${MEMORY:-0}" == 1 ]]; then
  pairs=(edm:fp16); ref env B=128 N=30 EMA=1
  pairs=(edm:fp16); ref env B=128 N=30 EMA=1 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True
  java_bench "${CUR:?}" current loss=edm precision=fp16 steps=30 warmup=10 devices=1
  JAVA_EXTRA=-Dcdm.fusedAttention=false java_bench "$CUR" current-composed-attention \
    loss=edm precision=fp16 steps=30 warmup=10 devices=1
  JAVA_EXTRA=-Dai.djl.pytorch.graph_optimizer=false java_bench "$CUR" current-no-graph-optimizer \
    loss=edm precision=fp16 steps=30 warmup=10 devices=1
  JAVA_ENV=PYTORCH_CUDA_ALLOC_CONF=expandable_segments:False java_bench "$CUR" current-no-expandable \
    loss=edm precision=fp16 steps=30 warmup=10 devices=1
  pairs=(edm:fp32); ref env B=128 N=10 EMA=1
  java_bench "$CUR" current loss=edm steps=10 warmup=3 devices=1
elif [[ "${SHORT:-0}" == 1 ]]; then
  pairs=(edm:fp16); ref env B=128 N=40
  pairs=(edm:fp16); ref env B=128 N=40 EMA=1
  java_bench "${CUR:?}" current loss=edm precision=fp16 steps=40 warmup=10 devices=1
  pairs=(cdm:fp16); ref env B=128 N=10 EMA=1
  java_bench "$CUR" current loss=cdm precision=fp16 steps=10 warmup=3 devices=1
else
pairs=(edm:fp16); ref env B=128 N=100
pairs=(cdm:fp16 edm:fp32); ref env B=128 N=20
java_bench "${CUR:?}" current loss=edm precision=fp16 steps=100 warmup=10
java_bench "$CUR" current loss=edm precision=fp16 steps=100 warmup=10 devices=1
JAVA_EXTRA=-Dcdm.passWeights=false java_bench "$CUR" current-per-use-casts loss=edm precision=fp16 steps=100 warmup=10 devices=1
java_bench "$CUR" current loss=cdm precision=fp16 steps=20 warmup=3
java_bench "$CUR" current loss=edm steps=20 warmup=3
if [[ -n "${BEFORE:-}" ]]; then
  java_bench "$BEFORE" before loss=edm precision=fp16 steps=100 warmup=10
  java_bench "$BEFORE" before loss=edm precision=fp16 steps=100 warmup=10 devices=1
  java_bench "$BEFORE" before loss=cdm precision=fp16 steps=20 warmup=3
fi
pairs=(edm:fp16); ref env B=128 N=100
java_bench "$CUR" current-again loss=edm precision=fp16 steps=100 warmup=10 devices=1
if [[ "${JFR:-0}" == 1 ]]; then
  JAVA_EXTRA="-XX:StartFlightRecording=filename=$out/train-fp16.jfr,settings=profile" \
    java_bench "$CUR" current-jfr loss=edm precision=fp16 steps=200 warmup=10 devices=1
fi
fi
kill $smi 2>/dev/null
python3 - "$raw" "$util" <<'PY' | tee "$out/train-split.jsonl"
import json, sys, datetime
util = []
for line in open(sys.argv[2]):
    try:
        ts, u, mem = [s.strip() for s in line.split(',')]
        t = datetime.datetime.strptime(ts, '%Y/%m/%d %H:%M:%S.%f').timestamp()
        util.append((t, float(u), float(mem)))
    except ValueError:
        pass
previous_end = 0.0
for line in open(sys.argv[1]):
    if line.startswith('# start '):
        previous_end = float(line.split()[2]); continue
    if line.startswith('#'):
        print(json.dumps({'gpu': line[2:].strip()})); continue
    t, js = line.split(' ', 1)
    r = json.loads(js)
    end = float(t); start = end - r.get('steps', 0) * r['ms_per_step'] / 1e3
    s = [u for (ts, u, _) in util if start <= ts <= end]
    if s:
        r['gpu_busy'] = round(sum(s) / len(s) / 100, 3)
        r['gpu_ms_per_step'] = round(r['gpu_busy'] * r['ms_per_step'], 1)
    m = [mem for (ts, _, mem) in util if previous_end < ts <= end]
    if m:
        r['peak_mem_mib'] = int(max(m))
    previous_end = end
    print(json.dumps(r))
PY

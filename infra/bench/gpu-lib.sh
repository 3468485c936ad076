#!/usr/bin/env bash
# Prepares .gpu/ for a device call that runs the bench programs (bench/ module): the GPU kit in
# .gpu/kit and, in .gpu/lib, the bench jar with the model and fid modules and their runtime
# libraries, without the CPU libtorch (the kit's env.sh points DJL at the GPU one). The pipelines
# module's libraries (Beam, Flink) stay out: the carried folder must stay small.
# Run from the repository root on the CPU machine, once .gpu/ is git-ignored (echo /.gpu/ >>
# .git/info/exclude): bash infra/bench/gpu-lib.sh  (GPU_KIT: the kit's folder, ../shared/device)
# then, in the device call (carry [".gpu"]): source .gpu/kit/env.sh && java -cp '.gpu/lib/*' ...
set -euo pipefail
mkdir -p .gpu/lib
[[ -d .gpu/kit ]] || cp -r "${GPU_KIT:-../shared/device}" .gpu/kit
mvn -q -B -ntp -pl bench -am -DskipTests package
mvn -q -B -ntp -pl model,fid -am -DskipTests package dependency:copy-dependencies -DincludeScope=runtime \
  -DexcludeArtifactIds=pytorch-native-cpu -DoutputDirectory="$PWD/.gpu/lib"
cp model/target/cdm-model-*.jar fid/target/cdm-fid-*.jar bench/target/cdm-bench.jar .gpu/lib/
du -sh .gpu/lib

#!/usr/bin/env bash
# A Flink 1.19 session cluster started from the project's own Maven jars (no Flink distribution
# needed): one JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner).
#
#   infra/flink/cluster.sh start [N]     # N TaskManagers (default 2); REST/UI on localhost:8081
#   infra/flink/cluster.sh stop
#   infra/flink/cluster.sh status
#
# Then run any pipeline command with --runner=FlinkRunner --flinkMaster=localhost:8081.
# Configuration: infra/flink/conf/config.yaml (or FLINK_CONF_DIR). Outside Flink's own scripts a
# TaskManager needs taskmanager.cpu.cores and every memory component set explicitly; the shipped
# config does that. Logs and pid files go to FLINK_RUN_DIR (default: out/flink).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
conf="${FLINK_CONF_DIR:-$here/conf}"
run="${FLINK_RUN_DIR:-$root/out/flink}"
lib="$root/pipelines/target/lib"

classpath() {
  if [[ ! -d "$lib" ]]; then
    echo "cluster.sh: building the project first (mvn package -DskipTests)" >&2
    mvn -q -B -ntp -f "$root/pom.xml" -DskipTests package >&2
  fi
  echo "$root/pipelines/target/cdm-pipelines.jar:$lib/*"
}

start_one() { # name mainClass
  local name="$1" main="$2"
  mkdir -p "$run"
  nohup java -Xmx1g -Dlog.file="$run/$name.log" -cp "$(classpath)" "$main" --configDir "$conf" \
    >"$run/$name.out" 2>&1 &
  echo $! >"$run/$name.pid"
  echo "started $name (pid $!), log $run/$name.out"
}

wait_rest() {
  local port
  port="$(awk '/^rest:/{r=1} r&&/port:/{print $2; exit}' "$conf/config.yaml")"
  for _ in $(seq 1 60); do
    if curl -sf "http://localhost:${port:-8081}/overview" >/dev/null 2>&1; then
      curl -s "http://localhost:${port:-8081}/overview"; echo
      return 0
    fi
    sleep 1
  done
  echo "cluster.sh: the JobManager REST endpoint did not come up; see $run/*.out" >&2
  return 1
}

case "${1:-}" in
  start)
    n="${2:-2}"
    start_one jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
    for i in $(seq 1 "$n"); do
      start_one "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner
    done
    wait_rest
    ;;
  stop)
    shopt -s nullglob
    for f in "$run"/*.pid; do
      kill "$(cat "$f")" 2>/dev/null && echo "stopped $(basename "$f" .pid)" || true
      rm -f "$f"
    done
    ;;
  status)
    shopt -s nullglob
    for f in "$run"/*.pid; do
      if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): dead"; fi
    done
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2 ;;
esac

#!/usr/bin/env bash
# A Flink 1.19 session cluster started from the project's own Maven jars (no Flink distribution
# needed): one JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner),
# each its own JVM on this host.
#
#   infra/flink/cluster.sh start [N]     # N TaskManagers (default 2); prints the REST address host:port
#   infra/flink/cluster.sh stop          # stops every process of the cluster (TERM, then KILL after 30 s)
#   infra/flink/cluster.sh add [N]       # N more TaskManagers for the running cluster (default 1)
#   infra/flink/cluster.sh status
#
# Then run any pipeline command with --runner=FlinkRunner --flinkMaster=<the printed address>.
# Configuration: infra/flink/conf/config.yaml (or FLINK_CONF_DIR). Environment:
#   FLINK_RUN_DIR    logs and pid files (default: out/flink); one cluster per run directory
#   FLINK_REST_PORT  REST/web UI port (default: 8081, or the next free port above it)
#   FLINK_RPC_PORT   JobManager RPC port (default: 6123, or the next free port above it)
#   FLINK_SLOTS      task slots per TaskManager (default: the number of GPUs nvidia-smi lists, else 1)
#   FLINK_JVM_OPTS   extra JVM options for every process (e.g. -Xmx)
#   CDM_CLASSPATH    the classpath of the processes (default: the build's pipelines/target jars)
#   OMP_NUM_THREADS  libtorch CPU threads per TaskManager (default 1: a CPU slot is one core)
# Outside Flink's own scripts a TaskManager needs taskmanager.cpu.cores and every memory component
# set explicitly; the shipped config does that.
set -euo pipefail
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
conf="${FLINK_CONF_DIR:-$here/conf}"
run="${FLINK_RUN_DIR:-$root/out/flink}"
lib="$root/pipelines/target/lib"

classpath() {
  if [[ -n "${CDM_CLASSPATH:-}" ]]; then
    echo "$CDM_CLASSPATH"
    return
  fi
  if [[ ! -d "$lib" ]]; then
    echo "cluster.sh: building the project first (mvn package -DskipTests)" >&2
    mvn -q -B -ntp -f "$root/pom.xml" -DskipTests package >&2
  fi
  echo "$root/pipelines/target/cdm-pipelines.jar:$lib/*"
}

# Whether something accepts connections on localhost:$1.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # first port >= $1 that nothing listens on
  local p="$1"
  while in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

gpu_count() { (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true; }

pids() { # the pid files of live processes
  shopt -s nullglob
  for f in "$run"/*.pid; do echo "$f"; done
}

start_one() { # name mainClass [dynamic properties...]
  local name="$1" main="$2"
  shift 2
  # -Dai.djl.*: the workers load the engine offline, as the command line does (see ./cdm).
  nohup java -XX:+UseSerialGC ${FLINK_JVM_OPTS:--Xmx1g} -Dai.djl.offline=true \
    -Dai.djl.default_engine=PyTorch -Dorg.slf4j.simpleLogger.showDateTime=true -Dlog.file="$run/$name.log" -cp "$(classpath)" "$main" \
    --configDir "$conf" "$@" >"$run/$name.out" 2>&1 &
  echo $! >"$run/$name.pid"
  echo "cluster.sh: started $name (pid $!), output in $run/$name.out" >&2
}

# Waits until the REST endpoint reports $2 registered TaskManagers with all their slots.
wait_ready() { # port taskmanagers
  local overview=""
  for _ in $(seq 1 180); do
    overview="$(curl -sf "http://localhost:$1/overview" 2>/dev/null || true)"
    if [[ "$overview" == *"\"taskmanagers\":$2,\"slots-total\":$(($2 * slots)),"* ]]; then
      echo "cluster.sh: $overview" >&2
      return 0
    fi
    sleep 1
  done
  echo "cluster.sh: $2 TaskManagers did not register within 180 s (last overview: ${overview:-none});" \
    "see $run/*.out" >&2
  return 1
}

# Starts $1 TaskManagers named taskmanager-<i> after the highest <i> this run directory has seen
# (their Flink resource ids are the same names, so the REST API's taskmanager ids match the pid files).
start_taskmanagers() {
  local last=0 f i
  shopt -s nullglob
  for f in "$run"/taskmanager-*.out; do
    i="${f##*taskmanager-}"; i="${i%.out}"
    (( i > last )) && last="$i"
  done
  for i in $(seq $((last + 1)) $((last + $1))); do
    start_one "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "${ports[@]}" \
      -D "taskmanager.numberOfTaskSlots=$slots" -D "taskmanager.resource-id=taskmanager-$i"
  done
}

stop_all() {
  local f pid
  for f in $(pids); do
    pid="$(cat "$f")"
    kill "$pid" 2>/dev/null && echo "cluster.sh: stopping $(basename "$f" .pid) (pid $pid)" >&2 || true
  done
  for f in $(pids); do
    pid="$(cat "$f")"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  start)
    n="${2:-2}"
    mkdir -p "$run"
    if [[ -n "$(pids)" ]]; then
      echo "cluster.sh: a cluster of $run is running (or left pid files); run 'cluster.sh stop' first" >&2
      exit 1
    fi
    rm -f "$run"/*.out "$run"/*.log  # the logs of an earlier cluster of this run directory
    rest="${FLINK_REST_PORT:-$(free_port 8081)}"
    rpc="${FLINK_RPC_PORT:-$(free_port 6123)}"
    slots="${FLINK_SLOTS:-$(gpu_count)}"
    [[ "$slots" -gt 0 ]] || slots=1
    ports=(-D "rest.port=$rest" -D "jobmanager.rpc.port=$rpc")
    printf 'rest=%s\nrpc=%s\nslots=%s\n' "$rest" "$rpc" "$slots" >"$run/cluster.env"
    start_one jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${ports[@]}"
    start_taskmanagers "$n"
    if ! wait_ready "$rest" "$n"; then
      stop_all
      exit 1
    fi
    echo "localhost:$rest"
    ;;
  add)
    if [[ ! -f "$run/cluster.env" || -z "$(pids)" ]]; then
      echo "cluster.sh: no running cluster in $run; use 'cluster.sh start N'" >&2
      exit 1
    fi
    # shellcheck disable=SC1091
    source "$run/cluster.env"
    ports=(-D "rest.port=$rest" -D "jobmanager.rpc.port=$rpc")
    registered="$(curl -sf "http://localhost:$rest/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p')"
    start_taskmanagers "${2:-1}"
    wait_ready "$rest" "$((${registered:-0} + ${2:-1}))"
    echo "localhost:$rest"
    ;;
  stop)
    stop_all
    ;;
  status)
    for f in $(pids); do
      if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): dead"; fi
    done
    ;;
  *)
    sed -n '2,23p' "$0"; exit 2 ;;
esac

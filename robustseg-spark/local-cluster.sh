#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, then a lost worker:
#   ./run spark-cluster [--images N] [--batch B] [--steps S] [--attack A] [--eps LIST] [--throughput]
#                       [--checkpoint C --data D] [--work DIR] [--limit-s SECONDS]
# 1. starts a master (spark://127.0.0.1:7077) and two workers of one core each: JVMs from the Spark
#    jars on robustseg-spark's classpath (a SPARK_HOME of links to them), listening on 127.0.0.1 only;
# 2. runs './run spark attack' against it (run A);
# 3. runs the same job into a fresh folder and kills worker 2 and its executor (kill -9) once the
#    first images are written (run B): the job must complete, with the same robustness.json figures
#    and byte-identical per-image files, and no temporary or unreadable file left;
# 4. with --throughput, also the job on one worker alone (run C): images per second, 1 vs 2 workers.
# Without --checkpoint/--data it builds a small FashionScenes set and trains pspnet-lite for one epoch.
# Every process it starts is stopped on exit (trap), and the whole script is bounded by --limit-s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
IMAGES=24 BATCH=4 STEPS=10 ATTACK=pgd EPS="0,8/255" THROUGHPUT=0 CKPT="" DATA="" WORK="" LIMIT_S=1500
while [ $# -gt 0 ]; do
  case "$1" in
    --images) IMAGES="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --attack) ATTACK="$2"; shift 2 ;;
    --eps) EPS="$2"; shift 2 ;;
    --throughput) THROUGHPUT=1; shift ;;
    --checkpoint) CKPT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --limit-s) LIMIT_S="$2"; shift 2 ;;
    *) echo "local-cluster: unknown option '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
say() { echo "[cluster $(date +%H:%M:%S)] $*"; }
SPARK_JAR="$ROOT/robustseg-spark/target/robustseg-spark-0.1.0-SNAPSHOT.jar"
LIB="$ROOT/robustseg-spark/target/lib"
[ -f "$SPARK_JAR" ] || { echo "local-cluster: $SPARK_JAR is missing: run it as './run spark-cluster'" >&2; exit 2; }
JAVA_OPTS_RUN="${JAVA_OPTS_RUN:-}"
OWN_WORK=0
[ -n "$WORK" ] || { WORK=$(mktemp -d /tmp/robustseg-cluster.XXXXXX); OWN_WORK=1; }
mkdir -p "$WORK"
START_S=$SECONDS
PIDS=()

# --- everything started here is stopped here, whatever happens --------------------------------
stop_all() {
  local p c
  for p in "${PIDS[@]}"; do
    for c in $(pgrep -P "$p" 2>/dev/null || true); do kill "$c" 2>/dev/null || true; done  # executors of a worker
    kill "$p" 2>/dev/null || true
  done
  sleep 2
  for p in "${PIDS[@]}"; do
    for c in $(pgrep -P "$p" 2>/dev/null || true); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'say "interrupted"; exit 130' INT TERM
left() { echo $(( LIMIT_S - (SECONDS - START_S) )); }
bounded() { local t; t=$(left); [ "$t" -gt 10 ] || { say "time limit of ${LIMIT_S}s reached"; exit 124; }; timeout "$t" "$@"; }

# --- a SPARK_HOME of links to the jars on the classpath: the worker builds executors' classpath from its jars/
SPARK_HOME="$WORK/spark-home"
rm -rf "$SPARK_HOME"; mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
ln -s "$SPARK_JAR" "$SPARK_HOME/jars/"
for j in "$LIB"/*.jar; do ln -s "$j" "$SPARK_HOME/jars/"; done
# the daemons log their state changes (elected leader, registered, executor lost), which this script waits for
DAEMON_LOG="$SPARK_HOME/conf/log4j2-daemons.properties"
cat "$ROOT/robustseg-spark/src/main/resources/log4j2.properties" > "$DAEMON_LOG"
printf 'logger.deploy.name = org.apache.spark.deploy\nlogger.deploy.level = info\n' >> "$DAEMON_LOG"
export SPARK_HOME SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
CP="$SPARK_JAR:$LIB/*"
# shellcheck disable=SC2206
JVM=(java $JAVA_OPTS_RUN -cp "$CP")

# --- data and model -------------------------------------------------------------------------------
if [ -z "$CKPT" ]; then
  DATA="$WORK/data"; CKPT="$WORK/model"
  if [ ! -d "$CKPT/checkpoints" ]; then
    say "building FashionScenes (64 train, $IMAGES val) and training pspnet-lite for one epoch"
    bounded "${JVM[@]}" org.robustseg.cli.Main data fashion-scenes --out "$DATA" --train 64 --val "$IMAGES" --seed 5 >/dev/null
    bounded "${JVM[@]}" org.robustseg.cli.Main train --data "$DATA" --epochs 1 --batch 8 --no-val --out "$CKPT" >/dev/null 2>&1
  fi
fi
[ -n "$DATA" ] || { echo "local-cluster: --checkpoint needs --data" >&2; exit 2; }

# --- the cluster ----------------------------------------------------------------------------------
MASTER=spark://127.0.0.1:7077
start_master() {
  "${JVM[@]}" "-Dlog4j2.configurationFile=$DAEMON_LOG" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 18080 >"$WORK/master.log" 2>&1 &
  PIDS+=($!); MASTER_PID=$!
  for _ in $(seq 60); do grep -q "I have been elected leader" "$WORK/master.log" 2>/dev/null && return 0; sleep 1; done
  say "master did not start:"; tail -20 "$WORK/master.log"; exit 1
}
start_worker() {  # $1 = number; echoes nothing, sets WORKER_PID_$1
  mkdir -p "$WORK/worker$1"
  "${JVM[@]}" "-Dlog4j2.configurationFile=$DAEMON_LOG" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 6g --webui-port $((18080 + $1)) \
      --work-dir "$WORK/worker$1" "$MASTER" >"$WORK/worker$1.log" 2>&1 &
  PIDS+=($!); eval "WORKER_PID_$1=$!"
  for _ in $(seq 60); do grep -q "Successfully registered with master" "$WORK/worker$1.log" 2>/dev/null && return 0; sleep 1; done
  say "worker $1 did not register:"; tail -20 "$WORK/worker$1.log"; exit 1
}
stop_worker() {  # kill -9 worker $1 and its executor: a node lost, not a clean shutdown
  local p c; p=$(eval echo "\$WORKER_PID_$1")
  for c in $(pgrep -P "$p" || true); do kill -9 "$c" 2>/dev/null || true; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true  # reaped here, so bash reports no 'Killed' line
}

# the driver: ./run spark attack in client mode, executors of one core and one torch thread each
EXEC_OPTS="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -Djava.awt.headless=true"
job() {  # $1 = out dir
  bounded "${JVM[@]}" -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -Dspark.executor.cores=1 \
      -Dspark.executor.memory=2g "-Dspark.executor.extraJavaOptions=$EXEC_OPTS" -Dspark.task.maxFailures=4 \
      org.robustseg.spark.SparkMain attack --master "$MASTER" --checkpoint "$CKPT" --data "$DATA" --attack "$ATTACK" \
      --eps "$EPS" --steps "$STEPS" --batch "$BATCH" --limit "$IMAGES" --examples 0 --seed 1 --out "$1"
}
count_images() { find "$1/per-image" -name '*.json' 2>/dev/null | wc -l; }
# images per second once the executors run: per-image files after the first batch, over the time from the
# first batch's last file to the last file (JVM start-up and model loading left out)
steady_rate() {
  find "$1/per-image" -name '*.json' -printf '%T@\n' | sort -n | awk -v b="$BATCH" \
    '{t[NR]=$1} END {if (NR <= b || t[NR] == t[b]) print "n/a"; else printf "%.3f", (NR - b) / (t[NR] - t[b])}'
}

start_master
start_worker 1
start_worker 2
say "master $MASTER, two workers of 1 core (pids $WORKER_PID_1, $WORKER_PID_2); work dir $WORK"

say "run A: $ATTACK eps $EPS, $STEPS steps, $IMAGES images in batches of $BATCH, 2 workers"
rm -rf "$WORK/runA"; T0=$(date +%s.%N)
job "$WORK/runA" > "$WORK/runA.log" 2>&1 || { tail -30 "$WORK/runA.log"; exit 1; }
TA=$(echo "$(date +%s.%N) - $T0" | bc); cat "$WORK/runA.log" | grep -v WARN || true

say "run B: the same job into a fresh folder; worker 2 is killed once the first images are written"
rm -rf "$WORK/runB"; T0=$(date +%s.%N)
job "$WORK/runB" > "$WORK/runB.log" 2>&1 &
JOB_PID=$!; PIDS+=("$JOB_PID")
while [ "$(count_images "$WORK/runB")" -lt "$BATCH" ] && kill -0 "$JOB_PID" 2>/dev/null; do sleep 0.5; done
DONE_AT_KILL=$(count_images "$WORK/runB")
stop_worker 2
say "killed worker 2 (pid $WORKER_PID_2) and its executor with $DONE_AT_KILL of $IMAGES images written"
wait "$JOB_PID" || { say "run B failed:"; tail -30 "$WORK/runB.log"; exit 1; }
TB=$(echo "$(date +%s.%N) - $T0" | bc)
grep -E "Lost executor|lost|Removing executor|ExecutorLost" "$WORK/runB.log" | head -5 || true

say "checking run B against run A"
python3 - "$WORK/runA" "$WORK/runB" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
ja, jb = json.load(open(f"{a}/robustness.json")), json.load(open(f"{b}/robustness.json"))
keys = ["eps", "miou", "pixel_accuracy", "per_class_iou", "pixels", "attack", "image_figures"]
def figures(node):  # an ensemble's figures without the compute seconds, which no two runs share
    if isinstance(node, dict):
        return {k: figures(v) for k, v in node.items() if k != "seconds"}
    return [figures(v) for v in node] if isinstance(node, list) else node
assert len(ja) == len(jb), "entry count"
for x, y in zip(ja, jb):
    for k in keys:
        assert x[k] == y[k], f"{k}: {x[k]} vs {y[k]}"
    assert figures(x.get("ensemble")) == figures(y.get("ensemble")), "ensemble figures"
def files(d):
    out = {}
    for r, _, fs in os.walk(f"{d}/per-image"):
        for f in fs:
            out[os.path.relpath(os.path.join(r, f), d)] = open(os.path.join(r, f), "rb").read()
    return out
fa, fb = files(a), files(b)
hidden = [f for f in fb if os.path.basename(f).startswith(".")]
assert not hidden, f"temporary files left: {hidden}"
assert fa.keys() == fb.keys(), f"per-image files differ: {sorted(set(fa) ^ set(fb))}"
for f in fb:
    json.loads(fb[f])  # whole, parseable
    assert fa[f] == fb[f], f"{f} differs"
print(f"identical: {len(ja)} robustness.json entries (mIoU {[round(e['miou'], 4) for e in ja]}, "
      f"per-image mIoU {[round(e['image_figures']['image_miou'], 4) for e in ja]}, per-object and worst-image figures), "
      f"{len(fb)} per-image files byte for byte; no temporary or partial file")
PY

if [ "$THROUGHPUT" = 1 ]; then
  say "run C: the same job on one worker (worker 1 alone)"
  rm -rf "$WORK/runC"; T0=$(date +%s.%N)
  job "$WORK/runC" > "$WORK/runC.log" 2>&1 || { tail -30 "$WORK/runC.log"; exit 1; }
  TC=$(echo "$(date +%s.%N) - $T0" | bc)
  say "throughput (wall time of the whole job, JVM start and model load included; shared machine, load $(cut -d' ' -f1 /proc/loadavg)):"
  printf '  1 worker : %6.1f s  %.3f images/s overall, %s images/s once running\n' "$TC" "$(echo "$IMAGES / $TC" | bc -l)" "$(steady_rate "$WORK/runC")"
  printf '  2 workers: %6.1f s  %.3f images/s overall, %s images/s once running (overall speed-up %.2fx)\n' "$TA" \
      "$(echo "$IMAGES / $TA" | bc -l)" "$(steady_rate "$WORK/runA")" "$(echo "$TC / $TA" | bc -l)"
fi
say "$(printf 'run A %.1f s, run B (one worker lost) %.1f s' "$TA" "$TB"); all done in $((SECONDS - START_S)) s; stopping the cluster"
# a work folder this script made is removed after a check that passed (data, model, three runs: up
# to hundreds of MB); a failed run exits earlier and keeps it, with its logs, and --work is never removed
if [ "$OWN_WORK" = 1 ]; then
  stop_all
  rm -rf "$WORK"
fi

#!/usr/bin/env bash
# The coordinator at fleet scale: WORKERS simulated workers (bench/loadgen.cc, the real
# protocol) heartbeating every second for SECONDS, first idle; then running a plan of
# WORKSTREAMS trivial independent workstreams, each taking 5 s on its worker (with the
# defaults, about 1,000 attempts start and end a second: the plan runs over the fleet for
# the whole phase); then the same plan with each attempt finished the moment it starts (a
# burst: the coordinator as fast as it goes, everything queued behind its turns). Prints
# what wsfleet_loadgen measured (join, heartbeat and refill latencies), the coordinator's
# CPU (cores, over the run) and its peak RSS, for each phase.
# Usage: fleet_scale_bench.sh BUILD_DIR [WORKERS] [SECONDS] [WORKSTREAMS]
#   (defaults 5000, 30, 20000; goals: < 0.3 core, heartbeat p99 < 5 ms, join p99 < 50 ms,
#    refill (dispatch) p99 < 10 ms while the plan runs)
set -euo pipefail
build=$(cd "$1" && pwd)
workers=${2:-5000}
seconds=${3:-30}
workstreams=${4:-20000}
wsfleet=$build/bin/wsfleet
work=$(mktemp -d /tmp/wsfleet-scale.XXXXXX)
coordinator=""
trap '[ -n "$coordinator" ] && kill -9 "$coordinator" 2> /dev/null; rm -rf "$work"' EXIT
ulimit -n 65536 2> /dev/null || true

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # user + system, clock ticks
hz=$(getconf CLK_TCK)

# phase NAME [PLAN [STEP_MS]]: a fresh coordinator, the plan submitted if given, the
# simulated fleet (each attempt taking STEP_MS).
phase() {
  local name=$1 plan=${2:-} step_ms=${3:-0}
  local state=$work/state-$name sock=$work/c-$name.sock
  "$wsfleet" coordinator --listen "unix:$sock" --state "$state" --heartbeat 1 > "$work/$name.log" 2>&1 &
  coordinator=$!
  for _ in $(seq 3000); do grep -q "listening on" "$work/$name.log" && break; sleep 0.01; done
  if [ -n "$plan" ]; then
    WSFLEET_COORDINATOR=unix:$sock "$wsfleet" submit "$plan" > "$work/$name.submit" 2>&1 ||
      { cat "$work/$name.submit" >&2; exit 1; }
  fi
  local before; before=$(ticks "$coordinator")
  local begin; begin=$(date +%s%N)
  "$build/bin/wsfleet_loadgen" "unix:$sock" "$workers" "$seconds" 1 "$step_ms" > "$work/$name.out"
  local end; end=$(date +%s%N)
  local after; after=$(ticks "$coordinator")
  local peak; peak=$(awk '/VmHWM/ { print $2 }' "/proc/$coordinator/status")
  kill -9 "$coordinator"; wait "$coordinator" 2> /dev/null || true; coordinator=""
  echo "== $name: $workers simulated workers, ${seconds} s"
  cat "$work/$name.out"
  awk -v t=$((after - before)) -v hz="$hz" -v ns=$((end - begin)) \
    'BEGIN { printf "coordinator_cores %.3f\n", (t / hz) / (ns / 1e9) }'
  echo "coordinator_peak_rss_mb $((peak / 1024))"
}

phase idle
plan=$work/plan.md
awk -v n="$workstreams" 'BEGIN {
  for (i = 1; i <= n; i++) printf "## WS-%d: trivial %d\n\n**Duration**: 1 hour\n\n### Test Commands\n\n```bash\ntrue\n```\n\n", i, i
}' > "$plan"
phase working "$plan" 5000
phase burst "$plan" 0

#!/usr/bin/env bash
# Whether the coordinator's cost per workstream stays flat as plans grow: for each SIZE, a
# fresh coordinator runs a plan of SIZE trivial independent workstreams (one card file)
# over WORKERS simulated workers (bench/loadgen.cc, the real protocol; one slot each,
# every attempt finished the moment it starts), and prints the coordinator's CPU per
# workstream (from the submit to the last attempt's end, the submit's parse included),
# its peak RSS (the submit's parse), that less an idle coordinator's per 10,000
# workstreams, and its RSS once the plan has run.
# Usage: plan_size_bench.sh BUILD_DIR [WORKERS] [SIZE...]   (defaults 1000; 1000 10000 100000)
set -euo pipefail
build=$(cd "$1" && pwd)
workers=${2:-1000}
shift $(( $# >= 2 ? 2 : 1 ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
wsfleet=$build/bin/wsfleet
work=$(mktemp -d /tmp/wsfleet-plan-size.XXXXXX)
coordinator=""
trap '[ -n "$coordinator" ] && kill -9 "$coordinator" 2> /dev/null; rm -rf "$work"' EXIT
ulimit -n 65536 2> /dev/null || true
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

printf '%-12s %-10s %-14s %-12s %-15s %-13s %-9s\n' workstreams elapsed_s cpu_ms_per_ws peak_rss_mb peak_per_10k_mb rss_after_mb finished
for n in "${sizes[@]}"; do
  plan=$work/plan-$n.md
  awk -v n="$n" 'BEGIN {
    for (i = 1; i <= n; i++) printf "## WS-%d: trivial %d\n\n**Duration**: 1 hour\n\n### Test Commands\n\n```bash\ntrue\n```\n\n", i, i
  }' > "$plan"
  sock=$work/c-$n.sock
  "$wsfleet" coordinator --listen "unix:$sock" --state "$work/state-$n" --heartbeat 1 > "$work/c-$n.log" 2>&1 &
  coordinator=$!
  for _ in $(seq 3000); do grep -q "listening on" "$work/c-$n.log" && break; sleep 0.01; done
  base_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$coordinator/status")
  before=$(ticks "$coordinator")
  WSFLEET_COORDINATOR="unix:$sock" "$wsfleet" submit "$plan" > "$work/submit-$n.out" 2>&1 ||
    { cat "$work/submit-$n.out" >&2; exit 1; }
  "$build/bin/wsfleet_loadgen" "unix:$sock" "$workers" $(( n / 200 + 60 )) 1 0 "$n" > "$work/load-$n.out"
  after=$(ticks "$coordinator")
  peak_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$coordinator/status")
  after_kb=$(awk '/VmRSS/ { print $2 }' "/proc/$coordinator/status")
  kill -9 "$coordinator"; wait "$coordinator" 2> /dev/null || true; coordinator=""
  elapsed=$(awk '/^elapsed_s/ { print $2 }' "$work/load-$n.out")
  finished=$(awk '/^finished/ { print $2 }' "$work/load-$n.out")
  awk -v n="$n" -v t=$((after - before)) -v hz="$hz" -v e="$elapsed" -v peak="$peak_kb" -v base="$base_kb" \
    -v rss="$after_kb" -v f="$finished" 'BEGIN {
      printf "%-12d %-10.2f %-14.3f %-12d %-15.1f %-13d %-9d\n", n, e, (t / hz) * 1000 / n, peak / 1024,
        (peak - base) / 1024 * 10000 / n, rss / 1024, f }'
done

#!/usr/bin/env bash
# make soak (not part of make test): a 500-workstream plan on 3 workers while one worker is
# killed -9 every 3 s and started again, and the coordinator is killed -9 and started again
# 5 times. At the end every workstream SUCCEEDED exactly once in the store (one succeeded
# attempt each), and each succeeded attempt's step finished (a ledger the steps append
# to, outside every state directory). Prints what it measured for docs/benchmarks.md.
# Usage: soak.sh WSFLEET [WORKSTREAMS] [TIMEOUT_S]
set -uo pipefail
wsfleet=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
count=${2:-500}
limit=${3:-1500}
work=$(mktemp -d /tmp/wsfleet-soak.XXXXXX)
pids=()
coordinator=
cleanup() {
  for pid in "${pids[@]}" $coordinator; do kill -9 "$pid" 2> /dev/null; done
  wait 2> /dev/null
  if [ "${WSFLEET_KEEP_TMP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
export WSFLEET_COORDINATOR=unix:$work/c.sock LEDGER=$work/ledger
start_coordinator() {
  "$wsfleet" coordinator --listen "$WSFLEET_COORDINATOR" --state "$work/state" --lease 3 --heartbeat 0.5 \
    >> "$work/coordinator.log" 2>&1 &
  coordinator=$!
}
start_worker() {  # N
  "$wsfleet" worker --coordinator "$WSFLEET_COORDINATOR" --id "w$1" --slots 2 --workdir "$work/work-$1" \
    >> "$work/w$1.log" 2>&1 &
  pids[$1]=$!
}

# A random DAG (fixed seed): each card depends on up to two of the 30 before it. Steps
# sleep 0.5 to 2.5 s, so that kills land mid-step and the run outlasts 5 coordinator kills.
RANDOM=18
mkdir -p "$work/plan"
for i in $(seq 1 "$count"); do
  deps=()
  for _ in 1 2; do
    if [ "$i" -gt 1 ] && [ $((RANDOM % 3)) -ne 0 ]; then
      back=$((RANDOM % 30 + 1)); [ "$back" -ge "$i" ] && back=$((i - 1))
      deps+=("WS-$(printf %03d $((i - back)))")
    fi
  done
  dep_text=$(printf '%s\n' "${deps[@]:-}" | sort -u | grep . | paste -sd, | sed 's/,/, /g')
  cat > "$work/plan/WS-$(printf %03d "$i").md" <<CARD
# WS-$(printf %03d "$i"): Soak $i

**Duration**: 1 day
**Dependencies**: ${dep_text:-None}
**Retries**: 50

## Test Commands

\`\`\`bash
echo "start \$WSFLEET_ATTEMPT_ID" >> "\$LEDGER"
sleep 0.\$((RANDOM % 5 + 1)); sleep \$((RANDOM % 3))
echo "done \$WSFLEET_ATTEMPT_ID" >> "\$LEDGER"
\`\`\`
CARD
done

begin=$SECONDS
start_coordinator
for n in 1 2 3; do start_worker "$n"; done
for _ in $(seq 100); do "$wsfleet" workers > /dev/null 2>&1 && break; sleep 0.1; done
"$wsfleet" submit "$work/plan" > "$work/submit.out" 2>&1 || { cat "$work/submit.out"; exit 1; }

worker_kills=0 coordinator_kills=0 victim=1
next_coordinator_kill=$((SECONDS + 6))
done_at=
while [ $((SECONDS - begin)) -lt "$limit" ]; do
  sleep 3
  if "$wsfleet" status 2> /dev/null | grep -q '(done'; then done_at=$((SECONDS - begin)); break; fi
  kill -9 "${pids[$victim]}" 2> /dev/null && worker_kills=$((worker_kills + 1))
  wait "${pids[$victim]}" 2> /dev/null
  start_worker "$victim"
  victim=$((victim % 3 + 1))
  if [ "$coordinator_kills" -lt 5 ] && [ "$SECONDS" -ge "$next_coordinator_kill" ]; then
    kill -9 "$coordinator"; wait "$coordinator" 2> /dev/null
    coordinator_kills=$((coordinator_kills + 1))
    start_coordinator
    next_coordinator_kill=$((SECONDS + 12))
  fi
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ -n "$done_at" ] || fail "the plan did not finish within $limit s"
[ "$coordinator_kills" -eq 5 ] || fail "the coordinator was killed $coordinator_kills times, not 5 (the plan ended first)"
db=$work/state/wsfleet.db
succeeded=$(sqlite3 "$db" "SELECT COUNT(*) FROM workstreams WHERE state=5")
[ "$succeeded" -eq "$count" ] || fail "$succeeded of $count workstreams SUCCEEDED in the store"
twice=$(sqlite3 "$db" "SELECT ws_id FROM attempts WHERE outcome=1 GROUP BY ws_id HAVING COUNT(*) > 1")
[ -z "$twice" ] || fail "succeeded more than once: $(echo $twice)"
with_success=$(sqlite3 "$db" "SELECT COUNT(DISTINCT ws_id) FROM attempts WHERE outcome=1")
[ "$with_success" -eq "$count" ] || fail "$with_success workstreams have a succeeded attempt, not $count"
missing=0
for attempt in $(sqlite3 "$db" "SELECT attempt_id FROM attempts WHERE outcome=1"); do
  grep -qx "done $attempt" "$LEDGER" || missing=$((missing + 1))
done
[ "$missing" -eq 0 ] || fail "$missing succeeded attempts never finished their step (the ledger)"
attempts=$(sqlite3 "$db" "SELECT COUNT(*) FROM attempts")
started=$(grep -c '^start ' "$LEDGER")
finished=$(grep -c '^done ' "$LEDGER")
echo "soak: $count workstreams in ${done_at:-?} s; $worker_kills worker kills (-9, every 3 s), $coordinator_kills coordinator kills (-9);" \
  "$attempts attempts in the store, $started steps started, $finished finished;" \
  "$succeeded SUCCEEDED, each exactly once, each with its step's end in the ledger"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# SIGTERM, as Kubernetes stops a pod. A worker takes no new work and lets its running
# attempt finish within --grace, or hands it back when the grace runs out (run again
# elsewhere at once, not after a lease); it exits 0. A coordinator during a 100-workstream
# run logs, stores what is queued and exits 0; restarted, it finishes the plan with
# nothing run twice (a ledger the steps append to).
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
export WSFLEET_COORDINATOR=$sock OUT=$TMP
coordinator() {
  "$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" --lease 10 >> "$TMP/coordinator.log" 2>&1 &
  COORDINATOR_PID=$!
  PIDS+=($COORDINATOR_PID)
  wait_for 20 sh -c "'$WSFLEET' workers > /dev/null"
}
worker() {  # ID GRACE
  "$WSFLEET" worker --coordinator "$sock" --id "$1" --workdir "$TMP/work" --grace "$2" > "$TMP/$1.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$1=$!"
  wait_for 20 sh -c "'$WSFLEET' workers | grep -q '$1 .*connected'"
}
state_of() { "$WSFLEET" status -o json | python3 -c "import json, sys; print([w['state'] for w in json.load(sys.stdin)['workstreams'] if w['id'] == '$1'][0])"; }
coordinator

# 1. Finished within the grace.
worker w1 30s
card "$TMP/p1" WS-01 None 'sleep 2; echo WS-01 >> "$OUT/ledger"'
"$WSFLEET" submit "$TMP/p1" > /dev/null
check "WS-01 runs on w1" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*RUNNING .*w1'"
kill -TERM "$PID_w1"
check "w1 says it is leaving" wait_for 10 grep -q "SIGTERM: leaving: taking no new work" "$TMP/w1.log"
check "the coordinator places nothing more on it" wait_for 10 grep -q "worker w1 is leaving" "$TMP/coordinator.log"
wait "$PID_w1"
code=$?
check "w1 exits 0 once its attempt is done (got $code)" [ "$code" -eq 0 ]
check "WS-01 finished there, once" [ "$(state_of WS-01)" = SUCCEEDED ]
check "w1 says so" grep -q "left: every attempt finished or handed back" "$TMP/w1.log"

# 2. Handed back when the grace runs out: run again on another worker at once.
worker w2 1s
card "$TMP/p2" WS-02 None 'echo "WS-02 try $WSFLEET_ATTEMPT on $WSFLEET_WORKER_ID" >> "$OUT/ledger2"
if [ "$WSFLEET_WORKER_ID" = w2 ]; then sleep 60; fi'
"$WSFLEET" submit "$TMP/p2" > /dev/null
check "WS-02 runs on w2" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*RUNNING .*w2'"
worker w3 30s
kill -TERM "$PID_w2"
start=$SECONDS
check "WS-02 succeeds on w3" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*SUCCEEDED .*w3'"
check "... well before a lease would have run out ($((SECONDS - start)) s)" [ $((SECONDS - start)) -lt 8 ]
wait "$PID_w2"
code=$?
check "w2 exits 0 after handing it back (got $code)" [ "$code" -eq 0 ]
check "w2 says it handed it back" grep -q "grace period (1 s) is over: handing back" "$TMP/w2.log"
check "the attempt is stored as handed back" python3 -c "
import sqlite3; c = sqlite3.connect('$TMP/state/wsfleet.db')
assert c.execute('select count(*) from attempts where outcome = 7').fetchone()[0] == 1"

# 3. The coordinator, mid-run.
for i in $(seq -w 1 100); do
  card "$TMP/p3" "WS-$i" None 'echo "$WSFLEET_WORKSTREAM_ID" >> "$OUT/ledger3"; sleep 0.1'
done
"$WSFLEET" submit "$TMP/p3" > /dev/null
check "the run is under way" wait_for 20 sh -c "test \$(wc -l < '$TMP/ledger3' 2> /dev/null || echo 0) -ge 10"
kill -TERM "$COORDINATOR_PID"
wait "$COORDINATOR_PID"
code=$?
check "the coordinator exits 0 on SIGTERM (got $code)" [ "$code" -eq 0 ]
check "... saying so" grep -q "SIGTERM: stopping" "$TMP/coordinator.log"
check "... and that it stopped" grep -q "stopped; the workers keep what is not stored" "$TMP/coordinator.log"
coordinator
check "restarted, it finishes the plan" wait_for 120 sh -c "'$WSFLEET' status | grep -q '100 succeeded (done'"
check "every workstream ran exactly once" [ "$(sort "$TMP/ledger3" | uniq | wc -l)" -eq 100 ] && \
  check "... with no second run" [ "$(wc -l < "$TMP/ledger3")" -eq 100 ]
finish

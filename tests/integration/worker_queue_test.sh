#!/usr/bin/env bash
# Worker queues with real processes: a busy worker holds a second workstream queued and
# starts it itself when its slot frees; one that waits there while another worker is free
# is taken back (revoked) and runs on that worker; a cancelled queued one never starts.
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
"$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
export WSFLEET_COORDINATOR=$sock
"$WSFLEET" worker --coordinator "$sock" --id w1 --slots 1 --workdir "$TMP/work" > "$TMP/w1.log" 2>&1 &
PIDS+=($!)
check "w1 joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q 'w1.*connected'"

plan=$TMP/plan
card "$plan" WS-01 None 'sleep 4; echo one > one.txt' "**Priority**: P1"
card "$plan" WS-02 None 'echo "two on $WSFLEET_WORKER_ID" > two.txt' "**Priority**: P2"
card "$plan" WS-03 None 'echo three > three.txt' "**Priority**: P3"
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
check "WS-01 runs" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*RUNNING'"
check "WS-02 waits in w1's queue" wait_for 20 sh -c "'$WSFLEET' status | grep -E '^WS-02 ' | grep -q 'queued on w1'"
check "WS-03 waits for a slot" sh -c "'$WSFLEET' status | grep -qE '^WS-03 .*READY'"
"$WSFLEET" worker --coordinator "$sock" --id w2 --slots 1 --workdir "$TMP/work" > "$TMP/w2.log" 2>&1 &
PIDS+=($!)
# w2 takes WS-03 at once (it was ready); when that is done and WS-02 has waited its
# second, WS-02 is taken back from w1 and runs on w2, long before WS-01 ends.
check "WS-02 ran on w2" wait_for 20 grep -q "two on w2" "$TMP/work/two.txt"
check "while WS-01 still ran" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*RUNNING'"
check "WS-03 done" wait_for 20 test -f "$TMP/work/three.txt"
check "WS-01 done" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*SUCCEEDED'"
"$WSFLEET" status -o json > "$TMP/status.json"
check "the revoked attempt is not counted" python3 - "$TMP/status.json" <<'PY'
import json, sys
ws = {w["id"]: w for w in json.load(open(sys.argv[1]))["workstreams"]}
assert ws["WS-02"]["state"] == "SUCCEEDED", ws["WS-02"]
assert ws["WS-02"]["attempts"] == 1, ws["WS-02"]
assert ws["WS-02"]["worker_id"] == "w2", ws["WS-02"]
PY
check "the store holds the revoked attempt" python3 -c "
import sqlite3; c = sqlite3.connect('$TMP/state/wsfleet.db')
assert c.execute('select count(*) from attempts where outcome = 6').fetchone()[0] == 1"

# A queued workstream cancelled before it starts ends cancelled and never runs.
plan2=$TMP/plan2
card "$plan2" WS-11 None 'sleep 3' "**Priority**: P1"
card "$plan2" WS-12 None 'touch ran12' "**Priority**: P2"
"$WSFLEET" drain w2 > /dev/null 2>&1
"$WSFLEET" submit "$plan2" > "$TMP/submit2.out" 2>&1
check "WS-12 queued on w1" wait_for 20 sh -c "'$WSFLEET' status | grep -E '^WS-12 ' | grep -q 'queued on w1'"
"$WSFLEET" cancel WS-12 > /dev/null 2>&1
check "WS-12 cancelled" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-12 .*CANCELLED'"
check "WS-11 succeeds" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-11 .*SUCCEEDED'"
check "WS-12 never ran" test ! -e "$TMP/work/ran12"
finish

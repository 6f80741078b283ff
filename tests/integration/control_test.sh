#!/usr/bin/env bash
# A standalone coordinator and worker, driven by the client commands: submit, status,
# workers, logs -f, cancel, retry, drain.
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
"$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
"$WSFLEET" worker --coordinator "$sock" --id w1 --slots 2 --workdir "$TMP/work" > "$TMP/worker.log" 2>&1 &
PIDS+=($!)
export WSFLEET_COORDINATOR=$sock
check "worker joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q 'w1.*connected'"

plan=$TMP/plan
card "$plan" WS-01 None 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "tick $i"; sleep 0.3; done'
card "$plan" WS-02 None 'sleep 60'
card "$plan" WS-03 WS-02 'echo after'
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
check "submit" contains "$TMP/submit.out" "submitted plan"
check "WS-02 running" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*RUNNING'"
"$WSFLEET" logs -f WS-01 > "$TMP/follow.out" 2>&1 &
follow=$!
PIDS+=($follow)
"$WSFLEET" status -o json > "$TMP/status.json"
check "status json" contains "$TMP/status.json" '"plan_id"'
check "status json: short state names, times as Unix milliseconds" jq -e \
  '.workstreams[] | select(.id == "WS-01") | .state == "RUNNING" and (.started_unix_ms | type == "number") and .started_unix_ms > 1600000000000' \
  "$TMP/status.json"
"$WSFLEET" cancel WS-02 > "$TMP/cancel.out" 2>&1
check "cancel accepted" contains "$TMP/cancel.out" "cancelling 1 workstream"
check "WS-02 cancelled" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*CANCELLED'"
check "WS-03 blocked" sh -c "'$WSFLEET' status | grep -qE '^WS-03 .*BLOCKED'"
check "logs -f ends when WS-01 ends" wait_for 30 sh -c "! kill -0 $follow"
check "logs -f saw every tick" contains "$TMP/follow.out" "tick 10"
check "WS-01 succeeded" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*SUCCEEDED'"
"$WSFLEET" retry WS-01 > "$TMP/retry1.out" 2>&1
check "retrying a success is refused" [ $? -ne 0 ]
"$WSFLEET" retry WS-02 > "$TMP/retry.out" 2>&1
check "retry WS-02" contains "$TMP/retry.out" "retrying WS-02"
check "WS-02 runs again" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*RUNNING +2'"
check "WS-03 pending again" sh -c "'$WSFLEET' status | grep -qE '^WS-03 .*PENDING'"
"$WSFLEET" cancel --all > /dev/null 2>&1
"$WSFLEET" drain w1 > "$TMP/drain.out" 2>&1
check "drain" contains "$TMP/drain.out" "draining w1"
check "worker shows draining" sh -c "'$WSFLEET' workers | grep -q 'w1.*draining'"
"$WSFLEET" cancel WS-77 > "$TMP/cancel-bad.out" 2>&1
check "unknown workstream is a bad argument: exit 64" [ $? -eq 64 ]
check "WS-02 cancelled again" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*CANCELLED'"
"$WSFLEET" retry --failed > "$TMP/retry-failed.out" 2>&1
check "retry --failed puts back what did not succeed" contains "$TMP/retry-failed.out" "workstreams again"
check "... keeps what succeeded" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*SUCCEEDED'"
check "... and WS-02 says why it waits: its only worker drains" \
  wait_for 10 sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*READY.*every worker that can run it is draining \\(w1\\)'"
# A plan bigger than one gRPC message (16 MiB): submit streams it.
big=$TMP/big
for id in WS-01 WS-02; do card "$big" "$id" None "true"; head -c 9000000 /dev/zero | tr '\0' 'x' | fold -w 100 >> "$big/$id.md"; done
"$WSFLEET" submit "$big" > "$TMP/big.out" 2>&1
check "a plan of 18 MB is submitted whole (streamed)" contains "$TMP/big.out" "(2 workstreams)"
"$WSFLEET" cancel --all --plan "$(sed -n 's/^submitted plan \([^ ]*\) .*/\1/p' "$TMP/big.out")" > /dev/null 2>&1
"$WSFLEET" status --coordinator "unix:$TMP/nothing.sock" > "$TMP/down.out" 2>&1
check "no coordinator: exit 68" [ $? -eq 68 ]
finish

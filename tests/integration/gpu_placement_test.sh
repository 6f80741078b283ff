#!/usr/bin/env bash
# GPUs a worker offers reach the scheduler: a card's GPUs get CUDA_VISIBLE_DEVICES from the
# worker's GPUs, a card needing more than any worker has fails with the reason, and
# `wsfleet run --gpus` splits the machine's GPUs among its local workers. Indices are
# offered as given here (no GPU in CI), as on a node whose driver the container lacks.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None 'echo "visible=$CUDA_VISIBLE_DEVICES"' '**GPUs**: 2'
card "$plan" WS-02 None 'echo "visible=$CUDA_VISIBLE_DEVICES"' '**GPUs**: 1'
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
export WSFLEET_COORDINATOR=unix:$TMP/state/coordinator.sock
join_token "$TMP/state" "$TMP/join.token"
"$WSFLEET" worker --coordinator "$address" --id g1 --slots 2 --gpus 0,1,2 \
  --workdir "$TMP/w" --join-token-file "$TMP/join.token" > "$TMP/worker.log" 2>&1 &
PIDS+=($!)
check "the worker offers 3 GPUs" wait_for 20 sh -c "'$WSFLEET' workers | grep -qE '^g1 .* 2  3  '"
check "and says it could not check them" contains "$TMP/worker.log" "offered as given"
check "workers -o json shows its labels" sh -c \
  "'$WSFLEET' workers -o json | jq -e '.workers[0].resources.labels[\"gpu.count\"] == \"3\"'"
check "the plan runs" run_plan "$plan"
check "both succeeded" sh -c "'$WSFLEET' status | grep -q '2 succeeded'"
check "WS-01 saw two GPUs" sh -c "'$WSFLEET' logs WS-01 | grep -qE '^visible=[0-2],[0-2]$'"
check "WS-02 saw the third" sh -c "'$WSFLEET' logs WS-02 | grep -qE '^visible=[0-2]$'"
v1=$("$WSFLEET" logs WS-01 | sed -n 's/^visible=//p'); v2=$("$WSFLEET" logs WS-02 | sed -n 's/^visible=//p')
check "no GPU given to both ($v1 / $v2)" sh -c "! echo '$v1' | tr ',' '\n' | grep -qx '$v2'"

big=$TMP/big
card "$big" WS-09 None 'echo never' '**GPUs**: 4'
"$WSFLEET" submit "$big" > "$TMP/big.out" 2>&1
check "a card needing more GPUs than any worker fails" wait_for 20 sh -c "'$WSFLEET' status | grep -E '^WS-09 .*FAILED' | grep -q 'GPU'"
"$WSFLEET" worker --coordinator "$WSFLEET_COORDINATOR" --gpus 0,x > "$TMP/bad.log" 2>&1
check "a bad --gpus is a usage error" [ $? -eq 64 ]

# wsfleet run splits the machine's GPUs: 2 workers, 2 GPUs, one each.
run=$TMP/run-plan
card "$run" WS-01 None 'echo "visible=$CUDA_VISIBLE_DEVICES"' '**GPUs**: 1'
card "$run" WS-02 None 'echo "visible=$CUDA_VISIBLE_DEVICES"' '**GPUs**: 1'
card "$run" WS-03 None 'echo never' '**GPUs**: 2'
"$WSFLEET" run "$run" --workers 2 --gpus 0,1 --keep-going --state "$TMP/run-state" \
  --workdir "$TMP/run-work" > "$TMP/run.out" 2>&1
check "run: one GPU each, so the 2-GPU card cannot be placed" contains "$TMP/run.out" "2 succeeded, 1 failed"
check "run: the workers got 0 and 1" sh -c "cat '$TMP'/run-state/latest/logs/WS-0[12]/*.log | sort | tr '\n' ' ' | grep -q 'visible=0 visible=1'"
finish

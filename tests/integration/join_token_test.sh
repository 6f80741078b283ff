#!/usr/bin/env bash
# The join token: a coordinator started with one refuses workers that do not present it
# (they exit 1 saying so) and accepts those that do, from a file or $WSFLEET_JOIN_TOKEN;
# an empty file or the Kubernetes placeholder is refused at start. The coordinator logs as
# JSON here: every line an object, each refused worker said once a minute at most.
source "$(dirname "$0")/lib.sh"
printf 'a-good-random-token-0123456789\n' > "$TMP/token"
printf 'not-the-token\n' > "$TMP/wrong"
: > "$TMP/empty"
printf 'CHANGE-ME-wsfleet-join-token\n' > "$TMP/placeholder"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" --join-token-file "$TMP/token" \
  --log-format json > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
export WSFLEET_COORDINATOR=$address

timeout 30 "$WSFLEET" worker --coordinator "$address" --id intruder --workdir "$TMP/w1" \
  --join-token-file "$TMP/wrong" > "$TMP/intruder.log" 2>&1
check "a worker with the wrong token exits 1" [ $? -eq 1 ]
check "and says why" contains "$TMP/intruder.log" "refused this worker: the join token does not match"
check "the coordinator says so too" contains "$TMP/coordinator.log" "refused worker 'intruder': wrong join token"
timeout 30 "$WSFLEET" worker --coordinator "$address" --id intruder --workdir "$TMP/w1" \
  --join-token-file "$TMP/wrong" > "$TMP/intruder2.log" 2>&1
check "a second refusal within the minute is not logged again" \
  [ "$(grep -c "refused worker 'intruder'" "$TMP/coordinator.log")" -eq 1 ]
timeout 30 "$WSFLEET" worker --coordinator "$address" --id tokenless --workdir "$TMP/w2" > "$TMP/tokenless.log" 2>&1
check "a worker without a token is refused too" [ $? -eq 1 ]
check "no refused worker is listed" sh -c "! '$WSFLEET' workers | grep -qE 'intruder|tokenless'"

WSFLEET_JOIN_TOKEN=$(cat "$TMP/token") "$WSFLEET" worker --coordinator "$address" --id w-env \
  --workdir "$TMP/w3" > "$TMP/w-env.log" 2>&1 &
PIDS+=($!)
"$WSFLEET" worker --coordinator "$address" --id w-file --workdir "$TMP/w4" \
  --join-token-file "$TMP/token" > "$TMP/w-file.log" 2>&1 &
PIDS+=($!)
check "a worker with the token from the environment joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q 'w-env.*connected'"
check "a worker with the token from a file joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q 'w-file.*connected'"
plan=$TMP/plan
card "$plan" WS-01 None 'echo hello'
check "and they run work" run_plan "$plan"
check "WS-01 succeeded" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*SUCCEEDED'"

check "every coordinator log line is a JSON object with ts, level, component and msg" \
  jq -e -s 'length > 2 and all(.[]; (.ts | test("^[0-9-]+T[0-9:.]+Z$")) and .level != null and .component == "coordinator" and .msg != null)' \
  "$TMP/coordinator.log"
check "a refusal is a warning" sh -c "jq -r 'select(.msg | startswith(\"refused worker\")) | .level' '$TMP/coordinator.log' | grep -qx warning"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s4" --log-level loud > "$TMP/level.log" 2>&1
check "an unknown --log-level is a usage error" [ $? -eq 64 ]
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s2" --join-token-file "$TMP/empty" > "$TMP/empty.log" 2>&1
check "an empty token file is a usage error" [ $? -eq 64 ]
check "naming the file" contains "$TMP/empty.log" "$TMP/empty: the file is empty"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s3" --join-token-file "$TMP/placeholder" > "$TMP/ph.log" 2>&1
check "the placeholder token is refused" [ $? -eq 64 ]
check "saying what to do" contains "$TMP/ph.log" "still the placeholder token"
"$WSFLEET" worker --coordinator "$address" --join-token-file "$TMP/missing" > "$TMP/missing.log" 2>&1
check "a missing token file is a usage error" [ $? -eq 64 ]
finish

#!/usr/bin/env bash
# One card must not stall the fleet: five table rows of 65,000 cells (a 325 KB card; 43 s
# in cmark-gfm's table extension) are a file:line error from `plan` and from `submit` at
# once, and the coordinator's worker keeps its lease meanwhile.
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
export WSFLEET_COORDINATOR=$sock
mkdir -p "$TMP/wide"
{
  printf '# WS-01: Wide\n\n**Duration**: 1 day\n\n## Test Commands\n\n```bash\ntrue\n```\n\n'
  for _ in 1 2 3 4 5; do head -c 65000 /dev/zero | tr '\0' '|'; echo; done
} > "$TMP/wide/WS-01.md"
"$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" --lease 3 --heartbeat 0.5 > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 sh -c "'$WSFLEET' workers > /dev/null" || { cat "$TMP/coordinator.log"; exit 1; }
"$WSFLEET" worker --coordinator "$sock" --id w1 --workdir "$TMP/work" > "$TMP/w1.log" 2>&1 &
PIDS+=($!)
check "w1 joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'"

start=$SECONDS
"$WSFLEET" plan "$TMP/wide" > "$TMP/plan.out" 2>&1
code=$?
check "plan refuses the card (exit $code)" [ "$code" -eq 2 ]
check "... naming file and line" contains "$TMP/plan.out" "WS-01.md:11: error: a line with 65000 '|' (table cells); at most 1000 in a row"
"$WSFLEET" submit "$TMP/wide" > "$TMP/submit.out" 2>&1
code=$?
check "submit refuses it too (exit $code)" [ "$code" -eq 2 ]
check "... the same way" contains "$TMP/submit.out" "WS-01.md:11: error: a line with 65000 '|'"
check "both answered at once ($((SECONDS - start)) s; the parser took 43 s before)" [ $((SECONDS - start)) -lt 10 ]
sleep 4  # more than a lease
check "the worker kept its lease" sh -c "! grep -q 'missed its lease' '$TMP/coordinator.log'"
check "and is connected" sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'"
finish

#!/usr/bin/env bash
# A worker's steps die with it: kill -9 of the worker mid-step leaves no process of the
# attempt running (its step, the step's children, and a daemon it started with setsid),
# and none of them gets to do what it would have done after a sleep. A worker frozen past
# its lease (SIGSTOP, as a partition looks from the coordinator) has its step stopped by
# the step's guard at the lease's end, before the coordinator declares it lost and runs the
# attempt elsewhere; thawed, it logs the lapse, is told it was declared lost, rejoins, and
# its stale result is refused: the workstream succeeded once.
source "$(dirname "$0")/lib.sh"
sock="unix:$TMP/c.sock"
# Every step of this test carries MARK (the workers pass their environment on): other
# tests' steps, running beside this one, do not.
export WSFLEET_COORDINATOR=$sock OUT=$TMP MARK="step-fence-$$-$RANDOM"
# marked PATTERN: how many processes of this test's steps hold PATTERN in their environment.
marked() {
  grep -l -s -a "^MARK=$MARK\$" --null-data /proc/[0-9]*/environ 2> /dev/null | tr '\0' '\n' |
    xargs -r grep -l -s -a "$1" 2> /dev/null | grep -v "^/proc/$$/" | wc -l
}
"$WSFLEET" coordinator --listen "$sock" --state "$TMP/state" --lease 3 --heartbeat 0.5 > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 sh -c "'$WSFLEET' workers > /dev/null" || { cat "$TMP/coordinator.log"; exit 1; }
"$WSFLEET" worker --coordinator "$sock" --id w1 --workdir "$TMP/work" > "$TMP/w1.log" 2>&1 &
worker=$!
PIDS+=($worker)
card "$TMP/plan" WS-01 None 'setsid sh -c "sleep 4; echo escaped > \"$OUT/escaped-marker\"" < /dev/null > /dev/null 2>&1 &
(sleep 4; echo child > "$OUT/child-marker") &
touch "$OUT/started"
sleep 4
echo step > "$OUT/step-marker"'
"$WSFLEET" submit "$TMP/plan" > /dev/null
check "the step started" wait_for 20 test -e "$TMP/started"
check "it runs its shell, a child and a setsid daemon ($(marked WSFLEET_ATTEMPT_ID=WS-01-) processes)" \
  [ "$(marked WSFLEET_ATTEMPT_ID=WS-01-)" -ge 3 ]
kill -9 "$worker"
gone() { [ "$(marked "$1")" -eq 0 ]; }
check "kill -9 of the worker: no process of the attempt is left within 2 s" wait_for 2 gone WSFLEET_ATTEMPT_ID=WS-01-
sleep 5
check "the step did not go on" test ! -e "$TMP/step-marker"
check "nor its child" test ! -e "$TMP/child-marker"
check "nor the daemon it started with setsid" test ! -e "$TMP/escaped-marker"

"$WSFLEET" cancel --all > /dev/null 2>&1  # WS-01 waits for a worker: one plan at a time
check "the first plan is over" wait_for 20 sh -c "'$WSFLEET' status | grep -q '(done'"

# Frozen past the lease.
"$WSFLEET" worker --coordinator "$sock" --id w2 --workdir "$TMP/work" > "$TMP/w2.log" 2>&1 &
frozen=$!
PIDS+=($frozen)
check "w2 joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w2 .*connected'"
card "$TMP/plan2" WS-02 None 'echo "$WSFLEET_WORKER_ID" >> "$OUT/ran-WS-02"
if [ "$WSFLEET_WORKER_ID" = w2 ]; then sleep 8; echo late > "$OUT/frozen-marker"; fi
# The retry: is any process of the first attempt (on w2) still running?
grep -l -s -a "^MARK=$MARK\$" --null-data /proc/[0-9]*/environ | tr "\0" "\n" |
  xargs -r grep -l -s -a --null-data "^WSFLEET_WORKER_ID=w2\$" | wc -l > "$OUT/w2-alive-at-$WSFLEET_WORKER_ID" || true
echo "$WSFLEET_WORKER_ID" >> "$OUT/done-WS-02"'
"$WSFLEET" submit "$TMP/plan2" > /dev/null
check "WS-02 runs on w2" wait_for 20 grep -qx w2 "$TMP/ran-WS-02"
kill -STOP "$frozen"
"$WSFLEET" worker --coordinator "$sock" --id w3 --workdir "$TMP/work" > "$TMP/w3.log" 2>&1 &
PIDS+=($!)
check "w2 is declared lost and WS-02 runs again on w3" wait_for 20 grep -qx w3 "$TMP/done-WS-02"
check "w2's step was stopped (by its guard, at the lease's end) before the retry started" \
  grep -qx 0 "$TMP/w2-alive-at-w3"
kill -CONT "$frozen"
check "thawed, w2 is told it was declared lost and rejoins" wait_for 20 grep -q "declared lost.*rejoining" "$TMP/w2.log"
check "... and logs that its lease lapsed" grep -q "lease lapsed" "$TMP/w2.log"
sleep 2
check "the frozen worker's step never finished" test ! -e "$TMP/frozen-marker"
check "... and is connected again" wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w2 .*connected'"
check "WS-02 succeeded once, on w3" sh -c "'$WSFLEET' status | grep -qE '^WS-02 .*SUCCEEDED .*w3'"
check "the store holds one success" sh -c "'$WSFLEET' status -o json | grep -c '\"state\": \"SUCCEEDED\"' | grep -qx 1"
finish

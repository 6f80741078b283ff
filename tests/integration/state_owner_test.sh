#!/usr/bin/env bash
# One owner per state directory: a second coordinator or `wsfleet run` on it refuses,
# naming the owner's PID; kill -9 of the owner lets the next one in, which resumes the
# plan; the lock reaches no worker or step.
source "$(dirname "$0")/lib.sh"
card "$TMP/plan" WS-01 None 'touch "$OUT/started"; sleep 30'
# Under `wsfleet run`: the open files of the step, its guard and its worker, and the run's own.
card "$TMP/plan2" WS-01 None 'ls -l /proc/$$/fd /proc/$PPID/fd /proc/$(ps -o ppid= -p $PPID | tr -d " ")/fd > "$OUT/fds" 2>&1
ls -l /proc/$(pgrep -o -f "wsfleet run .*--state $OUT/state2")/fd > "$OUT/run-fds" 2>&1'
export OUT=$TMP
"$WSFLEET" coordinator --listen "unix:$TMP/c.sock" --state "$TMP/state" > "$TMP/first.log" 2>&1 &
first=$!
PIDS+=($first)
check "the first coordinator serves" wait_for 20 grep -q "listening on" "$TMP/first.log"
export WSFLEET_COORDINATOR=unix:$TMP/c.sock
"$WSFLEET" worker --coordinator "unix:$TMP/c.sock" --id w1 --workdir "$TMP/work" > "$TMP/w1.log" 2>&1 &
PIDS+=($!)
"$WSFLEET" submit "$TMP/plan" > "$TMP/submit.out" 2>&1
check "its step runs" wait_for 20 test -e "$TMP/started"

"$WSFLEET" coordinator --listen "unix:$TMP/c2.sock" --state "$TMP/state" > "$TMP/second.log" 2>&1
code=$?
check "a second coordinator on the directory exits 1 (got $code)" [ "$code" -eq 1 ]
check "... naming the owner's pid" grep -q "state directory $TMP/state is in use by pid $first (wsfleet coordinator since 20" "$TMP/second.log"
"$WSFLEET" run "$TMP/plan" --state "$TMP/state" --workdir "$TMP/work2" > "$TMP/run.out" 2>&1
code=$?
check "wsfleet run on it refuses too (exit $code)" [ "$code" -ne 0 ]
check "... the same way" grep -q "is in use by pid $first" "$TMP/run.out"
check "the first one still serves" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*RUNNING'"

kill -9 "$first"
wait "$first" 2> /dev/null
"$WSFLEET" coordinator --listen "unix:$TMP/c.sock" --state "$TMP/state" > "$TMP/third.log" 2>&1 &
PIDS+=($!)
check "after kill -9 of the owner, the next one starts" wait_for 20 grep -q "listening on" "$TMP/third.log"
check "... and holds the plan" wait_for 20 sh -c "'$WSFLEET' status | grep -q '^WS-01 '"

kill -9 "${PIDS[-1]}"
"$WSFLEET" run "$TMP/plan2" --state "$TMP/state2" --workdir "$TMP/work3" > "$TMP/run2.out" 2>&1
check "wsfleet run holds its state directory" grep -q "state2/owner.lock" "$TMP/run-fds"
check "... and none of its workers or steps does" sh -c "! grep -q owner.lock '$TMP/fds'"
finish

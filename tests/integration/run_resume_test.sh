#!/usr/bin/env bash
# wsfleet run killed -9 mid-run: its local workers die with it, and running it again on the
# same state directory resumes the run; a different plan there is refused, not mixed in.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None "sleep 2; echo slow done; echo ran >> $TMP/ran-01"
card "$plan" WS-02 WS-01 "echo after; echo ran >> $TMP/ran-02"
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out1" 2>&1 &
run=$!
check "WS-01 started" wait_for 20 grep -q "WS-01 RUNNING" "$TMP/out1"
kill -9 "$run"
wait "$run" 2>/dev/null
check "local workers exit with run" wait_for 10 sh -c "! pgrep -f 'worker --coordinato[r] unix:$TMP/s' > /dev/null"
other=$TMP/other
card "$other" WS-07 None "true"
"$WSFLEET" run "$other" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out2" 2>&1
check "another plan on an unfinished state is refused" [ $? -eq 1 ]
check "refusal says why" contains "$TMP/out2" "holds an unfinished run of plan"
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out3" 2>&1
check "the same plan resumes and succeeds" [ $? -eq 0 ]
check "it says it resumed" contains "$TMP/out3" "resuming 2 workstreams"
check "both done" contains "$TMP/out3" "2 succeeded (done)"
# Run again, finished: nothing runs again (it re-ran, and re-paid agents for, everything).
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out5" 2>&1
check "a finished run resumed exits 0" [ $? -eq 0 ]
check "... resuming the same plan" contains "$TMP/out5" "resuming 2 workstreams"
check "... and nothing ran again" [ "$(cat "$TMP/ran-01" "$TMP/ran-02" | wc -l)" -eq 2 ]
# An edited card runs again (with its dependents); the others do not.
card "$plan" WS-02 WS-01 "echo after, edited; echo ran >> $TMP/ran-02"
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/out6" 2>&1
check "the edited plan resumed exits 0" [ $? -eq 0 ]
check "... naming the edit" contains "$TMP/out6" "cards edited since its last run (changed WS-02); 1 to run again"
check "... WS-02 ran again" [ "$(wc -l < "$TMP/ran-02")" -eq 2 ]
check "... WS-01 did not" [ "$(wc -l < "$TMP/ran-01")" -eq 1 ]
card "$TMP/halting" WS-05 None "false"
"$WSFLEET" run "$TMP/halting" --state "$TMP/h" --workdir "$TMP/w" > /dev/null 2>&1
"$WSFLEET" run "$TMP/halting" --state "$TMP/h" --workdir "$TMP/w" > "$TMP/out8" 2>&1
check "a failed run resumed says what failed and how to run it again" \
  contains "$TMP/out8" "its run had ended: 1 failed or cancelled (WS-05: test 1"
check "... --rerun-failed" contains "$TMP/out8" "--rerun-failed runs them again"
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" --rerun WS-01 > "$TMP/out7" 2>&1
check "--rerun WS-01 runs it and its dependent again" \
  sh -c "[ \$(wc -l < '$TMP/ran-01') -eq 2 ] && [ \$(wc -l < '$TMP/ran-02') -eq 3 ]"
# Summaries derive from the store and are written without fsync: one lost, or left empty,
# by a crash is written again when a coordinator next opens the state.
summary=$TMP/s/latest/summaries/WS-01-COMPLETION_SUMMARY.md
emptied=$TMP/s/latest/summaries/WS-02-COMPLETION_SUMMARY.md
check "summary written" [ -f "$summary" ]
rm -f "$summary"
: > "$emptied"
rm -f "$TMP/s/latest/report.json"
"$WSFLEET" coordinator --listen "unix:$TMP/c.sock" --state "$TMP/s" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "a restarted coordinator writes the missing summary again" wait_for 20 test -f "$summary"
check "with its content" contains "$summary" "# WS-01: "
check "and the emptied one" wait_for 20 grep -q "# WS-02: " "$emptied"
check "and the report of the finished run" wait_for 20 test -s "$TMP/s/latest/report.json"
finish

#!/usr/bin/env bash
# `wsfleet run`'s workers share the coordinator's machine and append output to the logs in
# the state directory themselves: every byte lands, in order, where the store says it is;
# a worker of `wsfleet worker` elsewhere sends its bytes, and both make the same log.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None 'head -c 3000000 /dev/urandom | tee blob.bin; echo; echo done'
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/run.out" 2>&1
check "runs (exit $?)" contains "$TMP/run.out" "1 succeeded"
log=$(ls "$TMP"/s/latest/logs/WS-01/*.log)
{ cat "$TMP/w/blob.bin"; printf '\ndone\n'; } > "$TMP/expected"
check "the log holds every byte, in order" cmp -s "$log" "$TMP/expected"
check "and the store names all of them" [ "$(sqlite3 "$TMP/s/wsfleet.db" 'SELECT sum(log_length) FROM events')" -eq "$(stat -c %s "$TMP/expected")" ]

# Output over the cap: its head and its last lines (the verdict) are kept, and status, the
# summary and the report say how much was dropped.
capped=$TMP/capped
card "$capped" WS-01 None 'head -c 3000000 /dev/zero | tr "\0" x; echo; echo "VERDICT: all good"'
"$WSFLEET" run "$capped" --state "$TMP/sc" --workdir "$TMP/wc" --output-cap 1000000 > "$TMP/capped.out" 2>&1
capped_log=$(ls "$TMP"/sc/latest/logs/WS-01/*.log)
check "the capped log ends with the verdict" sh -c "tail -n 1 '$capped_log' | grep -qx 'VERDICT: all good'"
check "it says where output was dropped" grep -q "bytes of output over the cap dropped here" "$capped_log"
check "the run's table shows the drop" grep -qE "OUTPUT DROPPED" "$TMP/capped.out"
check "the summary says so" contains "$TMP/sc/latest/summaries/WS-01-COMPLETION_SUMMARY.md" "over the cap dropped"
check "report.json counts the bytes" [ "$(jq '.workstreams[0].output_dropped_bytes' "$TMP/sc/latest/report.json")" -gt 900000 ]

# The same step through a worker that sends its output (no log token): the same log.
start_fleet 1
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
wait_for 60 sh -c "'$WSFLEET' status | grep -q SUCCEEDED"
check "a sending worker's run succeeds" sh -c "'$WSFLEET' status | grep -q SUCCEEDED"
sent_log=$(ls "$TMP"/state/latest/logs/WS-01/*.log)
{ cat "$TMP/work/blob.bin"; printf '\ndone\n'; } > "$TMP/expected-sent"
check "its log holds every byte too" cmp -s "$sent_log" "$TMP/expected-sent"

# `wsfleet run` killed -9 mid-step, while its worker appends: run again, each attempt's
# log holds exactly the bytes the store names (what no stored event names is cut), and
# the retry's log is whole.
card "$TMP/plan2" WS-01 None 'for i in $(seq 1 300); do echo "line $i"; sleep 0.005; done'
"$WSFLEET" run "$TMP/plan2" --state "$TMP/s2" --workdir "$TMP/w2" > "$TMP/kill.out" 2>&1 &
run=$!
check "output is being written" wait_for 20 sh -c "grep -q 'line 20' '$TMP'/s2/latest/logs/WS-01/*.log"
kill -9 "$run"
wait "$run" 2> /dev/null
"$WSFLEET" run "$TMP/plan2" --state "$TMP/s2" --workdir "$TMP/w2" > "$TMP/resume.out" 2>&1
check "the resumed run succeeds" contains "$TMP/resume.out" "1 succeeded"
whole=0
for log in "$TMP"/s2/latest/logs/WS-01/*.log; do
  attempt=$(basename "$log" .log)
  named=$(sqlite3 "$TMP/s2/wsfleet.db" "SELECT coalesce(sum(log_length), 0) FROM events WHERE attempt_id = '$attempt'")
  check "$attempt's log is what the store names ($named bytes)" [ "$(stat -c %s "$log")" -eq "$named" ]
  [ "$(grep -c '^line' "$log")" -eq 300 ] && whole=$((whole + 1))
done
attempts=$(ls "$TMP"/s2/latest/logs/WS-01/*.log | wc -l)
check "two attempts ($attempts)" [ "$attempts" -eq 2 ]
check "the retry's log whole ($whole)" [ "$whole" -eq 1 ]
finish

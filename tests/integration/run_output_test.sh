#!/usr/bin/env bash
# `wsfleet run`'s workers share the coordinator's machine and append output to the logs in
# the state directory themselves: every byte lands, in order, where the store says it is;
# a worker of `wsfleet worker` elsewhere sends its bytes, and both make the same log.
source "$(dirname "$0")/lib.sh"
plan=$TMP/plan
card "$plan" WS-01 None 'head -c 3000000 /dev/urandom | tee blob.bin; echo; echo done'
"$WSFLEET" run "$plan" --state "$TMP/s" --workdir "$TMP/w" > "$TMP/run.out" 2>&1
check "runs (exit $?)" contains "$TMP/run.out" "1 succeeded"
log=$(ls "$TMP"/s/logs/WS-01/*.log)
{ cat "$TMP/w/blob.bin"; printf '\ndone\n'; } > "$TMP/expected"
check "the log holds every byte, in order" cmp -s "$log" "$TMP/expected"
check "and the store names all of them" [ "$(sqlite3 "$TMP/s/wsfleet.db" 'SELECT sum(log_length) FROM events')" -eq "$(stat -c %s "$TMP/expected")" ]

# The same step through a worker that sends its output (no log token): the same log.
start_fleet 1
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
wait_for 60 sh -c "'$WSFLEET' status | grep -q SUCCEEDED"
check "a sending worker's run succeeds" sh -c "'$WSFLEET' status | grep -q SUCCEEDED"
sent_log=$(ls "$TMP"/state/logs/WS-01/*.log)
{ cat "$TMP/work/blob.bin"; printf '\ndone\n'; } > "$TMP/expected-sent"
check "its log holds every byte too" cmp -s "$sent_log" "$TMP/expected-sent"
finish

#!/usr/bin/env bash
# `wsfleet run` on a real terminal (a tmux pane of 100x30): while the plan runs, the screen
# shows each running workstream with its worker and time and, under them, the progress bar
# with the counts; only ends, failures and retries scroll above; at the end the region is
# gone and the final table stands. Piped, the same run prints plain lines, no escapes.
source "$(dirname "$0")/lib.sh"
command -v tmux > /dev/null || { echo "SKIP: tmux is not installed (scripts/install-deps.sh installs it)"; exit 77; }
plan=$TMP/plan
card "$plan" WS-01 None 'echo "tokenizing the corpus"; sleep 4; echo one'
card "$plan" WS-02 None 'sleep 4; echo two'
card "$plan" WS-03 None 'echo "broken on purpose"; exit 3'
card "$plan" WS-04 WS-01 'echo four'
session=wsfleet-live-$$
socket=$TMP/tmux.sock
tmux_() { tmux -S "$socket" "$@"; }
# The pane's command writes its exit status where the test can read it, then waits to be
# looked at (the test kills the session).
tmux_ new-session -d -s "$session" -x 100 -y 30 \
  "'$WSFLEET' run '$plan' --workers 1 --slots 3 --keep-going --state '$TMP/s' --workdir '$TMP/w'; echo \"EXIT=\$?\" > '$TMP/exit'; sleep 120"
screen() { tmux_ capture-pane -p -t "$session"; }
mid_run() {
  screen > "$TMP/mid.screen"
  grep -Eq '^  WS-02  Card WS-02  local-1  [0-9]+s' "$TMP/mid.screen" &&
    grep -Eq '^  WS-01  Card WS-01  local-1  [0-9]+s  > tokenizing the corpus$' "$TMP/mid.screen" &&
    grep -Eq '^\[[#-]+\] [0-9]/4  .*running' "$TMP/mid.screen" && grep -q '^WS-03 FAILED' "$TMP/mid.screen"
}
check "mid-run: the running workstreams with worker, time and last output line, and the bar" wait_for 30 mid_run
echo "--- the screen mid-run"; cat "$TMP/mid.screen"
check "mid-run: the failure scrolled above with its reason" grep -Eq '^WS-03 FAILED: .*exit 3' "$TMP/mid.screen"
check "mid-run: no waiting-for-a-worker lines" sh -c "! grep -q 'waiting for' '$TMP/mid.screen'"
check "the run ends" wait_for 60 test -s "$TMP/exit"
screen > "$TMP/end.screen"
echo "--- the screen at the end"; cat "$TMP/end.screen"
tmux_ kill-server 2> /dev/null
check "it exits 1 (a card failed)" grep -qx 'EXIT=1' "$TMP/exit"
check "the ends scrolled above: WS-01 succeeded" grep -Eq '^WS-01 SUCCEEDED in [0-9]+s on local-1' "$TMP/end.screen"
check "the final table stands" grep -Eq '^WS-04 +Card WS-04 +SUCCEEDED' "$TMP/end.screen"
check "and the region is gone: no bar left" sh -c "! grep -Eq '^\[[#-]+\] ' '$TMP/end.screen'"
check "no line drawn twice" [ "$(grep -c '^WS-01 SUCCEEDED' "$TMP/end.screen")" -eq 1 ]

# Piped: a line per change, no escape sequences.
"$WSFLEET" run "$plan" --workers 1 --slots 2 --keep-going --state "$TMP/s2" --workdir "$TMP/w2" | cat > "$TMP/piped.out"
check "piped: plain lines" grep -q '^WS-01 RUNNING on local-1' "$TMP/piped.out"
check "piped: no escape sequences" sh -c "! grep -q \$'\\x1b' '$TMP/piped.out'"
# status --watch on a fleet: the same view of a plan submitted to a coordinator, following
# it to its end (a terminal), and a line per change when piped; the exit says how it ended.
start_fleet 1
"$WSFLEET" submit "$plan" > "$TMP/submit.out" 2>&1
tmux_ new-session -d -s "$session-watch" -x 100 -y 30 \
  "WSFLEET_COORDINATOR='$WSFLEET_COORDINATOR' '$WSFLEET' status --watch; echo \"EXIT=\$?\" > '$TMP/watch-exit'; sleep 120"
watch_screen() { tmux_ capture-pane -p -t "$session-watch" > "$TMP/watch.screen"; grep -Eq '^\[[#-]+\] [0-9]/4  .*running' "$TMP/watch.screen"; }
check "status --watch: the bar while the plan runs" wait_for 30 watch_screen
echo "--- status --watch mid-run"; cat "$TMP/watch.screen"
"$WSFLEET" status --watch > "$TMP/watch-piped.out" 2>&1
check "status --watch piped: exits 1 when the plan ended with a failure ($?)" [ $? -eq 1 ]
# (Whether WS-04 ran depends on whether WS-03 failed before WS-01 ended: a submitted plan
# halts on a failure.)
check "status --watch piped: the lines and the table" sh -c \
  "grep -q '^WS-03 FAILED' '$TMP/watch-piped.out' && grep -Eq '^WS-03 +Card WS-03 +FAILED' '$TMP/watch-piped.out' &&
   grep -q '(done, not all succeeded)' '$TMP/watch-piped.out'"
check "status --watch on the terminal ends with the plan" wait_for 30 test -s "$TMP/watch-exit"
check "and exits 1 there too" grep -qx 'EXIT=1' "$TMP/watch-exit"
tmux_ kill-server 2> /dev/null
finish

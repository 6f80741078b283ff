#!/usr/bin/env bash
# A partition, in network namespaces this test creates: a coordinator and two workers each
# in their own, joined by veth pairs. The link of the worker running an attempt is cut (veth
# down) for longer than the lease, then healed: the cut-off worker's step is stopped (its
# guard, at the lease's end) before the attempt runs again on the other worker; healed, the
# worker's stale events are refused, and the workstream succeeded once. Then two workers
# whose links carry 100 ms +- 20 ms of latency and 2% loss each way run a 200-workstream
# plan: each succeeds exactly once (store and ledger). Those links are TUN devices with
# LINK_EMULATOR between them (netem's model in user space: this kernel, like many, has no
# netem qdisc). Skipped (exit 77) where namespaces cannot be made; the second part says so
# where /dev/net/tun cannot be opened.
# Usage: partition_test.sh WSFLEET SOURCE_DIR LINK_EMULATOR
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/netns_lib.sh"
LINK_EMULATOR=$3
netns_setup wsf-p 211

S=$TMP/state
ip netns exec "$C" "$WSFLEET" coordinator --listen 0.0.0.0:7447 --state "$S" --lease 3 --heartbeat 0.5 \
  > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "listening on" "$TMP/coordinator.log" || { cat "$TMP/coordinator.log"; exit 1; }
export WSFLEET_COORDINATOR=unix:$S/coordinator.sock  # a unix socket crosses namespaces
join_token "$S" "$TMP/token" || { echo "no join token"; exit 1; }
# Every step of this test carries MARK (the workers pass their environment on).
export OUT=$TMP MARK="partition-$$-$RANDOM"
worker() {  # worker a|b|c|d: a and b on the veth links, c and d (in A's and B's namespaces) on emulated ones
  local ns=$A address=10.211.1.1:7447
  case $1 in
    b) ns=$B address=10.211.2.1:7447 ;;
    c) address=10.211.3.1:7447 ;;
    d) ns=$B address=10.211.4.1:7447 ;;
  esac
  ip netns exec "$ns" "$WSFLEET" worker --coordinator "$address" --id "node-$1" --workdir "$TMP/$1" \
    --join-token-file "$TMP/token" > "$TMP/$1.log" 2>&1 &
  PIDS+=($!)
  eval "worker_$1=$!"
}

worker a
check "worker A joins" wait_for 30 sh -c "'$WSFLEET' workers | grep -q '^node-a .*connected'"
card "$TMP/plan" WS-01 None 'echo "$WSFLEET_WORKER_ID" >> "$OUT/ran"
if [ "$WSFLEET_WORKER_ID" = node-a ]; then sleep 10; echo late > "$OUT/late-a"; fi
# The retry: is any process of the first attempt (on node-a) still running?
grep -l -s -a "^MARK=$MARK\$" --null-data /proc/[0-9]*/environ | tr "\0" "\n" |
  xargs -r grep -l -s -a --null-data "^WSFLEET_WORKER_ID=node-a\$" | wc -l > "$OUT/a-alive-at-$WSFLEET_WORKER_ID" || true
echo "$WSFLEET_WORKER_ID" >> "$OUT/done"'
"$WSFLEET" submit "$TMP/plan" > "$TMP/submit.out" 2>&1
check "WS-01 runs on node-a" wait_for 20 grep -qx node-a "$TMP/ran"
worker b
check "worker B joins" wait_for 30 sh -c "'$WSFLEET' workers | grep -q '^node-b .*connected'"
ip -n "$A" link set "w1-$tag" down  # the cut
check "node-a is declared lost and WS-01 runs again on node-b" wait_for 30 grep -qx node-b "$TMP/done"
check "node-a's step was stopped before the retry started" grep -qx 0 "$TMP/a-alive-at-node-b"
check "node-a logged that its lease lapsed" grep -q "lease lapsed" "$TMP/a.log"
ip -n "$A" link set "w1-$tag" up  # healed
check "healed, node-a is connected again" wait_for 30 sh -c "'$WSFLEET' workers | grep -q '^node-a .*connected'"
# Its report comes on the old session (refused as stale) or its rejoin cancels the attempt.
check "node-a's stale attempt was refused" wait_for 20 sh -c \
  "grep -q 'rejected events from worker node-a' '$TMP/coordinator.log' || grep -q 'ran elsewhere' '$TMP/a.log'"
sleep 1
check "WS-01 succeeded once, on node-b" sh -c "'$WSFLEET' status | grep -qE '^WS-01 .*SUCCEEDED .*node-b'"
check "the store holds one succeeded attempt" \
  [ "$(sqlite3 "$S/wsfleet.db" "SELECT COUNT(*) FROM attempts WHERE outcome=1")" -eq 1 ]
check "the cut-off step never finished" test ! -e "$TMP/late-a"

# Latency and loss, both ways, on the links of two new workers (A and B stop first): a TUN
# device in the coordinator's namespace and one in the worker's, 10.211.SUBNET.0/24, with
# the emulator carrying every packet between them.
emulated_link() {  # NS SUBNET
  "$LINK_EMULATOR" "$C:e$2-$tag" "$1:f$2-$tag" 100 20 0.02 900 > "$TMP/link$2.out" 2> "$TMP/link$2.err" &
  PIDS+=($!)
  wait_for 10 grep -qx ready "$TMP/link$2.out" || { cat "$TMP/link$2.err"; return 1; }
  ip -n "$C" addr add "10.211.$2.1/24" dev "e$2-$tag" && ip -n "$C" link set "e$2-$tag" up &&
    ip -n "$1" addr add "10.211.$2.2/24" dev "f$2-$tag" && ip -n "$1" link set "f$2-$tag" up
}
if ! { exec 4<> /dev/net/tun; } 2> /dev/null; then
  echo "SKIP (latency and loss part): /dev/net/tun cannot be opened here; the partition part ran"
  finish
  exit $?
fi
exec 4>&-
kill -TERM "$worker_a" "$worker_b"
check "workers A and B stop" wait_for 30 sh -c "! kill -0 $worker_a 2> /dev/null && ! kill -0 $worker_b 2> /dev/null"
check "an emulated link to A" emulated_link "$A" 3
check "an emulated link to B" emulated_link "$B" 4
# A TCP connect from A to the coordinator takes one round trip: 200 ms +- 40 (the fastest
# of five, a lost SYN waits a second).
connect_ms() {
  ip netns exec "$A" bash -c 'start=$(date +%s%N); exec 3<> /dev/tcp/10.211.3.1/7447 && echo $(( ($(date +%s%N) - start) / 1000000 ))'
}
fastest=$(for _ in 1 2 3 4 5; do connect_ms; done | sort -n | head -1)
check "... on which a round trip takes 200 ms +- 40 (fastest of five connects: ${fastest:-none} ms)" \
  [ "${fastest:-0}" -ge 150 -a "${fastest:-0}" -le 260 ]
export LEDGER=$TMP/ledger  # before the workers start: their steps get their environment
worker c
worker d
check "workers C and D join over the emulated links" wait_for 60 sh -c \
  "'$WSFLEET' workers | grep -q '^node-c .*connected' && '$WSFLEET' workers | grep -q '^node-d .*connected'"
for i in $(seq -w 1 200); do
  deps=None
  [ "$i" -gt 4 ] && deps="WS-$(printf %03d $((10#$i - 4)))"
  card "$TMP/plan200" "WS-$i" "$deps" 'echo "$WSFLEET_WORKSTREAM_ID" >> "$LEDGER"'
done
"$WSFLEET" submit "$TMP/plan200" > "$TMP/submit200.out" 2>&1 || cat "$TMP/submit200.out"
plan=$(sed -n 's/^submitted plan \([^ ]*\).*/\1/p' "$TMP/submit200.out")
check "200 workstreams complete over 100 ms +- 20 ms and 2% loss" \
  wait_for 600 sh -c "'$WSFLEET' status --plan '$plan' | grep -q '(done'"
check "all 200 succeeded" sh -c "'$WSFLEET' status --plan '$plan' | grep -q '200 succeeded'"
check "on the two workers behind the emulated links" sh -c \
  "[ \$('$WSFLEET' status --plan '$plan' | grep -cE '^WS-[0-9]+ .*SUCCEEDED .*node-(c|d)') -eq 200 ]"
check "each ran exactly once (the ledger)" \
  sh -c "[ \$(wc -l < '$LEDGER') -eq 200 ] && [ \$(sort '$LEDGER' | uniq -d | wc -l) -eq 0 ]"
kill -TERM "${PIDS[@]}" 2> /dev/null  # the emulators say what they carried and dropped
sleep 1
check "the links dropped packets (2% loss was applied)" sh -c "cat '$TMP'/link3.err '$TMP'/link4.err | grep -qE '[1-9][0-9]* dropped'"
cat "$TMP"/link3.err "$TMP"/link4.err
finish

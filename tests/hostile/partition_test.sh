#!/usr/bin/env bash
# A partition, in network namespaces this test creates: a coordinator and two workers each
# in their own, joined by veth pairs. The link of the worker running an attempt is cut (veth
# down) for longer than the lease, then healed: the cut-off worker's step is stopped (its
# guard, at the lease's end) before the attempt runs again on the other worker; healed, the
# worker's stale events are refused, and the workstream succeeded once. Then, where the
# kernel has netem, 100 ms +- 20 ms of latency and 2% loss on every link while a
# 200-workstream plan runs: each succeeds exactly once (store and ledger). Skipped (exit
# 77) where namespaces cannot be made; the netem part says so where netem is missing.
# Usage: partition_test.sh WSFLEET SOURCE_DIR
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/netns_lib.sh"
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
worker() {  # worker a|b
  local ns=$A address=10.211.1.1:7447
  [ "$1" = b ] && ns=$B && address=10.211.2.1:7447
  ip netns exec "$ns" "$WSFLEET" worker --coordinator "$address" --id "node-$1" --workdir "$TMP/$1" \
    --join-token-file "$TMP/token" > "$TMP/$1.log" 2>&1 &
  PIDS+=($!)
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

# Latency and loss on every link, both ways.
netem_ok=1
for pair in "$C c1-$tag" "$C c2-$tag" "$A w1-$tag" "$B w2-$tag"; do
  set -- $pair
  if ! tc -n "$1" qdisc add dev "$2" root netem delay 100ms 20ms loss 2% 2> "$TMP/netem.err"; then
    netem_ok=0; break
  fi
done
if [ "$netem_ok" = 0 ]; then
  echo "SKIP (netem part): this kernel has no netem qdisc ($(head -1 "$TMP/netem.err")); the partition part ran"
  finish
  exit $?
fi
export LEDGER=$TMP/ledger
for i in $(seq -w 1 200); do
  deps=None
  [ "$i" -gt 4 ] && deps="WS-$(printf %03d $((10#$i - 4)))"
  card "$TMP/plan200" "N-$i" "$deps" 'echo "$WSFLEET_WORKSTREAM_ID" >> "$LEDGER"'
done
"$WSFLEET" submit "$TMP/plan200" > "$TMP/submit200.out" 2>&1 || cat "$TMP/submit200.out"
check "200 workstreams complete over 100 ms +- 20 ms and 2% loss" \
  wait_for 600 sh -c "'$WSFLEET' status | grep -q '(done'"
check "all 200 succeeded" sh -c "'$WSFLEET' status | grep -q '200 succeeded'"
check "each ran exactly once (the ledger)" [ "$(sort "$LEDGER" | uniq -d | wc -l)" -eq 0 ]
finish

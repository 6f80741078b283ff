#!/usr/bin/env bash
# A full disk is a state, not a crash: the coordinator's state directory on a small tmpfs
# this test mounts, filled up while a plan runs. The coordinator stays up, says so in
# `status` and in a metric, keeps its workers' leases (none is lost, no step is stopped),
# acknowledges nothing it could not store, and once space is freed goes on by itself: the
# plan finishes without a restart, every workstream succeeded exactly once (a ledger the
# steps append to, outside the tmpfs). Needs root to mount: skipped otherwise.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: mounting a tmpfs needs root (this runs as uid $(id -u))"; exit 77; fi
mkdir -p "$TMP/state"
if ! mount -t tmpfs -o size=4m tmpfs "$TMP/state" 2> "$TMP/mount.err"; then
  echo "SKIP: cannot mount a tmpfs here: $(cat "$TMP/mount.err")"; exit 77
fi
trap 'for pid in "${PIDS[@]}"; do kill -9 "$pid" 2> /dev/null; done; wait 2> /dev/null; umount -l "$TMP/state"; cleanup' EXIT
export WSFLEET_COORDINATOR=unix:$TMP/c.sock LEDGER=$TMP/ledger
"$WSFLEET" coordinator --listen "$WSFLEET_COORDINATOR" --state "$TMP/state" --lease 3 --heartbeat 0.5 \
  --metrics-addr 127.0.0.1:0 > "$TMP/coordinator.log" 2>&1 &
coordinator=$!
PIDS+=($coordinator)
wait_for 20 grep -q "metrics at" "$TMP/coordinator.log" || { cat "$TMP/coordinator.log"; exit 1; }
metrics=$(sed -n 's|.*metrics at \(http://[^ ]*/metrics\).*|\1|p' "$TMP/coordinator.log")
"$WSFLEET" worker --coordinator "$WSFLEET_COORDINATOR" --id w1 --slots 2 --workdir "$TMP/work" > "$TMP/w1.log" 2>&1 &
PIDS+=($!)
wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'" || { cat "$TMP/w1.log"; exit 1; }

# 30 workstreams in a chain of 3-wide layers, each writing 20 KB of output; the first ones
# wait for `go` so that the disk is full before most of the plan has run.
for i in $(seq -w 1 30); do
  deps=None
  [ "$i" -gt 2 ] && deps="WS-$(printf %02d $((10#$i - 2)))"
  card "$TMP/plan" "WS-$i" "$deps" 'while [ ! -e "$LEDGER.go" ]; do sleep 0.1; done
echo "$WSFLEET_WORKSTREAM_ID" >> "$LEDGER"
head -c 20000 /dev/zero | tr "\0" x; echo'
done
"$WSFLEET" submit "$TMP/plan" > "$TMP/submit.out" 2>&1 || { cat "$TMP/submit.out"; exit 1; }
# Fill every byte that is left.
dd if=/dev/zero of="$TMP/state/filler" bs=64k > /dev/null 2>&1
touch "$LEDGER.go"
check "the coordinator says its state store is full" \
  wait_for 30 sh -c "'$WSFLEET' status | grep -q 'state store: FULL'"
"$WSFLEET" status > "$TMP/full-status.out" 2>&1
check "... with the reason" grep -qiE "state store: FULL since .*(full|No space left)" "$TMP/full-status.out"
check "the metric shows held writes" sh -c "curl -sf '$metrics' | grep -qE '^wsfleet_store_held_writes [1-9]'"
check "the metric counts the refused writes" \
  sh -c "curl -sf '$metrics' | grep -qE '^wsfleet_store_write_failures_total [1-9]'"
"$WSFLEET" submit "$TMP/plan" > "$TMP/busy-submit.out" 2>&1
check "a submit meanwhile is told to try again later: exit 75 (busy), not 2 (a bad plan)" [ $? -eq 75 ]
sleep 5  # longer than the lease
check "the coordinator is still up" kill -0 "$coordinator"
check "its worker was not declared lost" sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'"
check "the worker's lease did not lapse (nothing was fenced)" sh -c "! grep -q 'lease lapsed' '$TMP/w1.log'"
check "the plan has not finished while nothing could be stored" sh -c "! '$WSFLEET' status | grep -q '(done'"

rm -f "$TMP/state/filler"
check "space returns: the plan finishes without a restart" \
  wait_for 120 sh -c "'$WSFLEET' status | grep -q '(done'"
"$WSFLEET" status > "$TMP/status.out" 2>&1
check "every workstream succeeded" [ "$(grep -c 'SUCCEEDED' "$TMP/status.out")" -eq 30 ]
check "... and the full-store line is gone" sh -c "! grep -q 'state store: FULL' '$TMP/status.out'"
check "each ran exactly once (the ledger)" [ "$(sort "$LEDGER" | uniq -d | wc -l)" -eq 0 ]
check "... all 30 of them" [ "$(sort -u "$LEDGER" | wc -l)" -eq 30 ]
check "the coordinator logged the full disk and its end" \
  sh -c "grep -q 'state directory is full' '$TMP/coordinator.log' && grep -q 'has space again' '$TMP/coordinator.log'"
check "every step's output was stored once" \
  sh -c "'$WSFLEET' logs WS-30 | tr -cd x | wc -c | grep -qx 20000"
check "the metric is back to 0" sh -c "curl -sf '$metrics' | grep -qE '^wsfleet_store_held_writes 0'"
finish

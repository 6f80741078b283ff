#!/usr/bin/env bash
# Three machines in one: a coordinator and two workers, each in a network namespace this
# test creates, joined by veth pairs with real addresses (10.210.1.0/24, 10.210.2.0/24).
# A worker given only the coordinator's address and a join token joins over mutual TLS and
# runs work; refused: a coordinator with another CA (a man in the middle) by the worker, an
# expired and a revoked token, a worker certificate used for another worker's ID, a viewer's
# cancel, an anonymous control call, and a worker reporting on an attempt assigned to
# another. Skipped (exit 77) where namespaces cannot be made (not root, no `ip`).
# Usage: netns_test.sh WSFLEET SOURCE_DIR HOSTILE_CLIENT
source "$(dirname "$0")/../integration/lib.sh"
HOSTILE=$3
source "$(dirname "$0")/netns_lib.sh"
netns_setup wsf 210
check "worker A's namespace has a route to the coordinator's" ip -n "$A" route get 10.210.1.1
check "but none to worker B's" sh -c "! ip -n '$A' route get 10.210.2.2 > /dev/null 2>&1"

S=$TMP/state
ip netns exec "$C" "$WSFLEET" coordinator --listen 0.0.0.0:7447 --state "$S" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "the coordinator listens in its namespace" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
export WSFLEET_COORDINATOR=unix:$S/coordinator.sock  # a unix socket crosses namespaces: the admin's way in
check "its certificate carries its veth addresses" sh -c \
  "openssl x509 -in '$S/tls/server.crt' -noout -ext subjectAltName | grep -q 'IP Address:10.210.2.1'"
join_token "$S" "$TMP/token"
for w in a b; do
  ns=$A; address=10.210.1.1:7447
  [ "$w" = b ] && ns=$B && address=10.210.2.1:7447
  ip netns exec "$ns" "$WSFLEET" worker --coordinator "$address" --id "node-$w" --workdir "$TMP/$w" \
    --join-token-file "$TMP/token" > "$TMP/$w.log" 2>&1 &
  PIDS+=($!)
done
check "both workers join with only the address and the token" \
  wait_for 30 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx 2"
check "over mutual TLS from their own addresses" sh -c \
  "grep '\"method\":\"Session\"' '$S/audit.log' | grep '\"via\":\"certificate\"' | grep -q 'ipv4:10.210.2.2'"
plan=$TMP/plan
card "$plan" WS-01 None 'echo one'
card "$plan" WS-02 None 'echo two'
card "$plan" WS-03 "WS-01, WS-02" 'echo three'
check "a plan runs across them" run_plan "$plan"
check "every workstream succeeded" sh -c "'$WSFLEET' status | grep -q '3 succeeded'"

# A man in the middle: another coordinator (another CA) where worker A dials.
ip netns exec "$C" "$WSFLEET" coordinator --listen 10.210.1.1:7448 --state "$TMP/rogue" > "$TMP/rogue.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "listening on" "$TMP/rogue.log"
timeout 30 ip netns exec "$A" "$WSFLEET" worker --coordinator 10.210.1.1:7448 --id node-m --workdir "$TMP/m" \
  --join-token-file "$TMP/token" > "$TMP/m.log" 2>&1
check "a worker refuses a coordinator with another CA" contains "$TMP/m.log" "not the join token's"
check "and never sent it the token" sh -c "! grep -q '\"method\":\"Join\"' '$TMP/rogue/audit.log'"

"$WSFLEET" token create --ttl 1s --out "$TMP/short" > /dev/null 2>&1
"$WSFLEET" token create --out "$TMP/revoked" > /dev/null 2>&1
"$WSFLEET" token revoke "$(cut -d. -f2 "$TMP/revoked")" > /dev/null 2>&1
sleep 1.5
timeout 30 ip netns exec "$A" "$WSFLEET" worker --coordinator 10.210.1.1:7447 --id node-x --workdir "$TMP/x" \
  --join-token-file "$TMP/short" > "$TMP/x.log" 2>&1
check "an expired token is refused" contains "$TMP/x.log" "has expired"
timeout 30 ip netns exec "$A" "$WSFLEET" worker --coordinator 10.210.1.1:7447 --id node-y --workdir "$TMP/y" \
  --join-token-file "$TMP/revoked" > "$TMP/y.log" 2>&1
check "a revoked token is refused" contains "$TMP/y.log" "was revoked"

creds_a=$TMP/a/.wsfleet/credentials/node-a.pem
creds_b=$TMP/b/.wsfleet/credentials/node-b.pem
ip netns exec "$B" "$HOSTILE" impersonate 10.210.2.1:7447 "$creds_b" node-a > "$TMP/takeover.out" 2>&1
check "node-b's certificate cannot speak for node-a" grep -q "^code=7 this certificate is worker 'node-b''s" "$TMP/takeover.out"
check "node-a keeps its session" sh -c "'$WSFLEET' workers | grep -q '^node-a .*connected'"

"$WSFLEET" admin-cert create watcher --role viewer --out "$TMP/watcher.pem" > /dev/null 2>&1
ip netns exec "$A" "$WSFLEET" cancel --all --coordinator 10.210.1.1:7447 --credentials "$TMP/watcher.pem" > "$TMP/cancel.out" 2>&1
check "a viewer cannot cancel" contains "$TMP/cancel.out" "Cancel needs role admin; watcher has role viewer"
ip netns exec "$A" "$WSFLEET" status --coordinator 10.210.1.1:7447 --credentials "$TMP/watcher.pem" > "$TMP/view.out" 2>&1
check "but can read status" grep -q '3 succeeded' "$TMP/view.out"
ip netns exec "$B" "$HOSTILE" anonymous 10.210.2.1:7447 > "$TMP/anon.out" 2>&1
check "an anonymous control call is refused" grep -q '^code=16 ' "$TMP/anon.out"

card "$TMP/plan2" WS-10 None 'sleep 30'
"$WSFLEET" drain node-b > /dev/null
"$WSFLEET" submit "$TMP/plan2" > /dev/null 2>&1
check "WS-10 runs on node-a" wait_for 20 sh -c "'$WSFLEET' status | grep -qE '^WS-10 .*RUNNING'"
attempt=$(sqlite3 "$S/wsfleet.db" "select attempt_id from attempts where ws_id = 'WS-10' and worker_id = 'node-a' limit 1")
ip netns pids "$B" | xargs -r kill; sleep 0.5  # node-b: only this test's namespace, not a pkill by name
ip netns exec "$B" "$HOSTILE" report 10.210.2.1:7447 "$creds_b" "$attempt" > "$TMP/forge.out" 2>&1
check "node-b reporting node-a's attempt as succeeded is rejected" grep -q "^rejected $attempt: " "$TMP/forge.out"
check "WS-10 is still running" sh -c "'$WSFLEET' status | grep -qE '^WS-10 .*RUNNING'"
"$WSFLEET" cancel --all > /dev/null
finish

#!/usr/bin/env bash
# Joining a TLS fleet: a coordinator on loopback with its own CA; workers given only its
# address and a join token check the CA against the token's hash, trade the secret for a
# certificate, keep it, and come back with it. Refused: a wrong secret, a revoked or
# expired token, a token pinning another CA (the secret is never sent), no token at all, a
# credentials file of another worker. Operators: viewers read, admins act, anonymous
# callers and plaintext clients get nothing; every call is in the audit log. The plaintext
# fleet of before (--insecure, a shared secret) still works, and warns.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$S" --log-format json --metrics-addr 127.0.0.1:0 \
  > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
address=$(jq -r 'select(.msg | startswith("listening on")) | .msg' "$TMP/coordinator.log" | sed -n 's/listening on \([^,]*\),.*/\1/p')
local_socket=unix:$S/coordinator.sock
export WSFLEET_COORDINATOR=$local_socket
check "it says TLS and its CA's hash" sh -c "grep -q 'TLS, CA key sha256 [0-9a-f]\{64\}' '$TMP/coordinator.log'"
check "the state directory is 0700" [ "$(stat -c %a "$S")" = 700 ]
check "the TLS directory is 0700" [ "$(stat -c %a "$S/tls")" = 700 ]
for file in ca.crt ca.key server.crt server.key; do
  check "$file is 0600" [ "$(stat -c %a "$S/tls/$file")" = 600 ]
done
check "the store is 0600" [ "$(stat -c %a "$S/wsfleet.db")" = 600 ]
ca_hash=$(openssl x509 -in "$S/tls/ca.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)

"$WSFLEET" token create --ttl 1h --label pool=dgx --description "rack 3" --out "$TMP/t1" > "$TMP/create.out" 2>&1
check "token create writes the token to a 0600 file" [ "$(stat -c %a "$TMP/t1")" = 600 ]
token=$(cat "$TMP/t1")
check "the token is wsf1.<id>.<secret>.<the CA's hash> (as openssl computes it)" \
  sh -c "echo '$token' | grep -qx 'wsf1\.[a-z0-9]\{6\}\.[0-9a-f]\{32\}\.$ca_hash'"
id=$(echo "$token" | cut -d. -f2)
secret=$(echo "$token" | cut -d. -f3)
"$WSFLEET" token list > "$TMP/list.out" 2>&1
check "token list shows it" grep -qE "^$id  valid .* pool=dgx  rack 3$" "$TMP/list.out"
check "but never its secret" sh -c "! grep -q '$secret' '$TMP/list.out' '$S/tls/tokens.json'"

"$WSFLEET" worker --coordinator "$address" --id w1 --workdir "$TMP/w1" --join-token-file "$TMP/t1" > "$TMP/w1.log" 2>&1 &
w1=$!
PIDS+=($w1)
check "a worker with the token joins" wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'"
check "and says how" contains "$TMP/w1.log" "w1: joined with token $id"
check "with the token's labels" sh -c "'$WSFLEET' workers -o json | jq -e '.workers[0].resources.labels.pool == \"dgx\"'"
creds=$TMP/w1/.wsfleet/credentials/w1.pem
check "its credentials are kept, 0600" [ "$(stat -c %a "$creds")" = 600 ]
check "its certificate says worker w1, signed by the fleet's CA" sh -c \
  "openssl x509 -in '$creds' -noout -subject | grep -q 'OU = worker, CN = w1' && \
   openssl verify -CAfile '$S/tls/ca.crt' '$creds' | grep -q OK"
kill "$w1"; wait "$w1" 2>/dev/null
"$WSFLEET" worker --coordinator "$address" --id w1 --workdir "$TMP/w1" > "$TMP/w1b.log" 2>&1 &
PIDS+=($!)
check "restarted without the token, it comes back with its certificate" wait_for 20 grep -q "certificate from $creds" "$TMP/w1b.log"
check "and is connected" wait_for 20 sh -c "'$WSFLEET' workers | grep -q '^w1 .*connected'"

refused() {  # refused NAME TOKEN-FILE EXPECTED: a worker with this token exits 1 saying EXPECTED
  timeout 30 "$WSFLEET" worker --coordinator "$address" --id "$1" --workdir "$TMP/$1" --join-token-file "$2" \
    > "$TMP/$1.log" 2>&1
  local rc=$?
  check "$1: exits 1" [ "$rc" -eq 1 ]
  check "$1: says '$3'" contains "$TMP/$1.log" "$3"
  check "$1: is not listed" sh -c "! '$WSFLEET' workers | grep -q '^$1 '"
}
echo "wsf1.$id.$(printf '%032d' 7).$ca_hash" > "$TMP/wrong"
refused intruder "$TMP/wrong" "join token $id is not valid"
check "the coordinator logs the refusal" contains "$TMP/coordinator.log" "refused worker 'intruder': join token $id is not valid"
echo "wsf1.$id.$secret.$(printf '%064d' 0)" > "$TMP/mitm"
refused pinned "$TMP/mitm" "not the join token's"
check "a token pinning another CA is never sent" sh -c "! grep -q '\"target\":\"pinned\"' '$S/audit.log'"
"$WSFLEET" token create --out "$TMP/t2" > /dev/null 2>&1
"$WSFLEET" token revoke "$(cut -d. -f2 "$TMP/t2")" > "$TMP/revoke.out" 2>&1
refused revoked "$TMP/t2" "was revoked"
"$WSFLEET" token create --ttl 1s --out "$TMP/t3" > /dev/null 2>&1
sleep 1.5
refused expired "$TMP/t3" "has expired"
timeout 30 "$WSFLEET" worker --coordinator "$address" --id bare --workdir "$TMP/bare" > "$TMP/bare.log" 2>&1
check "no token and no certificate: exits 1" [ $? -eq 1 ]
check "saying what to give it" contains "$TMP/bare.log" "give it a join token"
timeout 30 "$WSFLEET" worker --coordinator "$address" --id w2 --credentials "$creds" --workdir "$TMP/w2" > "$TMP/w2.log" 2>&1
check "another worker's credentials file: exits 64" [ $? -eq 64 ]
check "saying whose it is" contains "$TMP/w2.log" "holds the certificate of worker 'w1', not of worker 'w2'"

# A token the operator chose (a Kubernetes Secret), registered at start, without the CA
# hash: the worker is given the CA.
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s2" --join-token-file <(echo "wsf1.k8s000.$(printf '%032d' 42)") \
  > "$TMP/c2.log" 2>&1 &
PIDS+=($!)
check "a second coordinator with a registered token" wait_for 20 grep -q "listening on" "$TMP/c2.log"
address2=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/c2.log")
echo "wsf1.k8s000.$(printf '%032d' 42)" > "$TMP/k8s-token"
"$WSFLEET" worker --coordinator "$address2" --id k1 --workdir "$TMP/k1" --join-token-file "$TMP/k8s-token" \
  --tls-ca "$TMP/s2/tls/ca.crt" > "$TMP/k1.log" 2>&1 &
PIDS+=($!)
check "a worker with it and the CA joins" wait_for 20 sh -c "'$WSFLEET' workers --coordinator unix:$TMP/s2/coordinator.sock | grep -q '^k1 .*connected'"
timeout 30 "$WSFLEET" worker --coordinator "$address2" --id k2 --workdir "$TMP/k2" --join-token-file "$TMP/k8s-token" \
  > "$TMP/k2.log" 2>&1
check "without the CA it is told to give one" contains "$TMP/k2.log" "give the coordinator's CA with --tls-ca"
timeout 30 "$WSFLEET" worker --coordinator "$address" --id k3 --workdir "$TMP/k3" --join-token-file "$TMP/k8s-token" \
  --tls-ca "$TMP/s2/tls/ca.crt" > "$TMP/k3.log" 2>&1
check "given another coordinator's CA, the TLS handshake fails and it exits 1" [ $? -eq 1 ]

# Operators.
"$WSFLEET" admin-cert create ops --role admin --out "$TMP/ops.pem" > /dev/null 2>&1
"$WSFLEET" admin-cert create watcher --role viewer --out "$TMP/watcher.pem" > /dev/null 2>&1
check "admin-cert writes 0600 files" [ "$(stat -c %a "$TMP/ops.pem")$(stat -c %a "$TMP/watcher.pem")" = 600600 ]
"$WSFLEET" admin-cert create ops --out "$TMP/ops.pem" > "$TMP/again.out" 2>&1
check "and does not overwrite one" [ $? -eq 64 ]
"$WSFLEET" workers --coordinator "$address" --credentials "$TMP/watcher.pem" > "$TMP/viewer.out" 2>&1
check "a viewer lists workers over TLS" grep -q '^w1 ' "$TMP/viewer.out"
"$WSFLEET" drain w1 --coordinator "$address" --credentials "$TMP/watcher.pem" > "$TMP/viewer-drain.out" 2>&1
check "a viewer cannot drain: exits 1" [ $? -eq 1 ]
check "told which role it needs" contains "$TMP/viewer-drain.out" "Drain needs role admin; watcher has role viewer"
"$WSFLEET" token create --coordinator "$address" --credentials "$TMP/watcher.pem" > "$TMP/viewer-token.out" 2>&1
check "a viewer cannot make tokens" contains "$TMP/viewer-token.out" "CreateToken needs role admin"
"$WSFLEET" drain w1 --coordinator "$address" --credentials "$TMP/ops.pem" > "$TMP/admin-drain.out" 2>&1
check "an admin can" [ $? -eq 0 ]
"$WSFLEET" status --coordinator "$address" > "$TMP/anon.out" 2>&1
check "no credentials over TCP: a usage error saying what to give" \
  sh -c "[ $? -eq 64 ] && grep -q 'give --credentials FILE' '$TMP/anon.out'"
"$WSFLEET" status --coordinator "$address" --insecure > "$TMP/plain.out" 2>&1
check "a plaintext client gets nothing from a TLS listener (unreachable: 68)" [ $? -eq 68 ]
"$WSFLEET" status --coordinator "$address" --credentials "$creds" > "$TMP/as-worker.out" 2>&1
check "a worker's certificate cannot read status" contains "$TMP/as-worker.out" "GetStatus needs role viewer; w1 has role worker"
check "the audit log names who did what" sh -c \
  "jq -e -s 'any(.[]; .caller == \"ops\" and .method == \"Drain\" and .target == \"w1\" and .allowed) and
             any(.[]; .caller == \"watcher\" and .method == \"Drain\" and (.allowed | not)) and
             any(.[]; .caller == \"w1\" and .method == \"Session\" and .via == \"certificate\")' '$S/audit.log'"
check "the audit log is 0600" [ "$(stat -c %a "$S/audit.log")" = 600 ]

# Renewal while running: certificates of 20 s; the worker renews its own with a third left
# and, once the first has expired, reconnects to a restarted coordinator with the new one.
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s8" --worker-cert-ttl 20s > "$TMP/c8.log" 2>&1 &
c8=$!
PIDS+=($c8)
wait_for 20 grep -q "listening on" "$TMP/c8.log"
address8=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/c8.log")
"$WSFLEET" token create --coordinator "unix:$TMP/s8/coordinator.sock" --out "$TMP/t8" > /dev/null 2>&1
"$WSFLEET" worker --coordinator "$address8" --id r1 --workdir "$TMP/r1" --join-token-file "$TMP/t8" > "$TMP/r1.log" 2>&1 &
PIDS+=($!)
check "a worker joins a coordinator issuing 20 s certificates" wait_for 20 grep -q "r1: joined with token" "$TMP/r1.log"
first=$(openssl x509 -in "$TMP/r1/.wsfleet/credentials/r1.pem" -noout -serial)
check "and renews its certificate while it runs" wait_for 25 grep -q "r1: renewed its certificate; sessions from now on use it" "$TMP/r1.log"
check "a new one, in its credentials file" sh -c "[ \"\$(openssl x509 -in '$TMP/r1/.wsfleet/credentials/r1.pem' -noout -serial)\" != '$first' ]"
sleep 8  # the first certificate has expired now
kill "$c8"; wait "$c8" 2> /dev/null
"$WSFLEET" coordinator --listen "$address8" --state "$TMP/s8" --worker-cert-ttl 20s > "$TMP/c8b.log" 2>&1 &
PIDS+=($!)
check "after a restart it is back, with the renewed certificate" \
  wait_for 20 sh -c "'$WSFLEET' workers --coordinator unix:$TMP/s8/coordinator.sock | grep -q '^r1 .*connected'"

# The plaintext fleet of before: --insecure, a shared secret; it warns.
printf 'a-good-random-token-0123456789\n' > "$TMP/shared"
printf 'not-the-token\n' > "$TMP/not-shared"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s3" --insecure --join-token-file "$TMP/shared" \
  --metrics-addr 127.0.0.1:0 > "$TMP/c3.log" 2>&1 &
PIDS+=($!)
check "an --insecure coordinator starts" wait_for 20 grep -q "listening on" "$TMP/c3.log"
check "and warns" contains "$TMP/c3.log" "--insecure: "
address3=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/c3.log")
timeout 30 "$WSFLEET" worker --coordinator "$address3" --insecure --id intruder3 --workdir "$TMP/i3" \
  --join-token-file "$TMP/not-shared" > "$TMP/i3.log" 2>&1
check "a worker with the wrong shared secret is refused" contains "$TMP/i3.log" "the join token does not match"
WSFLEET_JOIN_TOKEN=$(cat "$TMP/shared") "$WSFLEET" worker --coordinator "$address3" --insecure --id p1 \
  --workdir "$TMP/p1" > "$TMP/p1.log" 2>&1 &
PIDS+=($!)
check "one with it, from the environment, joins" wait_for 20 sh -c "'$WSFLEET' workers --coordinator $address3 --insecure | grep -q '^p1 .*connected'"
metrics3=$(sed -n 's|.*metrics at \(http://[^ ]*\).*|\1|p' "$TMP/c3.log")
check "the plaintext coordinator exports that it is" sh -c "curl -s '$metrics3' | grep -qx 'wsfleet_insecure 1'"
metrics1=$(grep -o 'metrics at http://[^/]*/metrics' "$TMP/coordinator.log" | head -1 | cut -d' ' -f3)
check "the TLS one that it is not" sh -c "curl -s '$metrics1' | grep -qx 'wsfleet_insecure 0'"
timeout 30 "$WSFLEET" worker --coordinator "$address3" --id tls-to-plain --workdir "$TMP/tp" \
  --join-token-file "$TMP/t1" > "$TMP/tp.log" 2>&1
check "a TLS worker at a plaintext coordinator is told to use --insecure" \
  contains "$TMP/tp.log" "a coordinator started with --insecure needs --insecure on the worker too"
"$WSFLEET" token create --coordinator "unix:$TMP/s3/coordinator.sock" > "$TMP/plain-token.out" 2>&1
check "and a plaintext coordinator makes no tokens, saying why" contains "$TMP/plain-token.out" "has no TLS listener"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s4" --join-token-file "$TMP/shared" > "$TMP/c4.log" 2>&1
check "a shared secret without --insecure is a usage error" [ $? -eq 64 ]
check "saying what to do" contains "$TMP/c4.log" "wsfleet token create"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s5" --log-level loud > "$TMP/level.log" 2>&1
check "an unknown --log-level is a usage error" [ $? -eq 64 ]
: > "$TMP/empty"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s6" --join-token-file "$TMP/empty" > "$TMP/empty.log" 2>&1
check "an empty token file is a usage error" [ $? -eq 64 ]
check "naming the file" contains "$TMP/empty.log" "$TMP/empty: the file is empty"
printf 'CHANGE-ME-wsfleet-join-token\n' > "$TMP/placeholder"
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/s7" --join-token-file "$TMP/placeholder" > "$TMP/ph.log" 2>&1
check "the placeholder token is refused" [ $? -eq 64 ]
check "saying what to do" contains "$TMP/ph.log" "still the placeholder token"
"$WSFLEET" worker --coordinator "$address" --join-token-file "$TMP/missing" > "$TMP/missing.log" 2>&1
check "a missing token file is a usage error" [ $? -eq 64 ]
finish

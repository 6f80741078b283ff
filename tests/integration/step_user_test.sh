#!/usr/bin/env bash
# --step-user on real workers that joined a TLS coordinator with a token: steps, their git
# and a gang's rendezvous run as `nobody`; a step cannot read the worker's key, its spool
# or the coordinator's state, nor signal the worker; what it makes in its workspace is its
# own, and the worktree's merge lands. Needs root (only root starts processes as another
# user): skipped otherwise.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: --step-user needs root (this runs as uid $(id -u))"; exit 77; fi
chmod 711 "$TMP"  # as /var/lib: nobody may pass through to its workdirs, not list
# Installed where nobody can reach it, as an operator would (/usr/local/bin): the build
# tree may sit under a directory closed to nobody (a clone under mktemp -d). A copy under
# a closed directory shows the warning a worker gives then.
mkdir -p "$TMP/bin" "$TMP/closed" && chmod 755 "$TMP/bin" && chmod 700 "$TMP/closed"
for dir in "$TMP/bin" "$TMP/closed"; do  # hard links where the file system allows
  cp -l "$WSFLEET" "$(dirname "$WSFLEET")/wsfleet-step-guard" "$dir/" 2> /dev/null ||
    cp "$WSFLEET" "$(dirname "$WSFLEET")/wsfleet-step-guard" "$dir/"
done
closed_wsfleet=$TMP/closed/wsfleet
WSFLEET=$TMP/bin/wsfleet
mkdir -p "$TMP/out" "$TMP/private" && chmod 777 "$TMP/out"
export OUT=$TMP/out STATE_DIR=$TMP/state PRIVATE=$TMP/private  # the steps get the worker's environment

"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
wait_for 20 grep -q "listening on" "$TMP/coordinator.log" || { cat "$TMP/coordinator.log"; exit 1; }
export COORDINATOR=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
export WSFLEET_COORDINATOR=unix:$TMP/state/coordinator.sock
join_token "$TMP/state" "$TMP/join.token" || { echo "no join token"; exit 1; }

# A worker as root for nobody: ROLE ID WORKDIR [FLAGS]
worker() {
  local role=$1 id=$2 workdir=$3; shift 3
  "$WSFLEET" worker --coordinator "$COORDINATOR" --id "$id" --workdir "$workdir" --label "role=$role" \
    --join-token-file "$TMP/join.token" --step-user nobody --credentials "$PRIVATE/$id.pem" \
    --spool "$PRIVATE/spool-$id" "$@" > "$TMP/$id.log" 2>&1 &
  PIDS+=($!)
}

# Refused before joining: a workdir root owns, a spool inside the workdir.
mkdir -p "$TMP/rootwork"
"$WSFLEET" worker --coordinator "$COORDINATOR" --id bad --workdir "$TMP/rootwork" --step-user nobody \
  --join-token-file "$TMP/join.token" > "$TMP/bad.out" 2>&1
code=$?
check "a workdir root owns is refused (exit $code)" [ "$code" -eq 64 ]
check "... saying whose it must be" contains "$TMP/bad.out" "must belong to nobody"
chown nobody "$TMP/rootwork"
"$WSFLEET" worker --coordinator "$COORDINATOR" --id bad --workdir "$TMP/rootwork" --step-user nobody \
  --spool "$TMP/rootwork/spool" --join-token-file "$TMP/join.token" > "$TMP/bad.out" 2>&1
check "a spool inside the user's workdir is refused" contains "$TMP/bad.out" "is inside --workdir"

echo bogus > "$TMP/bogus.token"
mkdir -p "$TMP/closedwork" && chown nobody "$TMP/closedwork"
"$closed_wsfleet" worker --coordinator "$COORDINATOR" --id closed --workdir "$TMP/closedwork" --step-user nobody \
  --credentials "$PRIVATE/closed.pem" --spool "$PRIVATE/spool-closed" --join-token-file "$TMP/bogus.token" \
  > "$TMP/closed.out" 2>&1
check "a wsfleet the step user cannot run is named at start" contains "$TMP/closed.out" "nobody cannot run $closed_wsfleet"

git_repo "$TMP/repo"
chown -R nobody:nogroup "$TMP/repo"
# An agent as nobody: it reads its prompt and works in its own TMPDIR and state directory.
cat > "$TMP/config.yaml" <<'YAML'
agents:
  fake-agent: "head -n 1 {prompt} > agent-saw.txt && echo scratch > \"$TMPDIR/note\" && mkdir -p \"$XDG_STATE_HOME/x\" && id -u >> agent-saw.txt"
YAML
worker git w-git "$TMP/repo" --isolate worktree --config "$TMP/config.yaml"
worker gang w-gang1 "$TMP/gang" --isolate none
worker gang w-gang2 "$TMP/gang" --isolate none
wait_for 30 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx 3" || { cat "$TMP"/w-*.log; exit 1; }

plan=$TMP/plan
card "$plan" WS-01 None 'echo "uid=$(id -u) gid=$(id -g) home=$HOME user=$USER" > "$OUT/ws01-id"
echo made > made.txt
if cat "$PRIVATE/w-git.pem" > /dev/null 2>&1; then echo "read the worker key"; exit 1; fi
if ls "$PRIVATE" > /dev/null 2>&1; then echo "listed the private directory"; exit 1; fi
if ls "$STATE_DIR" > /dev/null 2>&1; then echo "listed the coordinator state"; exit 1; fi
workers=$(pgrep -u 0 -f "worker --coordinator $COORDINATOR ")
echo "$workers" | wc -l > "$OUT/ws01-workers"
for pid in $workers; do
  if kill -0 "$pid" 2> /dev/null; then echo "could signal worker $pid"; exit 1; fi
done
echo "all refused" > "$OUT/ws01-refused"' '**Labels**: role=git'
card "$plan" WS-02 None 'if [ "$WSFLEET_NODE_RANK" = 0 ]; then echo "from-$(id -u)" | "$WSFLEET_BIN" rendezvous put id; fi
"$WSFLEET_BIN" rendezvous get id --timeout 60 > "$OUT/rank-$WSFLEET_NODE_RANK"
id -u >> "$OUT/rank-$WSFLEET_NODE_RANK"' '**Nodes**: 2
**Labels**: role=gang'
card "$plan" WS-04 None 'grep -qx 65534 agent-saw.txt' '**Labels**: role=git
**Agent Type**: `fake-agent`'
card "$plan" WS-03 "WS-01, WS-02, WS-04" '/nonexistent/tool --flag' '**Labels**: role=gang
**Retries**: 0'
run_plan "$plan" || { echo "the plan did not finish"; "$WSFLEET" status; }
"$WSFLEET" status > "$TMP/status.out" 2>&1

check "the step ran as nobody with its home" grep -qx "uid=65534 gid=65534 home=/nonexistent user=nobody" "$OUT/ws01-id"
check "the step could reach none of the worker's secrets" [ -f "$OUT/ws01-refused" ]
check "the step saw the 3 workers it tried to signal" grep -qx 3 "$OUT/ws01-workers"
check "WS-01 succeeded (its worktree merged, by git as nobody)" grep -q "WS-01 .*SUCCEEDED" "$TMP/status.out"
integration=$(git -C "$TMP/repo" -c safe.directory='*' branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "the step's file reached the integration branch" \
  sh -c "git -C '$TMP/repo' -c safe.directory='*' show '$integration:made.txt' | grep -qx made"
worktree=$(ls -d "$TMP"/repo/.wsfleet/worktrees/*/WS-01 2> /dev/null | head -1)
check "the worktree is nobody's" [ "$(stat -c %U "$worktree" 2> /dev/null)" = nobody ]
for rank in 0 1; do
  check "gang rank $rank got rank 0's value as nobody" \
    sh -c "printf 'from-65534\n65534\n' | cmp -s - '$OUT/rank-$rank'"
done
check "the agent ran as nobody with its scratch, and its work merged" grep -q "WS-04 .*SUCCEEDED" "$TMP/status.out"
check "a program that does not exist fails its step" grep -q "WS-03 .*FAILED" "$TMP/status.out"
check "the worker's key stays root's, 0600" [ "$(stat -c '%U %a' "$PRIVATE/w-git.pem")" = "root 600" ]
check "each worker says who its steps run as" grep -q "steps run as nobody (uid 65534)" "$TMP/w-gang1.log"
"$WSFLEET" logs WS-01 > "$TMP/ws01.log" 2>&1; "$WSFLEET" logs WS-02 > "$TMP/ws02.log" 2>&1; "$WSFLEET" logs WS-04 > "$TMP/ws04.log" 2>&1
"$WSFLEET" workers -o json > "$TMP/workers.log" 2>&1
finish

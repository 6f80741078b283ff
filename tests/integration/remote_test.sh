#!/usr/bin/env bash
# Workers that share no filesystem with the repository (--repo: a bare repository standing
# in for a remote): each clones it into its own workdir, branches from the remote's
# integration branch, pushes its workstream branches, and merges by pushing the
# integration branch, which is refused unless it fast-forwards. A dependent on the other
# worker starts from both merges.
source "$(dirname "$0")/lib.sh"
origin=$TMP/origin.git
git init -q --bare -b main "$origin"
git clone -q "$origin" "$TMP/seed" 2>/dev/null
echo "hello" > "$TMP/seed/README"
git -C "$TMP/seed" add README
git -C "$TMP/seed" -c user.email=t@t -c user.name=t commit -q -m root
git -C "$TMP/seed" push -q origin HEAD:main
plan=$TMP/plan
card "$plan" WS-01 None 'echo a > a.txt; sleep 0.3'
card "$plan" WS-02 None 'echo b > b.txt; sleep 0.3'
card "$plan" WS-03 "WS-01, WS-02" 'test -f a.txt && test -f b.txt && test -f README && echo c > c.txt'
"$WSFLEET" coordinator --listen 127.0.0.1:0 --state "$TMP/state" > "$TMP/coordinator.log" 2>&1 &
PIDS+=($!)
check "coordinator listening" wait_for 20 grep -q "listening on" "$TMP/coordinator.log"
address=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$TMP/coordinator.log")
export WSFLEET_COORDINATOR=unix:$TMP/state/coordinator.sock
join_token "$TMP/state" "$TMP/join.token"
for w in 1 2; do
  "$WSFLEET" worker --coordinator "$address" --id "m$w" --repo "$origin" --join-token-file "$TMP/join.token" \
    --isolate worktree --workdir "$TMP/m$w" > "$TMP/m$w.log" 2>&1 &
  PIDS+=($!)
done
check "both workers joined" wait_for 20 sh -c "'$WSFLEET' workers | grep -c connected | grep -qx 2"
check "the plan runs" run_plan "$plan"
check "all three succeeded" sh -c "'$WSFLEET' status | grep -q '3 succeeded'"
integration=$(git -C "$origin" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "the remote has the integration branch ($integration)" [ -n "$integration" ]
for file in a.txt b.txt c.txt README; do
  check "$file is on the remote's integration branch" git -C "$origin" cat-file -e "$integration:$file"
done
check "the workstream branches were pushed" [ "$(git -C "$origin" branch --list 'wsfleet/*/WS-0*' | wc -l)" -eq 3 ]
check "main on the remote did not move" [ "$(git -C "$origin" rev-list --count main)" -eq 1 ]
check "the workers cloned into their workdirs" sh -c "test -d '$TMP/m1/.wsfleet/clone' || test -d '$TMP/m2/.wsfleet/clone'"
check "the workdirs are not checkouts of the repository" [ ! -e "$TMP/m1/README" ]
finish

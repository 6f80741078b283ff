#!/usr/bin/env bash
# --isolate worktree: each workstream runs in its own git worktree on branch wsfleet/WS-ID,
# so parallel workstreams writing the same file do not collide.
source "$(dirname "$0")/lib.sh"
repo=$TMP/repo
mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" -c user.email=t@t -c user.name=t commit -q --allow-empty -m root
plan=$TMP/plan
card "$plan" WS-01 None 'echo one > shared.txt; sleep 0.5; grep -qx one shared.txt; git branch --show-current > branch.txt'
card "$plan" WS-02 None 'echo two > shared.txt; sleep 0.5; grep -qx two shared.txt'
"$WSFLEET" run "$plan" --workers 2 --isolate worktree --workdir "$repo" --state "$TMP/s" > "$TMP/out" 2>&1
code=$?
check "run with worktrees exits 0 (got $code)" [ "$code" -eq 0 ]
check "WS-01 worked in its worktree" [ -f "$repo/.wsfleet/worktrees/WS-01/shared.txt" ]
check "on its own branch" contains "$repo/.wsfleet/worktrees/WS-01/branch.txt" "wsfleet/WS-01"
check "the main tree is untouched" [ ! -e "$repo/shared.txt" ]
finish

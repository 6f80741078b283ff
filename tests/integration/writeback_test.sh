#!/usr/bin/env bash
# --write-back: each merge also marks the card's Status Completed and commits the
# workstream's completion summary beside the card, so the integration branch's plan says
# what is done (a second run skips it); a card outside the repository is left alone.
source "$(dirname "$0")/lib.sh"
repo=$TMP/repo
mkdir -p "$repo"
git -C "$repo" init -q -b main
card "$repo/plan/ws01" WS-01 None 'echo METRIC files=1; echo done > out.txt' "$(printf '**Status**: Not Started\n\n## Deliverables\n- Output: `out.txt`\n')"
card "$repo/plan/ws02" WS-02 WS-01 'test -f out.txt' '**Status**: Not Started'
git -C "$repo" add plan
git -C "$repo" -c user.email=t@t -c user.name=t commit -q -m "the plan"
"$WSFLEET" run "$repo/plan" --isolate worktree --write-back --workdir "$repo" --state "$TMP/s" \
  > "$TMP/out" 2>&1
code=$?
check "run exits 0 (got $code)" [ "$code" -eq 0 ]
integration=$(git -C "$repo" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "the card is marked Completed on the integration branch" sh -c \
  "git -C '$repo' show '$integration:plan/ws01/WS-01.md' | grep -qx '\*\*Status\*\*: ✅ Completed'"
check "its summary is committed beside it" sh -c \
  "git -C '$repo' show '$integration:plan/ws01/WS-01-COMPLETION_SUMMARY.md' | grep -q 'WS-01: Card WS-01 - Completion Summary'"
check "the summary reads as complete" sh -c \
  "git -C '$repo' show '$integration:plan/ws01/WS-01-COMPLETION_SUMMARY.md' | grep -q 'Status.*COMPLETE'"
# What is committed is the final summary, not one written before the merge was done.
committed=$TMP/committed-summary.md
git -C "$repo" show "$integration:plan/ws01/WS-01-COMPLETION_SUMMARY.md" > "$committed"
check "the committed summary has the deliverable found" contains "$committed" '`out.txt`: ✅ found'
check "the committed summary is dated" sh -c "! grep -q 'Completion Date\*\*: -' '$committed'"
check "the committed summary says merged" contains "$committed" "**Merge**: merged by this commit"
check "main still says Not Started" sh -c "grep -q 'Status\*\*: Not Started' '$repo/plan/ws01/WS-01.md'"
git -C "$repo" worktree add -q "$TMP/after" "$integration" 2>/dev/null
"$WSFLEET" plan "$TMP/after/plan" -o json > "$TMP/plan.json" 2> "$TMP/plan.err"
check "the written-back plan still parses" [ $? -eq 0 ]
check "and both cards now read as completed" [ "$(jq '[.workstreams[] | select(.status == "completed")] | length' "$TMP/plan.json")" -eq 2 ]
check "the summaries are not taken for cards" [ "$(jq '.workstreams | length' "$TMP/plan.json")" -eq 2 ]
finish

#!/usr/bin/env bash
# Agents in worktrees, merged back in order (isolate auto: agents get worktrees in a git
# workdir): two agents change the same file at once; the second to merge conflicts, goes
# back to its agent resuming the same session with the conflict in its prompt and the
# markers in its files, resolves it, and merges; a dependent starts from both merges.
source "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/bin"
for name in claude codex opencode; do ln -s "$SOURCE_DIR/tests/agents/standin-agent" "$TMP/bin/$name"; done
export PATH="$TMP/bin:$PATH"
repo=$TMP/repo
git_repo "$repo"

# agent_card ID AGENT DEPENDENCIES OBJECTIVE STEP [FIELDS]
agent_card() {
  mkdir -p "$TMP/plan"
  cat > "$TMP/plan/$1.md" <<CARD
# $1: Card $1

**Duration**: 1 day
**Dependencies**: $3
**Agent Type**: \`$2\`
**Retries**: 1
${6:-}

## Objective

$4

## Test Commands

\`\`\`bash
$5
\`\`\`
CARD
}
agent_card WS-01 claude None "standin-write: notes.txt from WS-01" "sleep 0.5; grep -q 'from WS-01' notes.txt"
agent_card WS-02 codex None "standin-write: notes.txt from WS-02" "sleep 0.5; grep -q 'from WS-02' notes.txt"
agent_card WS-03 opencode "WS-01, WS-02" "standin-write: summary.txt done" \
  'subjects=$(git log --format=%s); grep -q "^WS-01:" <<< "$subjects" && grep -q "^WS-02:" <<< "$subjects" && test -f README'
"$WSFLEET" run "$TMP/plan" --workers 3 --workdir "$repo" --state "$TMP/state" > "$TMP/run.out" 2>&1
code=$?
check "every workstream merged: exit 0 (got $code)" [ "$code" -eq 0 ]
report=$TMP/state/latest/report.json
integration=$(git -C "$repo" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "the merges are on the integration branch" [ "$(git -C "$repo" log --format=%s "$integration" | grep -c '^WS-0[123]:')" -ge 3 ]
check "merged in order: WS-03 last" sh -c "git -C '$repo' log --format=%s '$integration' | head -1 | grep -q '^WS-03:'"
check "the report says merged with the commit" [ "$(jq -r '[.workstreams[].merge | startswith("merged ")] | all' "$report")" = true ]
retried=$(jq -r '.workstreams[] | select(.attempts == 2) | .id' "$report")
check "one of the pair went back to its agent (${retried:-none})" [ -n "$retried" ] 
check "only one did" [ "$(echo "$retried" | wc -l)" -eq 1 ]
logs=$(ls "$TMP/state/latest/logs/$retried"/*.log 2>/dev/null)
sessions=$(grep -ohE '"(session_id|thread_id)":"[^"]+"' $logs | sort -u | wc -l)
check "its retry resumed the same session" [ "$sessions" -eq 1 ]
check "with the conflict in its prompt" sh -c "grep -l 'Merge conflict' '$repo'/.wsfleet/spool/*/prompts/$retried-a2-*.md"
check "and the failure that sent it back" sh -c "grep -l 'conflicts with $integration in notes.txt' '$repo'/.wsfleet/spool/*/prompts/$retried-a2-*.md"
check "its resolution is what merged" sh -c "git -C '$repo' show '$integration:notes.txt' | grep -qx 'from $retried'"
check "no conflict markers merged" sh -c "! git -C '$repo' show '$integration:notes.txt' | grep -q '<<<<<<<'"
check "the dependent's prompt carries its dependencies' summaries" sh -c \
  "cat '$repo'/.wsfleet/spool/*/prompts/WS-03-a1-*.md | grep -q '^### WS-01: Card WS-01 - Completion Summary' &&
   cat '$repo'/.wsfleet/spool/*/prompts/WS-03-a1-*.md | grep -q '^### WS-02: Card WS-02 - Completion Summary'"
check "the status table shows agents and merges" sh -c "grep -q 'AGENT' '$TMP/run.out' && grep -q 'MERGE' '$TMP/run.out' && grep -qE '^agents: 8 turns' '$TMP/run.out'"
check "main did not move" [ "$(git -C "$repo" rev-list --count main)" -eq 1 ]
check "every worktree is kept" [ "$(ls "$repo"/.wsfleet/worktrees/*/ | wc -l)" -eq 3 ]
finish
